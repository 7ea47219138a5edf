"""DRAMSimulator: metrics, design space, validation results and the effect of every knob."""

from __future__ import annotations

import math

import pytest

from archgym.errors import ConfigError, InvalidDesignError, WorkloadError
from archgym.simulators.dram import (
    ARCHGYM_KNOBS,
    EXTRA_KNOBS,
    ControllerConfig,
    DRAMSimulator,
    preset_trace,
    read_trace,
)

METRICS = (
    "sim_time_ns",
    "latency_ns",
    "p99_latency_ns",
    "controller_latency_ns",
    "service_latency_ns",
    "bandwidth_gbps",
    "energy_nj",
    "power_mw",
    "row_hit_rate",
    "refresh_count",
)


@pytest.fixture(scope="module")
def sim() -> DRAMSimulator:
    return DRAMSimulator()


@pytest.fixture(scope="module")
def base(sim):
    return sim.default_design()


def test_metric_and_knob_names(sim):
    assert sim.metric_names == METRICS
    assert sim.design_space.names == ARCHGYM_KNOBS
    space = sim.design_space
    assert space["RequestBufferSize"].n_values == 8
    assert space["MaxActiveTransactions"].n_values == 8  # 1, 2, 4, ..., 128
    assert space.size == 4 * 3 * 3 * 8 * 2 * 2 * 8 * 8 * 3 * 8
    extra = DRAMSimulator(extra_knobs=True)
    assert extra.design_space.names[-5:] == EXTRA_KNOBS
    assert not extra.design_space.is_feasible(
        dict(extra.default_design(), WriteHighWatermark=8, WriteLowWatermark=8)
    )


def test_evaluate_is_deterministic_and_complete(sim, base):
    trace = preset_trace("cloud-1", 2000)
    first = sim.evaluate(base, trace)
    assert set(first) == set(METRICS)
    assert all(math.isfinite(v) for v in first.values())
    assert sim.evaluate(base, trace) == first
    # the requester waits at least as long as the controller holds the read, which is
    # at least the DRAM's own service time
    assert first["latency_ns"] >= first["controller_latency_ns"] >= first["service_latency_ns"]
    assert first["power_mw"] == pytest.approx(first["energy_nj"] / first["sim_time_ns"] * 1000)
    assert first["bandwidth_gbps"] == pytest.approx(2000 * 64 / first["sim_time_ns"])


def test_bad_design_and_workload(sim, base):
    with pytest.raises(InvalidDesignError, match="PagePolicy"):
        sim.evaluate(dict(base, PagePolicy="Sometimes"), preset_trace("stream", 10))
    with pytest.raises(InvalidDesignError, match="RequestBufferSize"):
        sim.evaluate(dict(base, RequestBufferSize=9), preset_trace("stream", 10))
    with pytest.raises(WorkloadError, match="Trace"):
        sim.evaluate(base, "stream")
    with pytest.raises(ConfigError, match="scheduler"):
        ControllerConfig(scheduler="Lottery")


def test_open_page_stream_hits_and_reaches_peak_bandwidth(sim, base):
    trace = preset_trace("stream")
    metrics = sim.evaluate(dict(base, RefreshPolicy="NoRefresh"), trace)
    assert metrics["row_hit_rate"] > 0.9
    assert metrics["bandwidth_gbps"] >= 0.85 * sim.memspec.peak_bandwidth_gbps
    closed = sim.evaluate(dict(base, RefreshPolicy="NoRefresh", PagePolicy="Closed"), trace)
    assert closed["row_hit_rate"] == 0.0


def test_ddr4_and_extra_knobs():
    sim = DRAMSimulator(extra_knobs=True)
    design = sim.default_design()
    trace = preset_trace("random", 3000)
    ddr3 = sim.evaluate(design, trace)
    ddr4 = sim.evaluate(dict(design, MemSpec="DDR4-2400"), trace)
    assert ddr4["bandwidth_gbps"] > ddr3["bandwidth_gbps"]  # 16 banks, shorter tFAW in ns
    stream = preset_trace("stream", 3000)
    brc = sim.evaluate(dict(design, AddressMapping="brc"), stream)
    rbc = sim.evaluate(dict(design, AddressMapping="rbc"), stream)
    assert brc["row_hit_rate"] == pytest.approx(rbc["row_hit_rate"], abs=0.01)
    xor = sim.evaluate(dict(design, AddressMapping="rbc_xor"), trace)
    assert xor != sim.evaluate(design, trace)
    gaps = preset_trace("random", 300).head(300)
    slow = DRAMSimulator(extra_knobs=True)
    low_rate = dict(design, MaxActiveTransactions=1, Arbiter="Fifo")
    awake = slow.evaluate(low_rate, gaps)
    asleep = slow.evaluate(dict(low_rate, PowerDownPolicy="Staggered"), gaps)
    assert asleep["power_mw"] < awake["power_mw"]
    assert asleep["latency_ns"] > awake["latency_ns"]


# Each row: knob, two values, workload, other knobs changed from the default design.
# The four workloads are ArchGym's traces; every knob must move at least one metric.
KNOB_EFFECTS = [
    ("PagePolicy", "Open", "Closed", "stream", {}),
    ("Scheduler", "Fifo", "FrFcfs", "cloud-1", {}),
    ("SchedulerBuffer", "Bankwise", "Shared", "random", {}),
    ("RequestBufferSize", 1, 8, "random", {}),
    ("RespQueue", "Fifo", "Reorder", "random", {}),
    ("RefreshPolicy", "NoRefresh", "AllBank", "stream", {}),
    ("RefreshMaxPostponed", 1, 8, "stream", {}),
    ("RefreshMaxPulledin", 1, 8, "cloud-2", {"MaxActiveTransactions": 1}),
    ("Arbiter", "Simple", "Fifo", "cloud-2", {}),
    ("MaxActiveTransactions", 1, 128, "random", {}),
]


def test_knob_table_covers_the_ten_knobs():
    assert sorted(row[0] for row in KNOB_EFFECTS) == sorted(ARCHGYM_KNOBS)


@pytest.mark.parametrize(("knob", "a", "b", "workload", "others"), KNOB_EFFECTS)
def test_every_knob_changes_a_metric(sim, base, archgym_traces, knob, a, b, workload, others):
    trace = read_trace(archgym_traces / f"{workload}.stl")
    design = dict(base, **others)
    first = sim.evaluate(dict(design, **{knob: a}), trace)
    second = sim.evaluate(dict(design, **{knob: b}), trace)
    changed = [m for m in METRICS if first[m] != pytest.approx(second[m], rel=1e-9)]
    assert changed, f"{knob} {a} -> {b} changed no metric on {workload}"


def test_rl_value_sets():
    sim = DRAMSimulator(value_sets="rl")
    space = sim.design_space
    assert space["RequestBufferSize"].values == (1, 2, 4, 8, 16, 32, 64, 128)
    assert space["RefreshMaxPostponed"].values == (1, 2, 4, 8)
    big = dict(sim.default_design(), RequestBufferSize=128, SchedulerBuffer="Shared")
    small = dict(big, RequestBufferSize=8)
    trace = preset_trace("random", 3000)
    large, little = sim.evaluate(big, trace), sim.evaluate(small, trace)
    # a bigger buffer keeps more banks busy (the requester waits less) but holds more
    # requests inside the controller (each waits longer there)
    assert large["latency_ns"] < little["latency_ns"]
    assert large["controller_latency_ns"] > little["controller_latency_ns"]
    with pytest.raises(ConfigError, match="value_sets"):
        DRAMSimulator(value_sets="huge")


def test_per_bank_refresh_only_where_the_standard_has_it():
    ddr3 = DRAMSimulator()
    assert ddr3.design_space["RefreshPolicy"].values == ("NoRefresh", "AllBank")
    lp = DRAMSimulator("LPDDR4-3200")
    assert "PerBank" in lp.design_space["RefreshPolicy"].values
    trace = preset_trace("stream", 20_000)
    design = lp.default_design()
    all_bank = lp.evaluate(design, trace)
    per_bank = lp.evaluate(dict(design, RefreshPolicy="PerBank"), trace)
    assert per_bank["sim_time_ns"] < all_bank["sim_time_ns"]  # refresh hides behind other banks
    assert per_bank["refresh_count"] >= 7 * all_bank["refresh_count"]  # tREFIpb = tREFI / 8
    extra = DRAMSimulator(extra_knobs=True)
    bad = dict(extra.default_design(), RefreshPolicy="PerBank")
    assert not extra.design_space.is_feasible(bad)
    assert extra.design_space.is_feasible(dict(bad, MemSpec="LPDDR4-3200"))
    with pytest.raises(InvalidDesignError, match="per-bank"):
        extra.evaluate(bad, trace)
