#!/usr/bin/env python3
"""Set up and run archgym from a fresh clone with nothing but Python.

    python3 dev.py explore   # a real exploration on the flagship env, with a table and a plot
    python3 dev.py test      # lint + the whole test suite

Both create (or reuse) a virtual environment in .venv and install archgym with every
extra, pinned by constraints.txt. The install is redone only when pyproject.toml or
constraints.txt changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".archgym-install-stamp"

MAIN_JOB = [
    *("run", "archgym/DRAM-v0", "--workload", "cloud-1", "--objective", "power_latency"),
    *("--agent", "ga", "--budget", "300", "--seed", "0", "--out", "runs/explore"),
]


def run(*command: str | Path) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], cwd=ROOT, check=True)


def ensure_environment() -> None:
    """Create .venv if needed and install archgym[all,dev] under the constraints."""
    inputs = b"".join((ROOT / name).read_bytes() for name in ("pyproject.toml", "constraints.txt"))
    digest = hashlib.sha256(inputs).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == digest:
        return
    if not PYTHON.exists():
        print(f"creating virtual environment {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-c", "constraints.txt", "-e", ".[all,dev]")
    STAMP.write_text(digest)


def test() -> None:
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "pytest", "-n", "2", "--durations=15", "tests")


def explore() -> None:
    run(BIN / "archgym", *MAIN_JOB)


def main() -> int:
    tasks = {"test": test, "explore": explore}
    if len(sys.argv) != 2 or sys.argv[1] not in tasks:
        print(f"usage: python3 dev.py {{{'|'.join(tasks)}}}", file=sys.stderr)
        return 2
    try:
        ensure_environment()
        tasks[sys.argv[1]]()
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
