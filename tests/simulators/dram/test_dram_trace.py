"""Trace formats, malformed-line errors, generators and presets."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import WorkloadError
from archgym.simulators.dram.trace import (
    PRESETS,
    Trace,
    arrivals,
    hotspot_trace,
    phased_trace,
    preset_trace,
    random_trace,
    read_trace,
    stream_trace,
    write_trace,
)


def test_stl_parses(tmp_path):
    path = tmp_path / "t.stl"
    path.write_text("# comment\n0:\tread\t0x40\n\n5:\twrite\t0x1000\tdeadbeef\n7: read 128\n")
    trace = read_trace(path)
    assert trace.name == "t"
    assert trace.arrival_cycle.tolist() == [0, 5, 7]
    assert trace.address.tolist() == [0x40, 0x1000, 128]
    assert trace.is_write.tolist() == [False, True, False]


def test_dramsim3_parses(tmp_path):
    path = tmp_path / "t.trace"
    path.write_text("0x40 READ 3\n0x80 WRITE 9\n")
    trace = read_trace(path, format="dramsim3")
    assert trace.arrival_cycle.tolist() == [3, 9]
    assert trace.is_write.tolist() == [False, True]
    assert read_trace(path).address.tolist() == [0x40, 0x80]  # format sniffed


def test_ramulator_parses_one_request_per_cycle(tmp_path):
    path = tmp_path / "t.trace"
    path.write_text("0x40 R\n0x80 W\n0xc0 R\n")
    trace = read_trace(path)
    assert trace.arrival_cycle.tolist() == [0, 1, 2]
    assert trace.is_write.tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("fmt", "text", "line", "what"),
    [
        ("stl", "0:\tread\t0x40\n1:\tfetch\t0x80\n", 2, "fetch"),
        ("stl", "0:\tread\t0x40\n\n1 read 0x80\n", 3, "cycle"),
        ("stl", "0:\tread\t0xZZ\n", 1, "address"),
        ("stl", "5:\tread\t0x40\n4:\tread\t0x80\n", 2, "earlier"),
        ("dramsim3", "0x40 READ 1\n0x80 READ\n", 2, "READ|WRITE"),
        ("ramulator", "0x40 R\n0x80 X\n", 2, "X"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, fmt, text, line, what):
    path = tmp_path / "bad.trace"
    path.write_text(text)
    with pytest.raises(WorkloadError) as info:
        read_trace(path, format=fmt)
    assert f"{path}:{line}" in str(info.value)
    assert what in str(info.value)


def test_missing_or_empty_file(tmp_path):
    with pytest.raises(WorkloadError, match="cannot be read"):
        read_trace(tmp_path / "nope.stl")
    empty = tmp_path / "empty.stl"
    empty.write_text("# nothing\n")
    with pytest.raises(WorkloadError, match="no requests"):
        read_trace(empty)
    with pytest.raises(WorkloadError, match="unknown trace format"):
        read_trace(empty, format="csv")


@pytest.mark.parametrize("fmt", ["stl", "dramsim3", "ramulator"])
def test_write_read_round_trip(tmp_path, fmt):
    trace = random_trace(50, read_ratio=0.5, seed=3)
    path = tmp_path / f"t.{fmt}"
    write_trace(trace, path, format=fmt)
    back = read_trace(path, format=fmt)
    assert back.address.tolist() == trace.address.tolist()
    assert back.is_write.tolist() == trace.is_write.tolist()
    assert back.fingerprint() == trace.fingerprint()  # arrivals are one per cycle too


def test_trace_validation_and_fingerprint():
    with pytest.raises(WorkloadError, match="differ in length"):
        Trace("x", np.zeros(2), np.zeros(3), np.zeros(2))
    with pytest.raises(WorkloadError, match="non-decreasing"):
        Trace("x", np.array([2, 1]), np.zeros(2), np.zeros(2))
    with pytest.raises(WorkloadError, match="no requests"):
        Trace("x", np.zeros(0), np.zeros(0), np.zeros(0))
    a = stream_trace(100)
    assert a.fingerprint() == stream_trace(100, name="other").fingerprint()
    assert a.fingerprint() != stream_trace(101).fingerprint()
    assert not a.address.flags.writeable


def test_generators():
    assert arrivals(6, rate=0.5).tolist() == [0, 2, 4, 6, 8, 10]
    assert arrivals(6, rate=1.0, burst=3).tolist() == [0, 0, 0, 3, 3, 3]
    mixed = random_trace(10_000, read_ratio=0.7, seed=1)
    assert mixed.write_fraction == pytest.approx(0.3, abs=0.02)
    assert (mixed.address % 64 == 0).all()
    hot = hotspot_trace(10_000, hot_bytes=1 << 16, hot_probability=0.9)
    assert np.mean(hot.address < (1 << 16)) == pytest.approx(0.9, abs=0.02)
    with pytest.raises(WorkloadError):
        stream_trace(0)
    with pytest.raises(WorkloadError):
        random_trace(10, read_ratio=1.5)


@pytest.mark.parametrize(
    ("option", "value"), [("block", 0), ("block", 2.5), ("stream_probability", 1.5)]
)
def test_phased_trace_rejects_bad_options_by_name(option, value):
    with pytest.raises(WorkloadError, match=option):
        phased_trace(100, **{option: value})


def test_fingerprint_is_stable_across_calls():
    trace = preset_trace("cloud-1", 500)
    assert trace.fingerprint() == trace.fingerprint() == preset_trace("cloud-1", 500).fingerprint()


def test_presets_are_archgym_like():
    for name in PRESETS:
        trace = preset_trace(name, 1000)
        assert len(trace) == 1000 and trace.name == name
        assert trace.arrival_cycle.tolist() == list(range(1000))
        assert not trace.is_write.any()
    stream = preset_trace("stream", 1000)
    assert stream.address.tolist() == list(range(0, 64_000, 64))
    cloud = phased_trace(1000, first="stream", seed=5)
    sequential = np.diff(cloud.address.astype(np.int64)) == 64
    assert 0.3 < sequential.mean() < 0.7
    with pytest.raises(WorkloadError, match="unknown trace preset"):
        preset_trace("bogus")


def test_stream_preset_equals_archgym_stream_trace(archgym_traces):
    real = read_trace(archgym_traces / "stream.stl")
    assert real.fingerprint() == preset_trace("stream").fingerprint()
    for name in ("random", "cloud-1", "cloud-2"):
        trace = read_trace(archgym_traces / f"{name}.stl")
        assert len(trace) == 10_000 and not trace.is_write.any()
        assert int(trace.address.max()) < 1 << 30
