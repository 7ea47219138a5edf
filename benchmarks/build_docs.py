"""Assemble docs/benchmarks.md from the recorded results in benchmarks/results/*.md.

Each benchmark script prints a Markdown section (machine, date, command, figures);
its output is saved as benchmarks/results/<area>.md. This script joins them.

    python benchmarks/build_docs.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["core", "dram", "agents", "accelerator", "thirdparty", "soc", "proxy", "experiments"]

HEADER = """# Benchmarks

Speed and fidelity measurements of archgym. Every section names its machine, date
and command; rerun the command to reproduce it. Figures come from the project's
2-core sandbox machines, which are shared and noisy: compare ratios measured in the
same run rather than absolute times from different runs. Benchmarks are never timed
assertions in the test suite.
"""


def main() -> None:
    results = ROOT / "benchmarks" / "results"
    files = sorted(results.glob("*.md"), key=lambda p: (ORDER + [p.stem]).index(p.stem))
    sections = [HEADER] + [f.read_text().strip() + "\n" for f in files]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(sections))


if __name__ == "__main__":
    main()
