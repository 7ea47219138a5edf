"""The model against Timeloop+Accelergy's eyeriss_like reference run (REFERENCES.md s3).

Same layer, same mapping (read from Timeloop's map.yaml), our own energy tables: total
energy per MAC and cycles within 20%, and the levels ranked by energy as Timeloop does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archgym.simulators.accelerator import evaluate, read_timeloop_problem, timeloop_reference
from archgym.simulators.accelerator.mapping import read_timeloop_map

LEVELS = ("mac", "psum_spad", "weights_spad", "ifmap_spad", "shared_glb", "DRAM")


def timeloop_summary(stats: Path) -> tuple[dict[str, float], float]:
    """Per-level fJ/MAC and the cycle count from a timeloop-mapper.stats.txt."""
    text = stats.read_text()
    cycles = float(re.search(r"Summary Stats.*?\nCycles: (\d+)", text, re.S).group(1))
    section = text.split("fJ/Compute", 1)[1]
    per_mac = {
        name: float(value) / 1000
        for name, value in re.findall(r"^\s+(\w+)\s+= ([\d.]+)$", section, re.M)
    }
    return per_mac, cycles


@pytest.fixture(scope="module")
def reference(timeloop_reference_dir):
    layer = read_timeloop_problem(timeloop_reference_dir / "parsed-processed-input.yaml")
    mapping = read_timeloop_map(timeloop_reference_dir / "timeloop-mapper.map.yaml", layer)
    ours = evaluate(layer, timeloop_reference(), mapping)
    theirs, cycles = timeloop_summary(timeloop_reference_dir / "timeloop-mapper.stats.txt")
    return layer, ours, theirs, cycles


def test_reference_layer_and_mapping(reference):
    layer, ours, _, _ = reference
    assert layer.macs == 10_838_016
    assert ours.used_pes == 126


def test_energy_per_mac_within_20_percent(reference):
    _, ours, theirs, _ = reference
    assert theirs["Total"] == pytest.approx(5.46965)
    assert ours.energy_per_mac_pj == pytest.approx(theirs["Total"], rel=0.20)


def test_cycles_within_20_percent(reference):
    _, ours, _, cycles = reference
    assert cycles == 86016
    assert ours.cycles == pytest.approx(cycles, rel=0.20)
    assert ours.utilisation == pytest.approx(0.75, rel=0.20)


def test_energy_ranking_matches_timeloop(reference):
    _, ours, theirs, _ = reference
    breakdown = {k if k != "dram" else "DRAM": v for k, v in ours.energy_breakdown_pj.items()}
    ours_rank = sorted(LEVELS, key=lambda k: -breakdown[k])
    theirs_rank = sorted(LEVELS, key=lambda k: -theirs[k])
    assert ours_rank == theirs_rank


def test_access_counts_equal_timeloop(reference):
    # scalar accesses summed over instances, Timeloop stats (per-instance x 126 instances)
    _, ours, _, _ = reference
    acc = ours.accesses
    assert acc[("psum_spad", "Outputs")]["reads"] == 57344 * 126
    assert acc[("psum_spad", "Outputs")]["updates"] == 86016 * 126
    assert acc[("weights_spad", "Weights")]["fills"] == 1536 * 126
    assert acc[("ifmap_spad", "Inputs")]["fills"] == 10752 * 126
    assert acc[("shared_glb", "Inputs")] == {"reads": 1354752, "fills": 157296, "updates": 0}
    assert acc[("shared_glb", "Outputs")]["updates"] == 401408
    assert acc[("dram", "Weights")]["reads"] == 13824
    assert acc[("dram", "Inputs")]["reads"] == 157296
    assert acc[("dram", "Outputs")]["updates"] == 401408
