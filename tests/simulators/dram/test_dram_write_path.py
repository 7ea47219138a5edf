"""The write path, hand-computed: posted writes, batch drains between the watermarks,
and the bus turnarounds (tRTW, tWTR) at a batch boundary.

DDR3-1600: tRCD 10, CL = RL 10, CWL = WL 8, burst 4 cycles (BL8), tCCD 4, tRRD 5,
tWTR 6. Read-to-write turnaround tRTW = RL + burst + 2 - WL = 8; a read after a write
waits WL + burst + tWTR = 18 after the write command. Refresh is off.
"""

from __future__ import annotations

import pytest

from archgym.errors import ConfigError
from archgym.simulators.dram import ControllerConfig, builtin_mapping, stream_trace
from archgym.simulators.dram.simulator import run


def _columns(result):
    """(cycle, RD|WR, request) of every column command."""
    return [(c, k, q) for c, k, _, q in result.commands if k in ("RD", "WR")]


def _lines(address, spec, bank, count, row=1, first=0, is_write=False):
    return [
        (0, address(spec, bank=bank, row=row, column=8 * (first + k)), is_write)
        for k in range(count)
    ]


def test_writes_wait_for_the_reads_then_drain_as_one_batch(ddr3, address, simulate):
    # Four writes, then four reads, all at cycle 0, to one open row. Below the high
    # watermark the writes wait while reads are pending; once the last read leaves the
    # scheduler buffer (RD at 22) no read waits and the batch drains, paying one
    # read-to-write turnaround.
    writes = _lines(address, ddr3, bank=0, count=4, first=8, is_write=True)
    reads = _lines(address, ddr3, bank=0, count=4)
    result = simulate(ddr3, writes + reads, write_buffer_size=8, write_high_watermark=8)
    rtw = ddr3.RL + ddr3.burst_cycles + 2 - ddr3.WL
    assert rtw == 8
    assert _columns(result) == [
        (10, "RD", 4),
        (14, "RD", 5),
        (18, "RD", 6),
        (22, "RD", 7),
        (22 + rtw, "WR", 0),
        (34, "WR", 1),
        (38, "WR", 2),
        (42, "WR", 3),
    ]
    assert result.counts["write_drains"] == 1
    assert result.counts["turnarounds"] == 1
    # posted writes: the reads' latencies are those of four row hits behind one ACT
    assert result.read_latency_cycles.tolist() == [24, 28, 32, 36]


def test_a_full_batch_drains_first_and_the_next_read_waits_twtr(ddr3, address, simulate):
    # Write buffer of 4 = high watermark: the four writes (bank 1) drain at once although
    # reads (bank 0) wait; the first read after the batch waits WL + burst + tWTR after
    # the batch's last write (22 + 18 = 40), not after each write.
    writes = _lines(address, ddr3, bank=1, count=4, is_write=True)
    reads = _lines(address, ddr3, bank=0, count=4)
    result = simulate(ddr3, writes + reads, write_buffer_size=4, write_high_watermark=4)
    wtr = ddr3.WL + ddr3.burst_cycles + ddr3.tWTR_S
    assert [(c, k) for c, k, _, _ in result.commands if k == "ACT"] == [(0, "ACT"), (5, "ACT")]
    assert _columns(result) == [
        (10, "WR", 0),
        (14, "WR", 1),
        (18, "WR", 2),
        (22, "WR", 3),
        (22 + wtr, "RD", 4),
        (44, "RD", 5),
        (48, "RD", 6),
        (52, "RD", 7),
    ]
    assert result.read_latency_cycles.tolist() == [54, 58, 62, 66]


def test_the_drain_stops_at_the_low_watermark_while_reads_wait(ddr3, address, simulate):
    # Six writes (bank 1), four reads (bank 0), a buffer of one entry per bank: writes
    # leave the write buffer one at a time; at two left (the low watermark) with reads
    # waiting, the controller turns to the reads; the last two writes drain when the
    # reads are done (RD at 52, then tRTW).
    writes = _lines(address, ddr3, bank=1, count=6, is_write=True)
    reads = _lines(address, ddr3, bank=0, count=4)
    result = simulate(
        ddr3,
        writes + reads,
        request_buffer_size=1,
        write_buffer_size=8,
        write_high_watermark=4,
        write_low_watermark=2,
    )
    assert _columns(result) == [
        (10, "WR", 0),
        (14, "WR", 1),
        (18, "WR", 2),
        (22, "WR", 3),
        (40, "RD", 6),
        (44, "RD", 7),
        (48, "RD", 8),
        (52, "RD", 9),
        (60, "WR", 4),
        (64, "WR", 5),
    ]
    assert result.counts["write_drains"] == 2


def test_a_posted_write_does_not_hold_the_initiator(ddr3, address, simulate):
    # One outstanding request at a time: the write is acknowledged on acceptance, so the
    # read behind it is accepted at once and served first; the write drains afterwards.
    requests = [(0, address(ddr3, bank=1, row=1), True), (0, address(ddr3, bank=2, row=1), False)]
    result = simulate(ddr3, requests, max_active_transactions=1)
    assert _columns(result) == [(10, "RD", 1), (21, "WR", 0)]
    assert result.read_latency_cycles.tolist() == [ddr3.tRCD + ddr3.CL + ddr3.burst_cycles]


def test_batches_cut_turnarounds_and_time(ddr3):
    # A 50% write stream: draining at every write (high watermark 1) turns the bus
    # around hundreds of times; batches of 32 a few dozen times.
    trace = stream_trace(4000, read_ratio=0.5, seed=2)
    mapping = builtin_mapping("rbc", ddr3)
    runs = {
        high: run(
            ddr3,
            mapping,
            ControllerConfig(refresh_policy="NoRefresh", write_high_watermark=high),
            trace,
        )
        for high in (1, 32)
    }
    assert runs[32].counts["turnarounds"] < runs[1].counts["turnarounds"] / 5
    assert runs[32].metrics["sim_time_ns"] < 0.85 * runs[1].metrics["sim_time_ns"]
    assert runs[32].counts["write_drains"] < runs[1].counts["write_drains"] / 5


@pytest.mark.parametrize(("low", "high", "size"), [(4, 4, 32), (0, 33, 32), (5, 2, 32)])
def test_watermarks_must_be_ordered(low, high, size):
    with pytest.raises(ConfigError, match="watermark"):
        ControllerConfig(write_low_watermark=low, write_high_watermark=high, write_buffer_size=size)
