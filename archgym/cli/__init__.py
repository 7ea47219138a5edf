"""The ``archgym`` command line. Only this package prints; the library raises and logs.

Subcommands live one per module in :mod:`archgym.cli.commands`; each module defines
``register(subparsers)``, which adds its parser and sets ``handler=fn`` with
``fn(args) -> int`` (the exit status). Errors print one line and exit non-zero, with
a traceback only under ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from archgym.errors import ArchGymError


def build_parser() -> argparse.ArgumentParser:
    from archgym.cli import commands

    parser = argparse.ArgumentParser(
        prog="archgym",
        description="Design-space exploration of computer architectures with Gymnasium envs.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (INFO)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{commands.__name__}.{module.name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except (ArchGymError, FileNotFoundError, PermissionError) as error:
        if args.debug:
            raise
        print(f"archgym: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("archgym: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
