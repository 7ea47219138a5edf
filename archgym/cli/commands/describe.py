"""``archgym describe ENV``: the knob table (allowed values, units) and the metrics."""

from __future__ import annotations

import argparse

from archgym.cli.output import add_assignments_option, format_table, parse_assignments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("describe", help="show an env's knobs and metrics")
    parser.add_argument("env", help="env id, e.g. archgym/DRAM-v0")
    add_assignments_option(parser, "--env-arg", "option for the env factory")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archgym.envs import make_env

    env = make_env(args.env, **parse_assignments(args.env_arg, "--env-arg")).unwrapped
    space = env.design_space
    print(f"{args.env}  (workload: {env.workload_name}; objective: {env.objective.describe()})")
    print(f"design space: {len(space)} knobs, {space.size:.4g} designs\n")
    knob_rows = [(p.name, type(p).__name__, p.describe(), p.unit, p.doc) for p in space]
    print(format_table(knob_rows, ["knob", "kind", "allowed values", "unit", "doc"]))
    if space.constraints:
        print("\nconstraints: " + "; ".join(c.description for c in space.constraints))
    metric_rows = [(m.name, m.unit, m.direction, m.doc) for m in env.metric_specs]
    print()
    print(format_table(metric_rows, ["metric", "unit", "better", "doc"]))
    return 0
