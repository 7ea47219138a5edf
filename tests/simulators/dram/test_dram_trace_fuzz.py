"""Trace readers on random bytes and mutated real traces: a Trace or a WorkloadError."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.errors import WorkloadError
from archgym.simulators.dram import read_trace
from archgym.simulators.dram.trace import FORMATS, MAX_ARRIVAL_CYCLE
from tests.fuzzing import FUZZ_SETTINGS, check_reader, head, mutated

DRAMSIM3 = b"0x1F40 READ 0\n0x2000 WRITE 3\n0x2040 READ 9\n0x80 READ 12\n"
RAMULATOR = b"0x1F40 R\n0x2000 W\n0x2040 R\n0x80 R\n"


def _check_trace(path, fmt):
    trace = check_reader(lambda p: read_trace(p, format=fmt), path, WorkloadError)
    if trace is not None:  # a valid result: the Trace contract holds
        assert len(trace) >= 1 and np.all(np.diff(trace.arrival_cycle) >= 0)
        assert trace.arrival_cycle.dtype == np.int64 and trace.address.dtype == np.uint64


@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_real_trace_reads_or_names_the_file(shared_data, tmp_path, data):
    original = head((shared_data / "dram/traces/cloud-1.stl").read_bytes(), 40)
    path = tmp_path / "mutated.stl"
    path.write_bytes(data.draw(mutated(original)))
    _check_trace(path, data.draw(st.sampled_from(("auto", "stl"))))


@pytest.mark.parametrize(("fmt", "original"), [("dramsim3", DRAMSIM3), ("ramulator", RAMULATOR)])
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_dramsim3_and_ramulator_traces(tmp_path, fmt, original, data):
    path = tmp_path / "mutated.trace"
    path.write_bytes(data.draw(mutated(original)))
    _check_trace(path, data.draw(st.sampled_from(("auto", fmt))))


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (b"0:\tread\t0x0\n1:\tread\t\xff\xfe\n", 2, "not UTF-8"),
        (b"0:\tread\t0x0\n99999999999999999999999:\tread\t0x40\n", 2, "cycle"),
        (b"0:\tread\t0x0\n281474976710657:\tread\t0x40\n", 2, "out of range"),
        (b"0:\tread\t0x0\n1:\tread\t0x1FFFFFFFFFFFFFFFFF\n", 2, "address"),
        (b"0:\tread\t0x0\n1_0:\tread\t0x40\n", 2, "cycle '1_0' is not an integer"),
        ("0:\tread\t0x0\n\u0661:\tread\t0x40\n".encode(), 2, "is not an integer"),
        (b"0:\tread\t0x0\n\x0c\n2:\tread\t0xZZ\n", 3, "address '0xZZ'"),
        (b"0:\tread\t0x0\n1:\tread\t" + b"9" * 5000 + b"\n", 2, "address"),
    ],
)
@pytest.mark.parametrize("fmt", ["auto", "stl"])
def test_binary_junk_and_huge_numbers_name_file_and_line(tmp_path, text, line, expected, fmt):
    path = tmp_path / "bad.stl"
    path.write_bytes(text)
    with pytest.raises(WorkloadError) as info:
        read_trace(path, format=fmt)
    assert f"{path}:{line}:" in str(info.value) and expected in str(info.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_largest_numbers_that_fit_are_read(tmp_path, fmt):
    cycle, address = MAX_ARRIVAL_CYCLE, 2**64 - 1
    text = {
        "stl": f"{cycle}:\twrite\t0x{address:X}\n",
        "dramsim3": f"0x{address:X} WRITE {cycle}\n",
        "ramulator": f"0x{address:X} W\n",
    }[fmt]
    path = tmp_path / "edge.trace"
    path.write_text(text)
    trace = read_trace(path, format=fmt)
    assert int(trace.address[0]) == address and bool(trace.is_write[0])
    assert int(trace.arrival_cycle[0]) == (cycle if fmt != "ramulator" else 0)
