"""``archgym validate ENV --against ADAPTER``: a native model against an external tool."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from archgym.cli.output import add_assignments_option, format_table, parse_assignments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="evaluate the same designs on a native env and an external tool; error table",
        description=(
            "Sample N designs of the adapter's design space (seeded, no repeats), evaluate "
            "each on the external tool and on the native env ENV (the same workload, the "
            "adapter's memory part and mapping), and print the per-metric error of the "
            "native model relative to the tool, with a scatter plot and a per-design CSV."
        ),
    )
    parser.add_argument("env", metavar="ENV", help="the native env, e.g. archgym/DRAM-v0")
    parser.add_argument(
        "--against",
        required=True,
        metavar="ADAPTER",
        help="the external tool: dramsim3, ramulator2 or dramsys (or its env id)",
    )
    parser.add_argument("--n", type=int, default=50, help="designs to compare (default 50)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workload", default=None, help="workload of ENV (its default if absent)")
    add_assignments_option(parser, "--env-arg", "option of the native env, e.g. trace_length=2000")
    add_assignments_option(
        parser, "--adapter-arg", "option of the adapter, e.g. binary=/path/to/dramsim3main"
    )
    parser.add_argument("--jobs", type=int, default=1, help="tool runs at a time (default 1)")
    parser.add_argument("--out", default=None, help="folder for the plot and CSV")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archgym.envs.external import validate_adapter
    from archgym.errors import ConfigError

    if args.n < 1 or args.jobs < 1:
        raise ConfigError(f"--n and --jobs must be at least 1, got {args.n} and {args.jobs}")
    result = validate_adapter(
        args.env,
        args.against,
        args.n,
        seed=args.seed,
        workload=args.workload,
        env_options=parse_assignments(args.env_arg, "--env-arg"),
        adapter_options=parse_assignments(args.adapter_arg, "--adapter-arg"),
        jobs=args.jobs,
        progress=not args.no_progress,
    )
    name = f"{result.tool}-{result.workload}".replace("/", "_").replace(" ", "")
    out = Path(args.out or Path("runs") / "validate" / name)
    out.mkdir(parents=True, exist_ok=True)
    table = result.table()
    rows = [
        [
            row.metric
            if row.metric == row.native_metric
            else f"{row.metric} ~ {row.native_metric}",
            row.unit,
            row.n,
            row.tool_mean,
            row.native_mean,
            _pct(row.mean_abs_error_pct),
            _pct(row.max_abs_error_pct),
            _pct(row.bias_pct, signed=True),
            row.spearman,
        ]
        for row in table.itertuples()
    ]
    headers = [
        "metric",
        "unit",
        "n",
        f"{result.tool} mean",
        "native mean",
        "mean |err|",
        "max |err|",
        "bias",
        "spearman",
    ]
    print(
        f"\n{result.native} vs {result.tool} on {result.workload!r}: {len(result.designs)} "
        f"designs (errors: (native - {result.tool}) / {result.tool})\n"
    )
    print(format_table(rows, headers))
    for design, reason in result.skipped:
        print(f"skipped {design}: {reason}")
    csv = out / "designs.csv"
    result.per_design().to_csv(csv, index=False)
    table.to_csv(out / "errors.csv", index=False)
    plot = result.plot(out / "scatter.png") if result.designs else None
    print(f"\nwritten: {csv}, {out / 'errors.csv'}" + (f", {plot}" if plot else ""))
    return 0


def _pct(value: float, signed: bool = False) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"
