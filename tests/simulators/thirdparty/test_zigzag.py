"""The ZigZag adapter: workload/hardware/mapping translation, results and errors."""

from __future__ import annotations

import logging
import os
import sys

import pytest

from archgym.errors import ConfigError, InvalidDesignError, MissingExtraError, WorkloadError
from archgym.simulators.accelerator.workload import Layer, conv
from archgym.simulators.thirdparty.zigzag import (
    MAC_ENERGY_PJ,
    ZIGZAG_METRICS,
    ZigZagHardware,
    ZigZagSimulator,
    fixed_temporal_ordering,
    layer_to_zigzag,
    mapping_entry,
    run_zigzag,
    shipped_file,
    spatial_unrolling,
    sram_energy_per_bit_pj,
)

DESIGN = {
    "array_rows": 8,
    "array_cols": 8,
    "dataflow": "weight_stationary",
    "weight_rf_bytes": 16,
    "input_rf_bytes": 8,
    "output_rf_bytes": 4,
    "global_buffer_kb": 64,
    "global_buffer_bandwidth_bits": 256,
    "dram_bandwidth_bits": 64,
}


def test_layer_translation_keeps_loops_strides_and_groups() -> None:
    layer = conv("dw", K=32, C=32, P=14, R=3, stride=2, groups=32, N=2)
    entry = layer_to_zigzag(layer, 3)
    assert entry["name"] == "layer3" and entry["id"] == 3
    assert dict(zip(entry["loop_dims"], entry["loop_sizes"], strict=True)) == {
        "B": 2,
        "G": 32,
        "K": 1,
        "C": 1,
        "OY": 14,
        "OX": 14,
        "FY": 3,
        "FX": 3,
    }
    assert entry["dimension_relations"] == ["ix=2*ox+1*fx", "iy=2*oy+1*fy"]
    assert "[g]" in entry["equation"]
    plain = layer_to_zigzag(conv("c", K=8, C=4, P=5, R=3, dilation=2))
    assert plain["dimension_relations"] == ["ix=1*ox+2*fx", "iy=1*oy+2*fy"]
    assert "G" not in plain["loop_dims"]


def test_layer_translation_rejects_non_layers() -> None:
    with pytest.raises(WorkloadError, match="Layer"):
        layer_to_zigzag({"K": 8})  # type: ignore[arg-type]


def test_spatial_unrolling_per_dataflow_is_capped_by_the_loop() -> None:
    layer = conv("c", K=64, C=3, P=28, R=3)
    assert spatial_unrolling(layer, "weight_stationary", 16, 16) == {
        "D1": ("C", 3),
        "D2": ("K", 16),
    }
    assert spatial_unrolling(layer, "output_stationary", 16, 32) == {
        "D1": ("OX", 16),
        "D2": ("K", 32),
    }
    gemm_like = Layer("g", K=64, C=128, P=32)  # Q == 1: pixels unroll over OY
    assert spatial_unrolling(gemm_like, "input_stationary", 8, 8) == {
        "D1": ("C", 8),
        "D2": ("OY", 8),
    }


def test_depthwise_layers_unroll_the_groups() -> None:
    depthwise = conv("dw", K=32, C=32, P=14, R=3, groups=32)
    assert spatial_unrolling(depthwise, "weight_stationary", 16, 16) == {
        "D1": ("G", 16),
        "D2": ("K", 1),
    }
    assert spatial_unrolling(depthwise, "output_stationary", 16, 16) == {
        "D1": ("OX", 14),
        "D2": ("G", 16),
    }
    ordering = fixed_temporal_ordering(
        depthwise, "weight_stationary", spatial_unrolling(depthwise, "weight_stationary", 16, 16)
    )
    assert ["G", 2] in ordering


def test_fixed_ordering_covers_every_temporal_loop() -> None:
    layer = conv("c", K=20, C=8, P=6, R=3)
    spatial = spatial_unrolling(layer, "weight_stationary", 8, 8)  # C/8, K/8
    ordering = fixed_temporal_ordering(layer, "weight_stationary", spatial)
    # K: ceil(20 / 8) = 3 temporal iterations; C is fully spatial and drops out
    assert ordering == [["OX", 6], ["OY", 6], ["FX", 3], ["FY", 3], ["K", 3]]


def test_energy_per_bit_hits_the_cacti_anchors() -> None:
    # REFERENCES.md s3 at 45 nm: 64 x 16 bit SRAM 0.437 / 0.718 pJ, 16384 x 64 bit 32.29 pJ
    assert 16 * sram_energy_per_bit_pj(64 * 16) == pytest.approx(0.437)
    assert 16 * sram_energy_per_bit_pj(64 * 16, write=True) == pytest.approx(0.718)
    assert 64 * sram_energy_per_bit_pj(16384 * 64) == pytest.approx(32.29)
    assert sram_energy_per_bit_pj(8) == pytest.approx(0.663 / 64)  # register floor


def test_hardware_yaml_carries_the_knobs() -> None:
    hw = ZigZagHardware(4, 32, "output_stationary", 2, 4, 8, 128, 1024, 32)
    data = hw.accelerator_yaml()
    assert data["operational_array"]["sizes"] == [4, 32]
    memories = data["memories"]
    assert memories["rf_weights"]["size"] == 16
    assert memories["rf_outputs"]["size"] == 64
    assert memories["global_buffer"]["size"] == 128 * 8192
    assert memories["global_buffer"]["ports"][0]["bandwidth_max"] == 1024
    assert memories["dram"]["r_cost"] == pytest.approx(32 * 8.0)
    with pytest.raises(ConfigError, match="dataflow"):
        ZigZagHardware(dataflow="row_stationary")


def test_fixed_mapping_run_reports_consistent_figures(
    zigzag_installed: None, tiny_layer: Layer
) -> None:
    sim = ZigZagSimulator(search="fixed")
    (result,) = sim.run(DESIGN, tiny_layer)
    assert result.mac_energy_pj == pytest.approx(tiny_layer.macs * MAC_ENERGY_PJ)
    assert result.energy_pj == pytest.approx(result.mac_energy_pj + result.memory_energy_pj)
    assert result.ideal_cycles == tiny_layer.macs / 64
    assert result.spatial_utilization == 1.0  # C = 8 and K = 16 fill the 8 x 8 array
    assert result.latency_cycles >= result.ideal_temporal_cycles
    assert sum(result.energy_by_level.values()) == pytest.approx(result.memory_energy_pj)
    assert {"W@rf_weights", "I@global_buffer", "O@dram"} <= set(result.energy_by_level)
    assert set(result.accesses_by_level) == set(result.energy_by_level)


def test_simulator_metrics_and_knob_effects(zigzag_installed: None, tiny_layer: Layer) -> None:
    sim = ZigZagSimulator(search="fixed")
    base = sim.evaluate(DESIGN, tiny_layer)
    assert list(base) == [m.name for m in ZIGZAG_METRICS]
    assert base["edp"] == pytest.approx(base["energy_pj"] * base["latency_cycles"])
    # DRAM reads and writes both cost 64 bit x 8 pJ/bit per access in the template
    assert base["dram_energy_pj"] == pytest.approx(base["dram_accesses"] * 64 * 8.0)
    assert base["global_buffer_accesses"] > 0
    small_array = sim.evaluate(dict(DESIGN, array_rows=4, array_cols=4), tiny_layer)
    assert small_array["latency_cycles"] > base["latency_cycles"]
    slow_dram = sim.evaluate(dict(DESIGN, dram_bandwidth_bits=16), tiny_layer)
    assert slow_dram["dram_energy_pj"] == pytest.approx(base["dram_energy_pj"])
    assert slow_dram["latency_cycles"] > base["latency_cycles"]
    two = sim.evaluate(DESIGN, [tiny_layer, tiny_layer])
    assert two["energy_pj"] == pytest.approx(2 * base["energy_pj"])


def test_loma_search_is_no_worse_than_the_fixed_mapping(
    zigzag_installed: None, tiny_layer: Layer
) -> None:
    fixed = ZigZagSimulator(search="fixed").evaluate(DESIGN, tiny_layer)
    searched = ZigZagSimulator(search="loma", lpf_limit=2).evaluate(DESIGN, tiny_layer)
    assert searched["latency_cycles"] <= fixed["latency_cycles"]


def test_shipped_hardware_file_runs(zigzag_installed: None, tiny_layer: Layer) -> None:
    spatial = {"D1": ("K", 16), "D2": ("C", 8)}
    ordering = [["OX", 8], ["OY", 8], ["FX", 3], ["FY", 3]]
    (result,) = run_zigzag(
        tiny_layer,
        shipped_file("hardware", "tpu_like"),
        [mapping_entry("default", spatial, ordering)],
    )
    assert result.mac_energy_pj == pytest.approx(tiny_layer.macs * 0.04)  # tpu_like unit_energy
    assert "W@rf_128B" in result.energy_by_level
    with pytest.raises(ConfigError, match="shipped: .*tpu_like"):
        shipped_file("hardware", "no_such_chip")


def test_accelerator_path_is_resolved_before_the_run(
    zigzag_installed: None, tiny_layer: Layer, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    shutil.copy(shipped_file("hardware", "tpu_like"), tmp_path / "mine.yaml")
    monkeypatch.chdir(tmp_path)
    mapping = [mapping_entry("default", {"D1": ("K", 16), "D2": ("C", 8)})]
    ordering = [["OX", 8], ["OY", 8], ["FX", 3], ["FY", 3]]
    mapping[0]["temporal_ordering"] = ordering
    (result,) = run_zigzag(tiny_layer, "mine.yaml", mapping)
    assert result.energy_pj > 0
    with pytest.raises(ConfigError, match="not an existing .yaml"):
        run_zigzag(tiny_layer, "missing.yaml", mapping)


def test_rejected_mapping_is_an_invalid_design(zigzag_installed: None, tiny_layer: Layer) -> None:
    # a temporal ordering whose K loop does not exist after the spatial unrolling
    mapping = [
        mapping_entry(
            "default",
            {"D1": ("C", 8), "D2": ("K", 8)},
            [["OX", 8], ["OY", 8], ["FX", 3], ["FY", 3], ["K", 3]],
        )
    ]
    with pytest.raises(InvalidDesignError, match="ZigZag rejected"):
        run_zigzag(tiny_layer, ZigZagHardware(8, 8).accelerator_yaml(), mapping)


def test_run_is_contained(
    zigzag_installed: None, tiny_layer: Layer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    before = (root.level, list(root.handlers), sorted(os.listdir(".")))
    ZigZagSimulator(search="fixed").evaluate(DESIGN, tiny_layer)
    assert (root.level, list(root.handlers), sorted(os.listdir("."))) == before
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_bad_options_and_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="search"):
        ZigZagSimulator(search="exhaustive")
    with pytest.raises(ConfigError, match="opt"):
        ZigZagSimulator(opt="area")
    monkeypatch.setitem(sys.modules, "zigzag.stages.main", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'archgym\[thirdparty\]'"):
        ZigZagSimulator()
