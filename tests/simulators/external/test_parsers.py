"""Output parsers: JSON paths, key = value lines, regular expressions, CSV columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgym.simulators.external import (
    ToolOutput,
    ToolOutputError,
    combine,
    csv_values,
    json_values,
    key_values,
    regex_values,
)


def output(directory: Path, stdout: str = "", **files: str) -> ToolOutput:
    for name, text in files.items():
        (directory / name.replace("_", ".")).write_text(text)
    return ToolOutput(("tool",), directory, 0, stdout, "", 0.0)


def test_json_paths_reach_into_dicts_and_lists_and_scale(tmp_path):
    out = output(tmp_path, stats_json='{"0": {"energy": 2.5, "lat": [1, 2, 30]}}')
    parse = json_values("stats.json", {"e": "0.energy", "l": "0.lat.-1"}, scale={"e": 1e3})
    assert parse(out) == {"e": 2500.0, "l": 30.0}


def test_json_errors_name_the_file_and_the_path(tmp_path):
    out = output(tmp_path, stats_json='{"a": {"b": "fast"}}', bad_json="{oops")
    with pytest.raises(ToolOutputError, match=r"stats.json: no 'a.c' \(missing at 'c'\)"):
        json_values("stats.json", {"x": "a.c"})(out)
    with pytest.raises(ToolOutputError, match=r"stats.json: a.b: 'fast' is not a number"):
        json_values("stats.json", {"x": "a.b"})(out)
    with pytest.raises(ToolOutputError, match="bad.json: not valid JSON"):
        json_values("bad.json", {"x": "a"})(out)
    with pytest.raises(
        ToolOutputError, match=r"did not write 'absent.json'; .* bad.json, stats.json"
    ):
        json_values("absent.json", {"x": "a"})(out)


def test_key_values_take_the_first_token_after_the_separator(tmp_path):
    text = "# run\ncycles = 1200\nlatency: 12.5 ns\ncycles = 1300\nname = fast\n"
    parse = key_values({"cycles": "cycles", "latency_ns": "latency"})
    assert parse(output(tmp_path, stdout=text)) == {"cycles": 1300.0, "latency_ns": 12.5}
    with pytest.raises(ToolOutputError, match="stdout: no line with key 'power'"):
        key_values({"p": "power"})(output(tmp_path, stdout=text))
    with pytest.raises(ToolOutputError, match="'fast' is not a number"):
        key_values({"n": "name"})(output(tmp_path, stdout=text))


def test_regex_values_read_the_first_group_of_the_first_match(tmp_path):
    out = output(tmp_path, log_txt="Total Time: 12 ns\nTotal Time: 99 ns\nEnergy: 1e-3 J\n")
    parse = regex_values({"t": r"^Total Time: (\S+) ns", "e": r"Energy: (\S+) J"}, "log.txt")
    assert parse(out) == {"t": 12.0, "e": 1e-3}
    with pytest.raises(ToolOutputError, match="nothing matches 'Power'"):
        regex_values({"p": "Power"}, "log.txt")(out)


def test_csv_values_read_a_row_by_column(tmp_path):
    out = output(tmp_path, report_csv="layer, cycles, energy\nconv1, 10, 1.5\nconv2, 20, 2.5\n")
    assert csv_values("report.csv", {"c": "cycles"})(out) == {"c": 20.0}
    assert csv_values("report.csv", {"c": "cycles"}, row=0)(out) == {"c": 10.0}
    with pytest.raises(ToolOutputError, match="no column 'power'; columns: layer, cycles, energy"):
        csv_values("report.csv", {"p": "power"})(out)
    with pytest.raises(ToolOutputError, match=r"no row 5 \(it has 2\)"):
        csv_values("report.csv", {"c": "cycles"}, row=5)(out)


def test_non_finite_values_are_rejected_and_parsers_combine(tmp_path):
    out = output(tmp_path, stdout="a = 1\nb = nan\n", stats_json='{"c": 3}')
    with pytest.raises(ToolOutputError, match="'nan' is not a finite number"):
        key_values({"b": "b"})(out)
    both = combine(key_values({"a": "a"}), json_values("stats.json", {"c": "c"}))
    assert both(out) == {"a": 1.0, "c": 3.0}
