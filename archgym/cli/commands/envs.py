"""``archgym envs``: the registered envs with their knobs, design-space size and metrics."""

from __future__ import annotations

import argparse
import math

from archgym.cli.output import format_table

#: Metrics shown per env; `archgym describe ENV` lists them all.
SHOWN_METRICS = 4


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("envs", help="list the registered envs")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archgym.envs import list_envs, make_env
    from archgym.errors import MissingExtraError
    from archgym.simulators.external import ToolNotFoundError

    rows = []
    for env_id, description in list_envs():
        try:
            env = make_env(env_id).unwrapped
        except MissingExtraError as error:
            rows.append((env_id, "-", "-", f"needs archgym[{error.extra}]", description))
            continue
        except ToolNotFoundError:
            rows.append((env_id, "-", "-", "needs its binary (--env-arg binary=...)", description))
            continue
        size = env.design_space.size
        shown = "continuous" if math.isinf(size) else f"{size:.3g}"
        names = [m.name for m in env.metric_specs]
        metrics = ", ".join(names[:SHOWN_METRICS])
        if len(names) > SHOWN_METRICS:
            metrics += f" (+{len(names) - SHOWN_METRICS} more)"
        rows.append((env_id, len(env.design_space), shown, metrics, description))
        env.close()
    print(format_table(rows, ["id", "knobs", "designs", "metrics", "description"]))
    return 0
