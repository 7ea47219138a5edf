"""DRAMPower-style energy from IDD currents: per-command energies plus background by state.

Per device, with currents in mA, VDD in V and times in ns (so mA * V * ns = pJ);
the formulas are the ones in REFERENCES.md s2 (DRAMPower's model):

* activate: VDD * (IDD0 - IDD3N) * tRAS; precharge: VDD * (IDD0 - IDD2N) * (tRC - tRAS)
  (together VDD * (IDD0 * tRC - IDD3N * tRAS - IDD2N * (tRC - tRAS)))
* read burst: VDD * (IDD4R - IDD3N) * burst; write burst: VDD * (IDD4W - IDD3N) * burst
* refresh: VDD * (IDD5 - IDD3N) * tRFC; a per-bank refresh (LPDDR4) costs 1/banks of that
* background: VDD * IDD3N while any bank is open (or refreshing), VDD * IDD2N when all are
  precharged, VDD * IDD3P / IDD2P in active / precharged power-down.

A rank's energy is the device energy times the devices per rank.
"""

from __future__ import annotations

from dataclasses import dataclass

from archgym.simulators.dram.spec import MemSpec


@dataclass(frozen=True)
class CommandEnergies:
    """Energy in pJ of one command on a whole rank (all devices)."""

    activate: float
    precharge: float
    read: float
    write: float
    refresh: float
    refresh_per_bank: float


@dataclass(frozen=True)
class BackgroundPowers:
    """Background power in mW of one rank, per state."""

    active: float
    precharged: float
    active_powerdown: float
    precharged_powerdown: float


def command_energies(spec: MemSpec) -> CommandEnergies:
    """Per-command energies of ``spec`` in pJ per rank."""
    t = spec.tck_ns
    scale = spec.vdd * spec.devices
    return CommandEnergies(
        activate=scale * (spec.idd0 - spec.idd3n) * spec.tRAS * t,
        precharge=scale * (spec.idd0 - spec.idd2n) * (spec.tRC - spec.tRAS) * t,
        read=scale * (spec.idd4r - spec.idd3n) * spec.burst_cycles * t,
        write=scale * (spec.idd4w - spec.idd3n) * spec.burst_cycles * t,
        refresh=scale * (spec.idd5 - spec.idd3n) * spec.tRFC * t,
        # A per-bank refresh does one bank's share of an all-bank refresh's work.
        refresh_per_bank=scale * (spec.idd5 - spec.idd3n) * spec.tRFC * t / spec.banks,
    )


def background_powers(spec: MemSpec) -> BackgroundPowers:
    """Background power per state of one rank of ``spec`` in mW."""
    scale = spec.vdd * spec.devices
    return BackgroundPowers(
        active=scale * spec.idd3n,
        precharged=scale * spec.idd2n,
        active_powerdown=scale * spec.idd3p,
        precharged_powerdown=scale * spec.idd2p,
    )


def energy_breakdown_nj(
    spec: MemSpec,
    *,
    activates: int,
    precharges: int,
    reads: int,
    writes: int,
    refreshes: int,
    active_cycles: int,
    per_bank_refreshes: int = 0,
    precharged_cycles: int,
    active_powerdown_cycles: int = 0,
    precharged_powerdown_cycles: int = 0,
) -> dict[str, float]:
    """Energy in nJ by component; cycle counts are summed over ranks. Keys: activate,
    precharge, read, write, refresh, background, total."""
    e = command_energies(spec)
    p = background_powers(spec)
    t = spec.tck_ns
    # mW * ns = pJ
    background = t * (
        p.active * active_cycles
        + p.precharged * precharged_cycles
        + p.active_powerdown * active_powerdown_cycles
        + p.precharged_powerdown * precharged_powerdown_cycles
    )
    parts = {
        "activate": e.activate * activates,
        "precharge": e.precharge * precharges,
        "read": e.read * reads,
        "write": e.write * writes,
        "refresh": e.refresh * refreshes + e.refresh_per_bank * per_bank_refreshes,
        "background": background,
    }
    result = {k: v / 1000.0 for k, v in parts.items()}
    result["total"] = sum(result.values())
    return result
