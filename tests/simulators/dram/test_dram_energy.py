"""Energy summed by hand from the IDD formulas (REFERENCES.md s2) for fixed command sequences."""

from __future__ import annotations

import pytest

from archgym.simulators.dram.energy import command_energies


def _hand_energy_nj(spec, *, acts, pres, reads, active_cycles, precharged_cycles=0):
    """DRAMPower-style sum, written out independently of archgym.simulators.dram.energy."""
    tck = 1000.0 / spec.clock_mhz  # ns
    vdd, n = spec.vdd, spec.devices
    e_act = vdd * (spec.idd0 - spec.idd3n) * spec.tRAS * tck
    e_pre = vdd * (spec.idd0 - spec.idd2n) * (spec.tRC - spec.tRAS) * tck
    e_rd = vdd * (spec.idd4r - spec.idd3n) * (spec.burst_length / spec.data_rate) * tck
    background = vdd * (spec.idd3n * active_cycles + spec.idd2n * precharged_cycles) * tck
    return n * (acts * e_act + pres * e_pre + reads * e_rd + background) / 1000.0


def test_activate_precharge_pair_matches_reference_formula(ddr4):
    # REFERENCES.md s2: VDD * (IDD0 tRC - IDD3N tRAS - IDD2N (tRC - tRAS)), about 1.0 nJ
    e = command_energies(ddr4)
    pair_per_device_nj = (e.activate + e.precharge) / ddr4.devices / 1000
    assert pair_per_device_nj == pytest.approx(1.0, rel=0.05)
    assert e.read / ddr4.devices / 1000 == pytest.approx(0.56, rel=0.05)  # REFERENCES.md s2


def test_open_page_row_hits_energy_by_hand(ddr3, address, simulate):
    # 16 reads to one row at cycle 0: one ACT, 16 RD, no PRE; the rank is active from
    # the ACT at 0 until the last burst ends at 10 + 4 * 15 + CL + burst = 84.
    reqs = [(0, address(ddr3, bank=0, row=9, column=8 * c), False) for c in range(16)]
    result = simulate(ddr3, reqs)
    end = ddr3.tRCD + ddr3.tCCD_S * 15 + ddr3.CL + ddr3.burst_cycles
    assert result.counts["end_cycle"] == end
    expected = _hand_energy_nj(ddr3, acts=1, pres=0, reads=16, active_cycles=end)
    assert result.metrics["energy_nj"] == pytest.approx(expected, rel=0.01)
    assert result.metrics["power_mw"] == pytest.approx(
        expected / (end * ddr3.tck_ns) * 1000, rel=0.01
    )


def test_closed_page_sequence_energy_by_hand(ddr3, address, simulate):
    # Two reads to different banks 200 cycles apart with auto-precharge. Each: ACT, RDA,
    # internal PRE at tRAS; the rank is active from ACT to PRE (tRAS = 28 cycles).
    reqs = [(0, address(ddr3, bank=0, row=1), False), (200, address(ddr3, bank=5, row=2), False)]
    result = simulate(ddr3, reqs, page_policy="Closed")
    end = 200 + ddr3.tRCD + ddr3.CL + ddr3.burst_cycles
    assert result.counts["end_cycle"] == end
    active = 2 * ddr3.tRAS - (ddr3.tRAS - (ddr3.tRCD + ddr3.CL + ddr3.burst_cycles))
    # the second bank's precharge (at 200 + tRAS) falls after the end of the run
    expected = _hand_energy_nj(
        ddr3, acts=2, pres=2, reads=2, active_cycles=active, precharged_cycles=end - active
    )
    assert result.metrics["energy_nj"] == pytest.approx(expected, rel=0.01)


def test_refresh_energy_by_hand(ddr3, address, simulate):
    reqs = [(1, address(ddr3, row=1), False), (ddr3.tREFI + 1, address(ddr3, row=1), False)]
    with_ref = simulate(ddr3, reqs, refresh_policy="AllBank", refresh_max_postponed=0)
    e_ref_nj = ddr3.devices * ddr3.vdd * (ddr3.idd5 - ddr3.idd3n) * ddr3.tRFC * ddr3.tck_ns / 1000.0
    assert with_ref.energy_nj["refresh"] == pytest.approx(e_ref_nj, rel=1e-9)
    assert with_ref.counts["refreshes"] == 1


def test_staggered_power_down_cuts_background_power(ddr3, address, simulate):
    reqs = [(k * 500, address(ddr3, bank=k % 8, row=k), False) for k in range(20)]
    awake = simulate(ddr3, reqs)
    asleep = simulate(ddr3, reqs, power_down_policy="Staggered")
    assert asleep.counts["powerdown_entries"] == 19
    powered_down = asleep.counts["active_powerdown_cycles"]
    assert powered_down > 0.9 * asleep.counts["end_cycle"]  # rows stay open: active PD
    assert asleep.energy_nj["background"] < awake.energy_nj["background"]
    closed = simulate(ddr3, reqs, power_down_policy="Staggered", page_policy="Closed")
    assert closed.counts["precharged_powerdown_cycles"] > 0.9 * closed.counts["end_cycle"]
    assert closed.energy_nj["background"] < asleep.energy_nj["background"]
    # waking up costs tXP on the first command after each idle period
    assert asleep.read_latency_cycles[1] == awake.read_latency_cycles[1] + ddr3.tXP
