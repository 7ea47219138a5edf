"""The read path, hand-computed: the transaction queue in front of the scheduler buffer,
the three read latencies, the command multiplexer and what the scheduler can reorder.

DDR3-1600: tRCD 10, CL 10, burst 4, tCCD 4, tRRD 5, tRP 10, tRAS 28. Refresh is off.
"""

from __future__ import annotations

import numpy as np

from archgym.simulators.dram import (
    ControllerConfig,
    DRAMSimulator,
    Trace,
    builtin_mapping,
    preset_trace,
)
from archgym.simulators.dram.simulator import run


def test_the_transaction_queue_holds_what_the_buffer_cannot(ddr3, address, simulate):
    # Four row hits at cycle 0; a buffer of one and a transaction queue of two: the
    # first enters the buffer, two wait in the queue, and the fourth is accepted only
    # when the first leaves (its RD at 10) and the queue moves up.
    requests = [(0, address(ddr3, bank=0, row=1, column=8 * k), False) for k in range(4)]
    result = simulate(ddr3, requests, request_buffer_size=1, transaction_queue_size=2)
    assert [c for c, k, _, _ in result.commands if k == "RD"] == [10, 14, 18, 22]
    # data at RD + CL + burst; the requester counts from cycle 0, the controller from
    # acceptance (cycle 10 for the fourth), the DRAM from the request's first command
    assert result.read_latency_cycles.tolist() == [24, 28, 32, 36]
    assert result.read_controller_latency_cycles.tolist() == [24, 28, 32, 26]
    hit = ddr3.CL + ddr3.burst_cycles
    assert result.read_service_latency_cycles.tolist() == [ddr3.tRCD + hit, hit, hit, hit]
    metrics = result.metrics
    assert metrics["latency_ns"] == 30 * ddr3.tck_ns
    assert metrics["controller_latency_ns"] == 27.5 * ddr3.tck_ns
    assert metrics["service_latency_ns"] == (24 + 3 * 14) / 4 * ddr3.tck_ns


def test_three_latencies_of_a_row_conflict_behind_a_throttled_initiator(ddr3, address, simulate):
    # Two reads to rows 1 and 2 of bank 3 at cycle 0, one outstanding at a time: the
    # second is accepted when the first's data returns (24); its row is opened after a
    # precharge at tRAS (28): PRE 28, ACT 38, RD 48, data at 62.
    requests = [(0, address(ddr3, bank=3, row=1), False), (0, address(ddr3, bank=3, row=2), False)]
    result = simulate(ddr3, requests, max_active_transactions=1)
    assert [(c, k) for c, k, _, _ in result.commands] == [
        (0, "ACT"),
        (10, "RD"),
        (ddr3.tRAS, "PRE"),
        (38, "ACT"),
        (48, "RD"),
    ]
    assert result.read_latency_cycles.tolist() == [24, 62]
    assert result.read_controller_latency_cycles.tolist() == [24, 62 - 24]
    conflict = ddr3.tRP + ddr3.tRCD + ddr3.CL + ddr3.burst_cycles
    assert result.read_service_latency_cycles.tolist() == [24, conflict]


def test_round_robin_serves_the_bank_after_the_last_one_served(ddr3, address, simulate):
    # Both ACTs are ready at cycle 0. Oldest (DRAMSys) serves the older request (bank 3);
    # RoundRobin (DRAMsim3) starts after the last bank, so bank 1 comes before bank 3.
    requests = [(0, address(ddr3, bank=3, row=1), False), (0, address(ddr3, bank=1, row=1), False)]
    oldest = simulate(ddr3, requests, cmd_mux="Oldest")
    turns = simulate(ddr3, requests, cmd_mux="RoundRobin")
    assert [(c, b) for c, k, b, _ in oldest.commands if k == "ACT"] == [(0, 3), (ddr3.tRRD_S, 1)]
    assert [(c, b) for c, k, b, _ in turns.commands if k == "ACT"] == [(0, 1), (ddr3.tRRD_S, 3)]


def _two_streams_in_one_bank(spec, n):
    """Reads alternating between two sequential streams in rows 1 and 2 of bank 0."""
    mapping = builtin_mapping("rbc", spec)
    k = np.arange(n)
    column = (k // 2) % spec.columns
    row = 1 + k % 2
    address = (row << mapping.row[0]) | (column << mapping.column[0])
    return Trace("two-streams", k, address.astype(np.uint64), np.zeros(n, dtype=bool))


def test_the_scheduler_matters_when_a_bank_sees_two_streams(ddr3):
    # In FIFO order every read closes the other stream's row; FR-FCFS serves the open
    # row's reads first, out of order, and most accesses become row hits.
    trace = _two_streams_in_one_bank(ddr3, 2000)
    mapping = builtin_mapping("rbc", ddr3)
    runs = {
        s: run(ddr3, mapping, ControllerConfig(scheduler=s, refresh_policy="NoRefresh"), trace)
        for s in ("Fifo", "FrFcfs")
    }
    fifo, frfcfs = runs["Fifo"], runs["FrFcfs"]
    assert fifo.metrics["row_hit_rate"] == 0.0 and fifo.counts["reordered"] == 0
    assert frfcfs.metrics["row_hit_rate"] > 0.8
    assert frfcfs.counts["reordered"] > 0.3 * len(trace)
    assert frfcfs.metrics["sim_time_ns"] < 0.4 * fifo.metrics["sim_time_ns"]


def test_cloud_traces_give_the_scheduler_little_to_reorder():
    # cloud-1's sequential blocks reach each bank in row order and its random blocks
    # almost never put two requests for one row in one bank queue. FR-FCFS can only
    # serve a later sequential block's row hits ahead of a random request queued
    # between two blocks of the same row: a few percent of the requests, about 1% of
    # the run time (a two-stream bank, above, gives it half the requests and 60%).
    sim = DRAMSimulator()
    trace = preset_trace("cloud-1", 3000)
    design = sim.default_design()
    fifo = sim.simulate(dict(design, Scheduler="Fifo"), trace)
    frfcfs = sim.simulate(dict(design, Scheduler="FrFcfs"), trace)
    assert 0 < frfcfs.counts["reordered"] < 0.15 * len(trace)
    assert fifo.counts["reordered"] == 0
    saved = 1 - frfcfs.metrics["sim_time_ns"] / fifo.metrics["sim_time_ns"]
    assert 0 < saved < 0.03
