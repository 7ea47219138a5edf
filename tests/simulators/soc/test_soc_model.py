"""Hand-computed cases for the phase-driven SoC model."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import InvalidDesignError
from archgym.simulators.soc import (
    AcceleratorIP,
    BusInstance,
    BusType,
    Edge,
    HardwareLibrary,
    MemoryInstance,
    MemoryType,
    PEInstance,
    PEType,
    SoC,
    Task,
    TaskGraph,
    simulate,
)
from archgym.simulators.soc.hardware import SRAM_MM2_PER_BYTE
from archgym.simulators.soc.kernel import share

# Round numbers so that every expected value can be worked out by hand:
# cpu 1 GHz, 1 pJ/cycle; bus 1 GB/s, 0.5 pJ/B, no hop latency; memory 1 TB/s (never the
# bottleneck), no latency, 1 pJ/B read and 2 pJ/B write.
CPU = PEType("cpu", "gpp", 1e9, cores=1, energy_per_cycle_j=1e-12, area_mm2=1.0)
DUAL = PEType("dual", "gpp", 1e9, cores=2, energy_per_cycle_j=1e-12, area_mm2=1.0)
ACC = PEType("acc", "accelerator", 1e8, area_mm2=0.5)
MEM = MemoryType("mem", "sram", 10**9, 1000, 1e9, 0.0, 1e-12, 2e-12, 2.0)
SMALL = MemoryType("small", "sram", 1000, 1000, 1e9, 0.0, 1e-12, 2e-12, 0.1)
SLOW = MemoryType("slow", "dram", 10**9, 1000, 1e9, 100e-9, 1e-12, 1e-12, 1.0)
BUS = BusType("bus", 1, 1e9, 0, 0.5e-12, 0.25)
TINY_LIBRARY = HardwareLibrary((CPU, DUAL, ACC), (MEM, SMALL, SLOW), (BUS,))
ONE_MEMORY = (MemoryInstance(MEM),)
ONE_BUS = (BusInstance(BUS, queue=4),)


def make_soc(
    pes,
    task_pe,
    task_memory,
    memories=ONE_MEMORY,
    buses=ONE_BUS,
    burst_bytes=256,
) -> SoC:
    """A SoC with slots padded to three (None = not allocated)."""

    def pad(items):
        items = tuple(items)
        return items + (None,) * (3 - len(items))

    return SoC(pad(pes), pad(memories), pad(buses), dict(task_pe), dict(task_memory), burst_bytes)


def cpu(bus: int = 0, type_: PEType = CPU, **kw) -> PEInstance:
    return PEInstance(type_, bus=bus, **kw)


def graph(tasks, edges) -> TaskGraph:
    return TaskGraph("t", tuple(tasks), tuple(Edge(*e) for e in edges))


def chain_graph() -> TaskGraph:
    return graph(
        [Task("a", 1000), Task("b", 2000), Task("c", 3000)],
        [("a", "b", 1000), ("b", "c", 500)],
    )


def test_chain_on_one_pe_is_sum_of_task_times_plus_transfers():
    soc = make_soc([cpu()], {"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 0})
    result = simulate(chain_graph(), soc)
    compute = (1000 + 2000 + 3000) / 1e9
    transfers = 2 * (1000 + 500) / 1e9  # each edge written once and read once at 1 GB/s
    assert result.latency_s == pytest.approx(compute + transfers, rel=1e-9)
    assert result.task_finish_s["a"] == pytest.approx(2e-6)  # compute 1 us + write 1 us
    # b: read 1 us, compute 2 us, write 0.5 us, so c starts at 2 + 3.5 us
    assert result.task_start_s["c"] == pytest.approx(5.5e-6)


def test_energy_and_area_are_sums_of_parts():
    soc = make_soc([cpu()], {"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 0})
    result = simulate(chain_graph(), soc)
    compute = 6000 * 1e-12
    writes = 1500 * (2e-12 + 0.5e-12)  # memory write + bus per byte
    reads = 1500 * (1e-12 + 0.5e-12)
    assert result.compute_energy_j == pytest.approx(compute)
    assert result.transfer_energy_j == pytest.approx(writes + reads)
    assert result.energy_j == pytest.approx(compute + writes + reads)
    assert result.power_w == pytest.approx(result.energy_j / result.latency_s)
    queue_area = 4 * 256 * SRAM_MM2_PER_BYTE
    assert result.area_mm2 == pytest.approx(1.0 + 2.0 + 0.25 + queue_area)


def test_accelerator_area_counts_unrolled_ips_of_mapped_tasks():
    g = graph(
        [
            Task("a", 1000, iterations=4, accelerator=AcceleratorIP(1000, 3e-9, 0.1)),
            Task("b", 1000, accelerator=AcceleratorIP(500, 1e-9, 0.2)),
            Task("c", 1000, accelerator=AcceleratorIP(500, 1e-9, 0.4)),
        ],
        [("a", "b", 0), ("b", "c", 0)],
    )
    soc = make_soc([PEInstance(ACC, unroll=8), cpu()], {"a": 0, "b": 0, "c": 1}, {})
    result = simulate(g, soc)
    # a: 1000 cycles at 100 MHz over min(8, 4) lanes; b: 500 cycles; c on the cpu: 1 us
    assert result.latency_s == pytest.approx(1000 / 1e8 / 4 + 500 / 1e8 + 1000 / 1e9)
    assert result.compute_energy_j == pytest.approx(3e-9 + 1e-9 + 1000e-12)
    queue_area = 4 * 256 * SRAM_MM2_PER_BYTE
    # unroll 8 capped by each trip count (FARSI builds IP variants up to it): a 4 copies,
    # b 1 copy; c's IP is not instantiated: c runs on the cpu
    pe_area = 0.5 + 4 * 0.1 + 1 * 0.2 + 1.0
    assert result.area_mm2 == pytest.approx(pe_area + 2.0 + 0.25 + queue_area)


def test_farsi_ip_costs_unroll_times_its_energy_and_area():
    """FARSI's convention: an IP unrolled L = min(unroll, trip count) times runs L times
    faster at the design's clock and costs L x energy and L x area."""
    ip = AcceleratorIP(1000, 3e-9, 0.1, energy_scales_with_unroll=True)
    g = graph([Task("a", None, iterations=4, accelerator=ip)], [])
    soc = make_soc([PEInstance(ACC, clock_ratio=4.0, unroll=8)], {"a": 0}, {})
    result = simulate(g, soc)
    assert result.latency_s == pytest.approx(1000 / (4 * 1e8) / 4)  # 625 ns
    assert result.compute_energy_j == pytest.approx(4 * 3e-9)
    queue_area = 4 * 256 * SRAM_MM2_PER_BYTE
    assert result.area_mm2 == pytest.approx(0.5 + 4 * 0.1 + 2.0 + 0.25 + queue_area)
    one = simulate(g, make_soc([PEInstance(ACC, clock_ratio=4.0, unroll=1)], {"a": 0}, {}))
    assert one.compute_energy_j == pytest.approx(3e-9)


def test_pe_clock_is_capped_at_its_type_maximum():
    capped = PEType("capped", "gpp", 1e9, energy_per_cycle_j=1e-12, max_clock_ratio=2.0)
    g = graph([Task("a", 1000)], [])
    at_cap = simulate(g, make_soc([PEInstance(capped, clock_ratio=2.0)], {"a": 0}, {}))
    beyond = simulate(g, make_soc([PEInstance(capped, clock_ratio=4.0)], {"a": 0}, {}))
    slower = simulate(g, make_soc([PEInstance(capped, clock_ratio=1.5)], {"a": 0}, {}))
    assert at_cap.latency_s == pytest.approx(1000 / 2e9)
    assert beyond.latency_s == pytest.approx(1000 / 2e9)  # runs at 2 GHz, not 4 GHz
    assert slower.latency_s == pytest.approx(1000 / 1.5e9)


def fork_join() -> TaskGraph:
    return graph(
        [Task("a", 1000), Task("b", 2000), Task("c", 5000), Task("d", 1000)],
        [("a", "b", 0), ("a", "c", 0), ("b", "d", 0), ("c", "d", 0)],
    )


def test_fork_join_on_two_pes_is_the_longest_path():
    soc = make_soc([cpu(), cpu()], {"a": 0, "b": 0, "c": 1, "d": 0}, {})
    assert simulate(fork_join(), soc).latency_s == pytest.approx((1000 + 5000 + 1000) / 1e9)


def test_fork_join_on_one_core_serialises_and_a_dual_core_runs_both():
    one = make_soc([cpu()], {"a": 0, "b": 0, "c": 0, "d": 0}, {})
    assert simulate(fork_join(), one).latency_s == pytest.approx(9000 / 1e9)
    dual = make_soc([cpu(type_=DUAL)], {"a": 0, "b": 0, "c": 0, "d": 0}, {})
    result = simulate(fork_join(), dual)
    assert result.latency_s == pytest.approx(7000 / 1e9)
    assert result.utilisation["pe0"] == pytest.approx(9000 / (2 * 7000))


def two_readers() -> TaskGraph:
    return graph(
        [Task("s1", 0), Task("s2", 0), Task("b", 1000), Task("c", 1000)],
        [("s1", "b", 1000), ("s2", "c", 1000)],
    )


def test_two_transfers_on_one_bus_each_get_half_the_bandwidth():
    soc = make_soc([cpu(), cpu()], {"b": 0, "c": 1}, {"s1": 0, "s2": 0})
    result = simulate(two_readers(), soc)
    # both reads start at t = 0 and share 1 GB/s: 1000 B at 0.5 GB/s = 2 us, then 1 us
    assert result.task_finish_s["b"] == pytest.approx(3e-6)
    assert result.latency_s == pytest.approx(3e-6)
    assert result.utilisation["bus0"] == pytest.approx(2000 / (1e9 * 3e-6))


def test_transfers_on_separate_buses_do_not_share():
    soc = make_soc(
        [cpu(bus=0), cpu(bus=1)],
        {"b": 0, "c": 1},
        {"s1": 0, "s2": 1},
        memories=(MemoryInstance(MEM, bus=0), MemoryInstance(MEM, bus=1)),
        buses=(BusInstance(BUS), BusInstance(BUS)),
    )
    assert simulate(two_readers(), soc).latency_s == pytest.approx(2e-6)


def test_route_crossing_buses_is_limited_and_charged_by_each():
    g = graph([Task("s", 0), Task("c", 1000)], [("s", "c", 1000)])
    soc = make_soc(
        [cpu(bus=2)],
        {"c": 0},
        {"s": 0},
        memories=(MemoryInstance(MEM, bus=0),),
        buses=(BusInstance(BUS), BusInstance(BUS), BusInstance(BUS)),
    )
    result = simulate(g, soc)
    assert result.latency_s == pytest.approx(1e-6 + 1e-6)
    assert result.transfer_energy_j == pytest.approx(1000 * (1e-12 + 3 * 0.5e-12))


def test_queue_depth_and_burst_size_bound_a_latency_bound_flow():
    g = graph(
        [Task("s", 0), Task("c", 0.0, accelerator=AcceleratorIP(0, 0, 0))], [("s", "c", 1000)]
    )
    slow = (MemoryInstance(SLOW),)
    # one 100-byte burst in flight: 100 B per (100 ns transfer + 100 ns latency)
    shallow = make_soc(
        [PEInstance(ACC)],
        {"c": 0},
        {"s": 0},
        memories=slow,
        buses=(BusInstance(BUS, queue=1),),
        burst_bytes=100,
    )
    assert simulate(g, shallow).latency_s == pytest.approx(2e-6)
    # two bursts in flight hide the latency: the bus bandwidth bounds it
    deep = make_soc(
        [PEInstance(ACC)],
        {"c": 0},
        {"s": 0},
        memories=slow,
        buses=(BusInstance(BUS, queue=2),),
        burst_bytes=100,
    )
    assert simulate(g, deep).latency_s == pytest.approx(1e-6)
    # bigger bursts amortise the latency: 1000 B per (1 us + 0.1 us)
    big = make_soc(
        [PEInstance(ACC)],
        {"c": 0},
        {"s": 0},
        memories=slow,
        buses=(BusInstance(BUS, queue=1),),
        burst_bytes=1000,
    )
    assert simulate(g, big).latency_s == pytest.approx(1.1e-6)


def test_max_min_sharing_gives_a_capped_flow_its_cap_and_the_rest_to_the_other():
    rate = np.zeros(2)
    share(
        np.array([0, 1]),
        2,
        np.array([[0], [0]]),
        np.array([1, 1]),
        np.array([2.0, 100.0]),
        np.array([10.0]),
        rate,
    )
    assert rate.tolist() == pytest.approx([2.0, 8.0])


def test_memory_is_freed_once_read_so_a_chain_fits_but_a_fork_overflows():
    small = (MemoryInstance(SMALL),)
    chain = graph([Task("a", 10), Task("b", 10), Task("c", 10)], [("a", "b", 800), ("b", "c", 800)])
    soc = make_soc([cpu()], {"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 0}, memories=small)
    assert simulate(chain, soc).peak_memory_bytes[0] == 800
    fork = graph([Task("a", 10), Task("b", 10), Task("c", 10)], [("a", "b", 600), ("a", "c", 600)])
    with pytest.raises(InvalidDesignError, match=r"mem0 \(small, 1000 bytes\) overflows"):
        simulate(fork, soc)


def test_marker_source_data_is_live_from_the_start():
    g = graph([Task("s", 0), Task("c", 10)], [("s", "c", 1500)])
    soc = make_soc([cpu()], {"c": 0}, {"s": 0}, memories=(MemoryInstance(SMALL),))
    with pytest.raises(InvalidDesignError, match="overflows"):
        simulate(g, soc)


@pytest.mark.parametrize(
    ("soc", "message"),
    [
        (
            make_soc([cpu()], {"a": 1, "b": 0, "c": 0}, {"a": 0, "b": 0}),
            "task 'a' is mapped to pe1, which is not allocated",
        ),
        (
            make_soc([cpu(), PEInstance(ACC)], {"a": 0, "b": 1, "c": 0}, {"a": 0, "b": 0}),
            "task 'b' is mapped to pe1 .*no accelerator IP",
        ),
        (make_soc([cpu()], {"a": 0, "c": 0}, {"a": 0, "b": 0}), "task 'b' is not mapped to any PE"),
        (
            make_soc([cpu()], {"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 2}),
            "output of task 'b' is mapped to mem2, which is not allocated",
        ),
        (
            make_soc(
                [cpu(bus=2)],
                {"a": 0, "b": 0, "c": 0},
                {"a": 0, "b": 0},
                buses=(BusInstance(BUS), None, BusInstance(BUS)),
            ),
            r"pe0 \(on bus2\) cannot reach mem0 \(on bus0\): bus1 is not allocated",
        ),
    ],
)
def test_infeasible_designs_raise_with_the_reason(soc, message):
    with pytest.raises(InvalidDesignError, match=message):
        simulate(chain_graph(), soc)


def test_task_without_core_implementation_cannot_run_on_a_core():
    g = graph([Task("a", None, accelerator=AcceleratorIP(10, 0, 0))], [])
    with pytest.raises(InvalidDesignError, match="no general-purpose implementation"):
        simulate(g, make_soc([cpu()], {"a": 0}, {}))
    assert simulate(g, make_soc([PEInstance(ACC)], {"a": 0}, {})).latency_s == pytest.approx(1e-7)


def test_unused_slots_cost_area_but_no_utilisation():
    soc = make_soc([cpu(), cpu()], {"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 0})
    result = simulate(chain_graph(), soc)
    assert result.utilisation["pe1"] == 0.0
    assert result.utilisation["mem1"] == 0.0
    assert result.area_mm2 == pytest.approx(2.0 + 2.0 + 0.25 + 4 * 256 * SRAM_MM2_PER_BYTE)


def test_clock_ratio_scales_compute_time():
    fast = make_soc([cpu(clock_ratio=2.0)], {"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 0})
    assert simulate(chain_graph(), fast).latency_s == pytest.approx(3e-6 + 3e-6)


def test_a_custom_library_defines_the_design_space():
    from archgym.simulators.soc import SoCSimulator

    sim = SoCSimulator(chain_graph(), TINY_LIBRARY)
    assert sim.design_space["pe0_type"].values == ("cpu", "dual", "acc")
    assert sim.design_space["mem1_type"].values == ("none", "mem", "small", "slow")
    design = sim.baseline_design() | {"pe0_type": "cpu", "mem0_type": "mem", "bus0_type": "bus"}
    assert sim.evaluate(design)["latency_ms"] == pytest.approx(9e-3)


def test_library_rejects_empty_or_duplicate_types():
    from archgym.errors import ConfigError

    with pytest.raises(ConfigError, match="bus_types is empty"):
        HardwareLibrary((CPU,), (MEM,), ())
    with pytest.raises(ConfigError, match="must be unique"):
        HardwareLibrary((CPU, CPU), (MEM,), (BUS,))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: PEType("x", "dsp", 1e9), "kind 'dsp'"),
        (lambda: PEType("x", "gpp", 1e9, cores=0), "cores must be"),
        (lambda: MemoryType("m", "sram", 0, 8, 1e8, 0, 0, 0, 0), "capacity_bytes must be > 0"),
        (lambda: BusType("b", 4, 0.0, 1, 0, 0), "nominal_hz must be > 0"),
    ],
)
def test_block_types_are_validated(build, message):
    from archgym.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        build()
