"""Laws that hold for every trace and every design (hypothesis)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from archgym.simulators.dram import ControllerConfig, Trace, get_mapping, get_memspec
from archgym.simulators.dram.config import (
    ARBITERS,
    CMD_MUXES,
    PAGE_POLICIES,
    POWER_DOWN_POLICIES,
    REFRESH_POLICIES,
    RESP_QUEUES,
    SCHEDULER_BUFFERS,
    SCHEDULERS,
)
from archgym.simulators.dram.energy import background_powers
from archgym.simulators.dram.simulator import run

SPECS = {
    "DDR3-1600": get_memspec("DDR3-1600"),
    "DDR4-2400": get_memspec("DDR4-2400"),
    # two ranks and two channels, to exercise rank switching and channel splitting
    "DDR4-2x2": dataclasses.replace(get_memspec("DDR4-2400"), name="2x2", ranks=2, channels=2),
    "LPDDR4-3200": get_memspec("LPDDR4-3200"),
}


@st.composite
def write_paths(draw):
    """Transaction queue, write buffer and watermarks with low < high <= buffer."""
    buffer = draw(st.integers(1, 40))
    high = draw(st.integers(1, buffer))
    return {
        "transaction_queue_size": draw(st.integers(1, 40)),
        "write_buffer_size": buffer,
        "write_high_watermark": high,
        "write_low_watermark": draw(st.integers(0, high - 1)),
    }


configs = st.builds(
    lambda write_path, **knobs: ControllerConfig(**knobs, **write_path),
    write_path=write_paths(),
    cmd_mux=st.sampled_from(CMD_MUXES),
    page_policy=st.sampled_from(PAGE_POLICIES),
    scheduler=st.sampled_from(SCHEDULERS),
    scheduler_buffer=st.sampled_from(SCHEDULER_BUFFERS),
    request_buffer_size=st.integers(1, 8),
    resp_queue=st.sampled_from(RESP_QUEUES),
    refresh_policy=st.sampled_from(REFRESH_POLICIES),
    refresh_max_postponed=st.integers(0, 8),
    refresh_max_pulledin=st.integers(0, 8),
    arbiter=st.sampled_from(ARBITERS),
    max_active_transactions=st.sampled_from([1, 2, 4, 16, 128]),
    power_down_policy=st.sampled_from(POWER_DOWN_POLICIES),
)


@st.composite
def traces(draw):
    n = draw(st.integers(1, 400))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rows = draw(st.integers(1, 64))  # few rows: many hits; many rows: many conflicts
    lines = rng.integers(0, rows, n) * (1 << 17) + rng.integers(0, 2048, n) * 64
    gaps = rng.integers(0, draw(st.integers(1, 3000)), n)
    arrival = np.cumsum(gaps) - gaps[0]
    is_write = rng.random(n) < draw(st.floats(0.0, 1.0))
    return Trace("prop", arrival, lines.astype(np.uint64), is_write)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec_name=st.sampled_from(sorted(SPECS)), config=configs, trace=traces())
def test_simulation_laws(spec_name, config, trace):
    spec = SPECS[spec_name]
    assume(config.refresh_policy != "PerBank" or spec.per_bank_refresh)
    result = run(spec, get_mapping("rbc", spec), config, trace)
    m, c = result.metrics, result.counts
    n = len(trace)
    assert c["reads"] + c["writes"] == n
    assert c["reads"] == int((~trace.is_write).sum())
    assert all(np.isfinite(v) for v in m.values())
    assert 0.0 <= m["row_hit_rate"] <= 1.0
    assert m["bandwidth_gbps"] <= spec.peak_bandwidth_gbps * (1 + 1e-9)
    # the run lasts at least until the last request arrived and was served
    assert c["end_cycle"] >= trace.arrival_cycle[-1] + spec.CWL + spec.burst_cycles
    # every read takes at least a row hit's CL + burst in the DRAM, at least that long
    # in the controller and at least as long again from its trace time stamp
    if c["reads"]:
        service = result.read_service_latency_cycles
        assert service.min() >= spec.CL + spec.burst_cycles
        assert np.all(result.read_controller_latency_cycles >= service)
        assert np.all(result.read_latency_cycles >= result.read_controller_latency_cycles)
    # a closed-page controller never finds its row open
    if config.page_policy == "Closed":
        assert m["row_hit_rate"] == 0.0
    if config.refresh_policy == "NoRefresh":
        assert m["refresh_count"] == 0
    # an activate for every miss (more when a refresh closed a row before its access),
    # and never fewer precharges than activates minus the banks left open
    assert c["activates"] >= c["reads"] + c["writes"] - c["row_hits"]
    banks = spec.channels * spec.ranks * spec.banks
    assert c["activates"] - banks <= c["precharges"] <= c["activates"]
    # background energy lies between all-power-down and all-active
    p = background_powers(spec)
    ranks_time_ns = spec.channels * spec.ranks * c["end_cycle"] * spec.tck_ns
    low = min(p.precharged_powerdown, p.active_powerdown) * ranks_time_ns / 1000
    high = max(p.active, p.precharged) * ranks_time_ns / 1000
    assert low * (1 - 1e-9) <= result.energy_nj["background"] <= high * (1 + 1e-9)
