"""SoCSimulator: the FARSIGym design space, its encodings, and what every knob does."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulators.soc import SoCSimulator, load_workload

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def audio() -> SoCSimulator:
    return SoCSimulator("audio_decoder")


def spread(sim: SoCSimulator, pe_types, mem_types, bus_types, **overrides):
    """All three slots of each kind allocated, each on its own bus, tasks and data
    dealt round-robin; latency-sensitive settings (queue 1) so every knob shows."""
    design = sim.baseline_design()
    for s in range(3):
        design |= {
            f"pe{s}_type": pe_types[s],
            f"pe{s}_bus": s,
            f"pe{s}_unroll": 4,
            f"mem{s}_type": mem_types[s],
            f"mem{s}_bus": s,
            f"bus{s}_type": bus_types[s],
            f"bus{s}_queue": 1,
        }
    for i, task in enumerate(sim.mapped_tasks):
        design[f"pe_of_{task}"] = i % 3
    for i, task in enumerate(sim.stored_tasks):
        design[f"mem_of_{task}"] = i % 3
    design |= overrides
    return design


def bases(sim: SoCSimulator):
    return [
        spread(
            sim,
            ("A53", "IP", "A53x2"),
            ("sram_1MiB", "lpddr4", "sram_256KiB"),
            ("axi32", "axi64", "axi128"),
        ),
        spread(
            sim,
            ("IP", "A53x2", "IP"),
            ("lpddr4", "sram_4MiB", "sram_1MiB"),
            ("axi128", "noc256", "axi32"),
        ),
    ]


def test_design_space_is_flat_and_encodable(audio):
    space = audio.design_space
    n_tasks = len(audio.mapped_tasks)
    assert len(space) == 3 * 4 + 3 * 3 + 3 * 3 + 1 + n_tasks + len(audio.stored_tasks)
    design = audio.baseline_design()
    assert space.from_indices(space.to_indices(design)) == design
    md = space.multidiscrete_space()
    assert md.nvec.tolist() == space.nvec.tolist()
    assert space["pe0_type"].values == ("A53", "A53x2", "IP")  # slot 0 always allocated
    assert space["pe1_type"].values[0] == "none"


def test_every_knob_changes_a_metric_on_some_design(audio):
    """Table-driven: each knob, moved to another value, changes a metric of a base design."""
    designs = bases(audio)
    base_metrics = [audio.evaluate(d) for d in designs]
    inert = []
    for param in audio.design_space:
        changed = False
        for design, metrics in zip(designs, base_metrics, strict=True):
            for value in param.values if hasattr(param, "values") else range(3):
                if value == design[param.name]:
                    continue
                try:
                    other = audio.evaluate({**design, param.name: value})
                except InvalidDesignError:
                    continue
                if any(not np.isclose(other[k], metrics[k], rtol=1e-9) for k in metrics):
                    changed = True
                    break
            if changed:
                break
        if not changed:
            inert.append(param.name)
    assert inert == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pe1_type": "none"}, "mapped to pe1, which is not allocated"),
        ({"mem1_type": "none"}, "mapped to mem1, which is not allocated"),
        ({"bus1_type": "none"}, "bus1 is not allocated"),
    ],
)
def test_infeasible_knob_settings_raise(audio, change, message):
    design = bases(audio)[0] | change
    with pytest.raises(InvalidDesignError, match=message):
        audio.evaluate(design)


def test_task_on_ip_without_accelerator_is_infeasible():
    from archgym.simulators.soc import Task, TaskGraph

    g = TaskGraph("g", (Task("a", 100),), ())
    sim = SoCSimulator(g)
    design = sim.baseline_design() | {"pe0_type": "IP"}
    with pytest.raises(InvalidDesignError, match="no accelerator IP for it"):
        sim.evaluate(design)


def test_metrics_are_consistent_and_deterministic(audio):
    design = bases(audio)[0]
    metrics = audio.evaluate(design)
    assert metrics == audio.evaluate(design)
    assert set(metrics) == set(audio.metric_names)
    assert metrics["power_mw"] == pytest.approx(
        metrics["energy_j"] / (metrics["latency_ms"] * 1e-3) * 1e3
    )
    assert all(0.0 <= metrics[k] <= 1.0 + 1e-9 for k in metrics if k.startswith("util_"))


def test_out_of_space_design_and_foreign_workload(audio):
    with pytest.raises(InvalidDesignError, match="burst_bytes"):
        audio.evaluate(audio.baseline_design() | {"burst_bytes": 100})
    with pytest.raises(ConfigError, match="built for workload 'audio_decoder'"):
        audio.evaluate(audio.baseline_design(), load_workload("edge_detection"))
    assert audio.evaluate(audio.baseline_design(), load_workload("audio_decoder"))


def test_accelerators_and_wide_buses_beat_the_baseline_on_the_camera_pipeline():
    sim = SoCSimulator("camera_pipeline")
    base = sim.evaluate(sim.baseline_design())
    accelerated = sim.baseline_design() | {"pe0_type": "IP", "pe0_unroll": 8}
    wide = accelerated | {"bus0_type": "noc256", "bus0_clock_ratio": 2.0}
    a, w = sim.evaluate(accelerated), sim.evaluate(wide)
    assert w["latency_ms"] < a["latency_ms"] < base["latency_ms"]
    assert a["energy_j"] < base["energy_j"]
    assert a["area_mm2"] != base["area_mm2"]
