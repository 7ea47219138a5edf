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


def as_section(text: str) -> str:
    """The recorded text with its headings moved so that its top heading is level 2."""
    lines = text.strip().splitlines()
    levels = [len(x) - len(x.lstrip("#")) for x in lines if x.startswith("#")]
    shift = 2 - min(levels, default=2)
    in_code = False
    out = []
    for line in lines:
        if line.startswith("```"):
            in_code = not in_code
        if line.startswith("#") and not in_code and shift > 0:
            line = "#" * shift + line
        out.append(line)
    return "\n".join(out) + "\n"


def main() -> None:
    results = ROOT / "benchmarks" / "results"
    files = sorted(results.glob("*.md"), key=lambda p: (ORDER + [p.stem]).index(p.stem))
    sections = [as_section(f.read_text()) for f in files]
    contents = "".join(f"- {section.splitlines()[0].lstrip('#').strip()}\n" for section in sections)
    text = "\n".join([HEADER, "Contents:\n\n" + contents, *sections])
    (ROOT / "docs" / "benchmarks.md").write_text(text)


if __name__ == "__main__":
    main()
