"""Sweep specs on random bytes and mutated example specs: a SweepSpec or a ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.errors import ConfigError
from archgym.experiments.spec import SweepSpec, check_spec, load_spec, parse_spec
from tests.fuzzing import FUZZ_SETTINGS, check_reader, mutated

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "sweeps").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_example_spec_loads_or_names_the_file(tmp_path, example, data):
    path = tmp_path / "mutated.yaml"
    path.write_bytes(data.draw(mutated(example.read_bytes())))
    spec = check_reader(load_spec, path, ConfigError)
    assert spec is None or isinstance(spec, SweepSpec)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"name: x\nbudget: \xff\n", ":2: byte 0xff at column 9 is not UTF-8"),
        (b"budget: [1\n", "not valid YAML"),
        (b"budget: 5\nenvs: &e [*e]\nagents: [random]\n", "an anchor refers to itself"),
        (b"budget: 0\nenvs: [archgym/Analytic-v0]\nagents: [random]\n", ": budget: expected"),
    ],
)
def test_malformed_spec_names_file_then_line_or_key(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_bytes(text)
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    assert str(info.value).startswith(str(path)) and expected in str(info.value)


@pytest.mark.parametrize("where", ["workloads", "options"])
def test_bad_trace_is_blamed_on_the_workload_not_the_objective(tmp_path, where):
    # A folder name with "target" and "objective" in it once sent the error to objectives[0].
    trace = tmp_path / "target_objective" / "bad.stl"
    trace.parent.mkdir()
    trace.write_text("0:\tread\t0x0\n1:\tread\t0x4G\n")
    env = {"id": "archgym/DRAM-v0", "objectives": ["latency"]}
    if where == "workloads":
        env["workloads"] = [str(trace)]
    else:
        env["options"] = {"workload": str(trace)}
    spec = parse_spec({"budget": 2, "envs": [env], "agents": ["random"]})
    key = "workloads[0]" if where == "workloads" else "options.workload"
    with pytest.raises(ConfigError) as info:
        check_spec(spec)
    assert str(info.value).startswith(f"envs[0].{key}: {trace}:2: address '0x4G'")
