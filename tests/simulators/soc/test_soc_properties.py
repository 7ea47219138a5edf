"""Laws that hold for every design and graph: random designs and random chains."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.errors import InvalidDesignError
from archgym.simulators.soc import (
    BusInstance,
    BusType,
    Edge,
    MemoryInstance,
    MemoryType,
    PEInstance,
    PEType,
    SoC,
    SoCSimulator,
    Task,
    TaskGraph,
    simulate,
)


@pytest.mark.parametrize("workload", ["audio_decoder", "edge_detection", "camera_pipeline"])
def test_random_designs_simulate_or_raise_invalid_design(workload):
    sim = SoCSimulator(workload)
    rng = np.random.default_rng(1)
    valid = 0
    for design in sim.design_space.sample(rng, 300):
        try:
            result = sim.simulate(design)
        except InvalidDesignError as error:
            assert str(error)
            continue
        valid += 1
        assert max(result.task_finish_s.values()) == pytest.approx(result.latency_s)
        assert all(
            result.task_finish_s[t] >= result.task_start_s[t] >= 0 for t in result.task_start_s
        )
        for edge in sim.graph.edges:  # a consumer never starts before its producer ends
            assert result.task_start_s[edge.consumer] >= result.task_finish_s[edge.producer]
        assert result.energy_j >= result.compute_energy_j > 0
        assert all(0.0 <= u <= 1.0 + 1e-9 for u in result.utilisation.values())
    assert valid > 0


CPU = PEType("cpu", "gpp", 1e9, energy_per_cycle_j=1e-12, area_mm2=1.0)
MEM = MemoryType("mem", "sram", 10**12, 1000, 1e9, 0.0, 1e-12, 1e-12, 1.0)
BUS = BusType("bus", 1, 1e9, 0, 0.0, 0.0)


@settings(max_examples=40, deadline=None)
@given(
    cycles=st.lists(st.integers(0, 10_000), min_size=1, max_size=8),
    sizes=st.lists(st.integers(0, 10_000), min_size=7, max_size=7),
)
def test_a_chain_on_one_core_takes_its_compute_plus_two_transfers_per_edge(cycles, sizes):
    names = [f"t{i}" for i in range(len(cycles))]
    # nonzero work so no task is a marker
    tasks = tuple(Task(n, float(c) + 1) for n, c in zip(names, cycles, strict=True))
    edges = tuple(Edge(names[i], names[i + 1], float(sizes[i])) for i in range(len(names) - 1))
    graph = TaskGraph("chain", tasks, edges)
    soc = SoC(
        (PEInstance(CPU), None, None),
        (MemoryInstance(MEM), None, None),
        (BusInstance(BUS), None, None),
        {n: 0 for n in names},
        {n: 0 for n in names},
    )
    expected = sum(c + 1 for c in cycles) / 1e9 + 2 * sum(e.bytes for e in edges) / 1e9
    assert simulate(graph, soc).latency_s == pytest.approx(expected, rel=1e-9, abs=1e-15)
