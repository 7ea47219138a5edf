"""``archgym agents``: the registered search agents, their hyperparameters and defaults."""

from __future__ import annotations

import argparse

from archgym.cli.output import format_table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "agents", help="list the search agents with their hyperparameters and defaults"
    )
    parser.add_argument(
        "name", nargs="?", help="show one agent's hyperparameters with their meaning"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archgym.agents import agent_class, list_agents

    if args.name:
        cls = agent_class(args.name)
        print(f"{cls.name}: {cls.description}\n")
        rows = [
            (spec.name, repr(spec.default), spec.doc, spec.archgym or "-")
            for spec in cls.hyperparameter_specs
        ]
        print(format_table(rows, ["hyperparameter", "default", "meaning", "ArchGym"]))
        return 0
    summary = [(info.name, info.description) for info in list_agents()]
    print(format_table(summary, ["agent", "description"]))
    rows = []
    for info in list_agents():
        for i, spec in enumerate(info.hyperparameters):
            rows.append((info.name if i == 0 else "", spec.name, repr(spec.default), spec.doc))
    print()
    print(format_table(rows, ["agent", "hyperparameter", "default", "meaning"]))
    print("\n`archgym agents NAME` shows one agent with its ArchGym counterparts.")
    return 0
