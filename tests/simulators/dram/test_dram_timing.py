"""Hand-computed timing cases: every number below follows from the memspec's timings.

DDR3-1600: tRCD 10, CL 10, burst 4 (BL8), tRP 10, tRAS 28, tRRD 5, tFAW 24, tRFC 88,
tREFI 6240, CWL 8. DDR4-2400: tRCD 16, CL 16, CWL 16, tRRD_S 4, tRRD_L 6, tWTR_S 3,
tWTR_L 9. Latencies are in clock cycles.
"""

from __future__ import annotations

import numpy as np
import pytest

from archgym.simulators.dram import (
    ControllerConfig,
    Trace,
    builtin_mapping,
    get_memspec,
    stream_trace,
)
from archgym.simulators.dram.simulator import run


def _times(result, kind):
    return [c for c, k, _, _ in result.commands if k == kind]


def test_read_to_idle_bank_takes_trcd_cl_burst(ddr3, address, simulate):
    result = simulate(ddr3, [(0, address(ddr3, bank=0, row=5), False)])
    assert result.read_latency_cycles.tolist() == [ddr3.tRCD + ddr3.CL + ddr3.burst_cycles]
    assert [k for _, k, _, _ in result.commands] == ["ACT", "RD"]


def test_row_hit_takes_cl_burst(ddr3, address, simulate):
    first = address(ddr3, bank=2, row=7, column=0)
    second = address(ddr3, bank=2, row=7, column=8)
    result = simulate(ddr3, [(0, first, False), (100, second, False)])
    assert result.read_latency_cycles[1] == ddr3.CL + ddr3.burst_cycles
    assert result.metrics["row_hit_rate"] == 0.5


def test_row_conflict_adds_trp(ddr3, address, simulate):
    first = address(ddr3, bank=3, row=1)
    second = address(ddr3, bank=3, row=2)
    result = simulate(ddr3, [(0, first, False), (100, second, False)])
    idle = ddr3.tRCD + ddr3.CL + ddr3.burst_cycles
    assert result.read_latency_cycles[1] == ddr3.tRP + idle
    assert _times(result, "PRE") == [100]


def test_fifth_activate_waits_for_tfaw(ddr3, address, simulate):
    requests = [(0, address(ddr3, bank=b, row=1), False) for b in range(5)]
    result = simulate(ddr3, requests)
    acts = _times(result, "ACT")
    assert len(acts) == 5
    assert acts[4] == acts[0] + ddr3.tFAW
    assert acts[4] > acts[3] + ddr3.tRRD_S  # tFAW, not tRRD, is what holds it back
    assert all(b - a >= ddr3.tRRD_S for a, b in zip(acts, acts[1:], strict=False))


def test_refresh_every_trefi_blocks_trfc(ddr3, address, simulate):
    refi = ddr3.tREFI
    requests = [(k * refi + 1, address(ddr3, bank=0, row=3), False) for k in range(5)]
    result = simulate(ddr3, requests, refresh_policy="AllBank", refresh_max_postponed=0)
    # The row left open by each read is closed at the boundary, then REF, then tRFC.
    assert _times(result, "PREA") == [k * refi for k in range(1, 5)]
    assert _times(result, "REF") == [k * refi + ddr3.tRP for k in range(1, 5)]
    assert result.metrics["refresh_count"] == 4
    blocked = ddr3.tRP + ddr3.tRFC - 1  # from arrival (boundary + 1) to the end of tRFC
    idle = ddr3.tRCD + ddr3.CL + ddr3.burst_cycles
    assert result.read_latency_cycles[1:].tolist() == [blocked + idle] * 4
    acts = _times(result, "ACT")
    assert acts[1:] == [k * refi + ddr3.tRP + ddr3.tRFC for k in range(1, 5)]


def test_postponed_refresh_waits_one_interval_under_load(ddr3, address, simulate):
    # Back-to-back reads for 1.5 refresh intervals: with one postponement allowed the
    # refresh due at tREFI is issued only when the second is due, at 2 tREFI.
    n = 3 * ddr3.tREFI // 2 // ddr3.burst_cycles
    requests = [(i, address(ddr3, row=i // 128, column=(i % 128) * 8), False) for i in range(n)]
    strict = simulate(ddr3, requests, refresh_policy="AllBank", refresh_max_postponed=0)
    relaxed = simulate(ddr3, requests, refresh_policy="AllBank", refresh_max_postponed=1)
    assert strict.metrics["refresh_count"] == 1
    assert relaxed.metrics["refresh_count"] == 0
    assert relaxed.metrics["sim_time_ns"] < strict.metrics["sim_time_ns"]


def test_write_then_read_same_bank_group_waits_twtr_l(ddr4, address, simulate):
    # The write finds no read waiting and drains at once; the read comes a cycle later.
    write = address(ddr4, bank_group=0, bank=0, row=1)
    same_group = address(ddr4, bank_group=0, bank=1, row=1)
    other_group = address(ddr4, bank_group=1, bank=0, row=1)
    end_of_write = ddr4.CWL + ddr4.burst_cycles
    for target, wtr in ((same_group, ddr4.tWTR_L), (other_group, ddr4.tWTR_S)):
        result = simulate(ddr4, [(0, write, True), (1, target, False)])
        (wr,) = _times(result, "WR")
        (rd,) = _times(result, "RD")
        assert rd - wr == end_of_write + wtr
        assert result.read_latency_cycles[0] == rd + ddr4.CL + ddr4.burst_cycles - 1


def test_activates_in_one_bank_group_wait_trrd_l(ddr4, address, simulate):
    same = simulate(ddr4, [(0, address(ddr4, 0, 0, 1), False), (0, address(ddr4, 0, 1, 1), False)])
    other = simulate(ddr4, [(0, address(ddr4, 0, 0, 1), False), (0, address(ddr4, 1, 0, 1), False)])
    assert _times(same, "ACT") == [0, ddr4.tRRD_L]
    assert _times(other, "ACT") == [0, ddr4.tRRD_S]


def test_reads_in_one_bank_group_wait_tccd_l(ddr4, address, simulate):
    hits = [(0, address(ddr4, 0, 0, 1, column=8 * c), False) for c in range(3)]
    result = simulate(ddr4, hits)
    rds = _times(result, "RD")
    assert [b - a for a, b in zip(rds, rds[1:], strict=False)] == [ddr4.tCCD_L] * 2


def test_read_to_write_turnaround(ddr3, address, simulate):
    a = address(ddr3, bank=0, row=1, column=0)
    b = address(ddr3, bank=0, row=1, column=8)
    result = simulate(ddr3, [(0, a, False), (0, b, True)])
    (rd,) = _times(result, "RD")
    (wr,) = _times(result, "WR")
    assert wr - rd == ddr3.RL + ddr3.burst_cycles + 2 - ddr3.WL


def test_precharge_after_write_waits_write_recovery(ddr3, address, simulate):
    a = address(ddr3, bank=1, row=1)
    b = address(ddr3, bank=1, row=2)
    result = simulate(ddr3, [(0, a, True), (1, b, False)])
    (wr,) = _times(result, "WR")
    (pre,) = _times(result, "PRE")
    assert pre - wr == ddr3.WL + ddr3.burst_cycles + ddr3.tWR


def test_closed_page_auto_precharges_and_reactivates(ddr3, address, simulate):
    a = address(ddr3, bank=0, row=1, column=0)
    b = address(ddr3, bank=0, row=1, column=8)
    result = simulate(ddr3, [(0, a, False), (0, b, False)], page_policy="Closed")
    acts = _times(result, "ACT")
    # The second ACT waits for tRC after the first (auto-precharge at tRAS, then tRP).
    assert acts == [0, ddr3.tRAS + ddr3.tRP]
    assert result.metrics["row_hit_rate"] == 0.0
    assert result.counts["precharges"] == 2


def test_precharge_waits_tras_and_trtp(ddr3, address, simulate):
    # Conflict right away: PRE waits tRAS after the ACT (tRAS 28 > tRCD + tRTP = 16).
    a = address(ddr3, bank=1, row=1)
    b = address(ddr3, bank=1, row=2)
    early = simulate(ddr3, [(0, a, False), (0, b, False)])
    assert _times(early, "PRE") == [ddr3.tRAS]
    # A read at 40 to the open row, then a conflict: PRE waits tRTP after that read.
    hit = address(ddr3, bank=1, row=1, column=8)
    late = simulate(ddr3, [(0, a, False), (40, hit, False), (40, b, False)])
    (pre,) = _times(late, "PRE")
    assert pre == 40 + ddr3.tRTP


def test_activates_to_one_bank_wait_trc(ddr3, address, simulate):
    rows = [(0, address(ddr3, bank=4, row=r), False) for r in (1, 2)]
    result = simulate(ddr3, rows, page_policy="Closed")
    assert _times(result, "ACT") == [0, ddr3.tRC]


def test_one_command_per_cycle(ddr3, address, simulate):
    # Two banks whose ACTs are both ready at cycle 0: the younger request's ACT goes
    # at tRRD; two RDs that would both be ready at cycle 10 are one cycle apart.
    reqs = [(0, address(ddr3, bank=0, row=1), False), (0, address(ddr3, bank=1, row=1), False)]
    result = simulate(ddr3, reqs)
    cycles = [c for c, _, _, _ in result.commands]
    assert len(cycles) == len(set(cycles))


def test_fr_fcfs_serves_row_hits_first(ddr3, address, simulate):
    a = address(ddr3, bank=0, row=1)
    b = address(ddr3, bank=0, row=2)
    c = address(ddr3, bank=0, row=1, column=8)
    requests = [(0, a, False), (0, b, False), (0, c, False)]
    fifo = simulate(ddr3, requests, scheduler="Fifo")
    frfcfs = simulate(ddr3, requests, scheduler="FrFcfs")
    assert [q for _, k, _, q in fifo.commands if k == "RD"] == [0, 1, 2]
    assert [q for _, k, _, q in frfcfs.commands if k == "RD"] == [0, 2, 1]
    assert frfcfs.metrics["row_hit_rate"] == pytest.approx(1 / 3)
    assert fifo.metrics["row_hit_rate"] == 0.0


def test_grouping_reads_and_writes_saves_turnarounds(ddr3):
    # With writes leaving the write buffer one by one (high watermark 1), FrFcfsGrp's
    # same-direction row hits save most bus turnarounds; batches of 32 save them anyway.
    trace = stream_trace(4000, read_ratio=0.5, seed=2)
    mapping = builtin_mapping("rbc", ddr3)
    turns, times = {}, {}
    for scheduler in ("FrFcfs", "FrFcfsGrp"):
        for high in (1, 32):
            config = ControllerConfig(
                scheduler=scheduler, refresh_policy="NoRefresh", write_high_watermark=high
            )
            result = run(ddr3, mapping, config, trace)
            turns[scheduler, high] = result.counts["turnarounds"]
            times[scheduler, high] = result.metrics["sim_time_ns"]
    assert turns["FrFcfsGrp", 1] < 0.3 * turns["FrFcfs", 1]
    assert times["FrFcfsGrp", 1] < 0.8 * times["FrFcfs", 1]
    assert turns["FrFcfs", 32] < 0.2 * turns["FrFcfs", 1]


def test_adaptive_page_policies(ddr3, address, simulate):
    a = address(ddr3, bank=0, row=1)
    hit = address(ddr3, bank=0, row=1, column=8)
    miss = address(ddr3, bank=0, row=2)
    # OpenAdaptive closes after A because only a miss waits; Open keeps the row.
    open_ = simulate(ddr3, [(0, a, False), (0, miss, False)], page_policy="Open")
    adaptive = simulate(ddr3, [(0, a, False), (0, miss, False)], page_policy="OpenAdaptive")
    assert open_.counts["precharges"] == 1 and "PRE" in [k for _, k, _, _ in open_.commands]
    assert "PRE" not in [k for _, k, _, _ in adaptive.commands]  # auto-precharge instead
    assert adaptive.counts["precharges"] == 1
    # ClosedAdaptive keeps the row open for a waiting hit; Closed does not.
    closed = simulate(ddr3, [(0, a, False), (0, hit, False)], page_policy="Closed")
    kept = simulate(ddr3, [(0, a, False), (0, hit, False)], page_policy="ClosedAdaptive")
    assert closed.metrics["row_hit_rate"] == 0.0
    assert kept.metrics["row_hit_rate"] == 0.5


def test_per_bank_refresh_blocks_only_its_bank():
    # LPDDR4-3200: tREFIpb 780, tRFCpb 224, tRPpb 29, tRCD 29, RL 28, burst 8 cycles.
    lp = get_memspec("LPDDR4-3200")
    m = builtin_mapping("rbc", lp)

    def addr(bank, row):
        return (bank << m.bank[0]) | (row << m.row[0])

    p = lp.tREFI_PB
    reqs = [(1, addr(0, 1), False), (p + 1, addr(0, 1), False), (p + 1, addr(1, 1), False)]
    trace = Trace(
        "pb",
        np.array([r[0] for r in reqs]),
        np.array([r[1] for r in reqs], dtype=np.uint64),
        np.array([r[2] for r in reqs]),
    )
    config = ControllerConfig(refresh_policy="PerBank", refresh_max_postponed=0)
    result = run(lp, m, config, trace, command_log=50)
    # bank 0 (first in the round robin) is precharged at the boundary, then refreshed
    assert "PRE" in [k for c, k, b, _ in result.commands if c == p and b == 0]
    assert _times(result, "REFPB") == [p + lp.tRP]
    idle = lp.tRCD + lp.RL + lp.burst_cycles
    latencies = result.read_latency_cycles.tolist()
    assert latencies[2] == idle  # bank 1 is not blocked
    assert latencies[1] == lp.tRP + lp.tRFC_PB - 1 + idle
    assert result.counts["per_bank_refreshes"] == 1


def test_precharge_all_uses_trp_ab():
    lp = get_memspec("LPDDR4-3200")
    m = builtin_mapping("rbc", lp)
    trace = Trace(
        "ab",
        np.array([1, lp.tREFI + 1]),
        np.array([1 << 14, 1 << 14], dtype=np.uint64),
        np.array([False, False]),
    )
    config = ControllerConfig(refresh_policy="AllBank", refresh_max_postponed=0)
    result = run(lp, m, config, trace, command_log=50)
    assert _times(result, "PREA") == [lp.tREFI]
    assert _times(result, "REF") == [lp.tREFI + lp.tRP_AB]
    assert lp.tRP_AB > lp.tRP
