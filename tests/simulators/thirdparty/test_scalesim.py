"""The SCALE-Sim adapter: its input files, its results, and the errors it raises."""

from __future__ import annotations

import configparser
import math
import os
import sys

import pytest

from archgym.errors import ConfigError, InvalidDesignError, MissingExtraError, WorkloadError
from archgym.simulators.accelerator.workload import Layer, conv, gemm
from archgym.simulators.thirdparty.sandbox import ToolError, contained_run
from archgym.simulators.thirdparty.scalesim import (
    SCALESIM_METRICS,
    ScaleSimConfig,
    ScaleSimSimulator,
    run_scalesim,
    topology_row,
)

DESIGN = {
    "array_rows": 8,
    "array_cols": 8,
    "dataflow": "ws",
    "ifmap_sram_kb": 64,
    "filter_sram_kb": 64,
    "ofmap_sram_kb": 64,
}


def test_config_file_carries_the_knobs() -> None:
    text = ScaleSimConfig(16, 32, "os", 128, 256, 64).config_text()
    parser = configparser.ConfigParser()
    parser.read_string(text)
    arch = parser["architecture_presets"]
    assert (arch["ArrayHeight"], arch["ArrayWidth"], arch["Dataflow"]) == ("16", "32", "os")
    assert (arch["IfmapSramSzkB"], arch["FilterSramSzkB"], arch["OfmapSramSzkB"]) == (
        "128",
        "256",
        "64",
    )
    assert parser["run_presets"]["InterfaceBandwidth"] == "CALC"
    user = configparser.ConfigParser()
    user.read_string(ScaleSimConfig(dram_bandwidth_words=4).config_text())
    assert user["run_presets"]["InterfaceBandwidth"] == "USER"
    assert user["architecture_presets"]["Bandwidth"] == "4"


def test_config_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match="dataflow 'rs'"):
        ScaleSimConfig(dataflow="rs")
    with pytest.raises(ConfigError, match="array_rows"):
        ScaleSimConfig(array_rows=0)


def test_topology_row_restores_output_size_from_padded_input() -> None:
    layer = conv("c", K=64, C=32, P=28, R=3, stride=2)
    # (P - 1) * stride + R = 57 rows and columns of input, padding included
    assert topology_row(layer, "l0") == "l0,57,57,3,3,32,64,2,"


def test_topology_rejects_what_scalesim_cannot_express() -> None:
    with pytest.raises(WorkloadError, match="dilation"):
        topology_row(conv("d", K=8, C=8, P=8, R=3, dilation=2), "l0")
    with pytest.raises(WorkloadError, match="equal strides"):
        topology_row(Layer("s", K=8, C=8, P=8, Q=8, R=3, S=3, stride_h=1, stride_w=2), "l0")


# SCALE-Sim's fold costs (cycles) measured from scalesim 3.0.0 and matching its model:
# a fold maps `rows` x `cols` of the operand matrices and streams T elements; the whole
# layer takes folds * per_fold - 1 cycles, with per_fold = 2*rows + cols + T - 2 for ws and
# is, rows + cols + T - 2 for os.
@pytest.mark.parametrize(
    ("layer", "dataflow", "folds", "per_fold"),
    [
        # ws: rows <- window R*S*C = 8, cols <- K = 8, T = P*Q = 16 -> one fold
        (conv("a", K=8, C=8, P=4, R=1), "ws", 1, 2 * 8 + 8 + 16 - 2),
        # ws: window 16 and K 16 -> 2 x 2 folds
        (conv("b", K=16, C=16, P=4, R=1), "ws", 4, 2 * 8 + 8 + 16 - 2),
        # os: rows <- P*Q = 16 (2 folds), cols <- K = 8, T = window = 8
        (conv("a", K=8, C=8, P=4, R=1), "os", 2, 8 + 8 + 8 - 2),
        # is: rows <- window 8, cols <- P*Q = 16 (2 folds), T = K = 8
        (conv("a", K=8, C=8, P=4, R=1), "is", 2, 2 * 8 + 8 + 8 - 2),
    ],
)
def test_compute_cycles_follow_the_fold_model(
    scalesim_installed: None, layer: Layer, dataflow: str, folds: int, per_fold: int
) -> None:
    (result,) = run_scalesim(layer, ScaleSimConfig(8, 8, dataflow))
    assert result.compute_cycles == folds * per_fold - 1
    assert result.stall_cycles == 0
    assert result.macs == layer.macs
    assert result.utilization == pytest.approx(layer.macs / (result.compute_cycles * 64))


def test_strided_layer_keeps_its_macs(scalesim_installed: None) -> None:
    layer = conv("s", K=8, C=4, P=5, R=3, stride=2)
    (result,) = run_scalesim(layer, ScaleSimConfig(8, 8, "os"))
    assert result.macs == layer.macs


def test_groups_and_batch_multiply_one_group(scalesim_installed: None) -> None:
    one = conv("one", K=4, C=4, P=6, R=3)
    grouped = conv("dw", K=12, C=12, P=6, R=3, groups=3, N=2)
    single, multi = run_scalesim([one, grouped], ScaleSimConfig(8, 8, "ws"))
    assert multi.compute_cycles == 6 * single.compute_cycles
    assert multi.dram_accesses == 6 * single.dram_accesses
    assert multi.macs == grouped.macs == 6 * one.macs
    assert multi.utilization == single.utilization


def test_gemm_runs_as_a_one_by_one_convolution(scalesim_installed: None) -> None:
    layer = gemm("g", M=16, N=8, K=12)
    (result,) = run_scalesim(layer, ScaleSimConfig(8, 8, "os"))
    assert result.macs == 16 * 8 * 12


def test_user_bandwidth_mode_only_adds_prefetch_time(scalesim_installed: None) -> None:
    layer = conv("t", K=16, C=8, P=8, R=3)
    calc = run_scalesim(layer, ScaleSimConfig(8, 8, "ws"))[0]
    slow = run_scalesim(layer, ScaleSimConfig(8, 8, "ws", dram_bandwidth_words=1))[0]
    fast = run_scalesim(layer, ScaleSimConfig(8, 8, "ws", dram_bandwidth_words=16))[0]
    assert slow.compute_cycles == calc.compute_cycles
    assert slow.total_cycles > fast.total_cycles


def test_simulator_sums_layers_and_reports_every_metric(scalesim_installed: None) -> None:
    sim = ScaleSimSimulator()
    layers = [conv("a", K=8, C=8, P=4, R=1), conv("b", K=16, C=16, P=4, R=1)]
    metrics = sim.evaluate(DESIGN, layers)
    assert list(metrics) == [m.name for m in SCALESIM_METRICS]
    assert metrics["cycles"] == 37 + 151
    assert metrics["utilization"] == pytest.approx(sum(layer.macs for layer in layers) / (188 * 64))
    assert metrics["dram_accesses"] == pytest.approx(
        metrics["dram_ifmap_reads"] + metrics["dram_filter_reads"] + metrics["dram_ofmap_writes"]
    )
    bigger = sim.evaluate(dict(DESIGN, array_rows=16, array_cols=16), layers)
    assert bigger["cycles"] < metrics["cycles"]


def test_simulator_validates_the_design(scalesim_installed: None) -> None:
    with pytest.raises(InvalidDesignError, match="array_rows"):
        ScaleSimSimulator().evaluate(dict(DESIGN, array_rows=3), conv("a", K=8, C=8, P=4))


def test_run_leaves_no_files_and_prints_nothing(
    scalesim_installed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = set(os.listdir("."))
    run_scalesim(conv("a", K=8, C=8, P=4, R=1), ScaleSimConfig(8, 8, "ws"))
    assert set(os.listdir(".")) == before
    assert capsys.readouterr().out == ""


def test_scalesim_exit_on_a_missing_file_is_a_tool_error(scalesim_installed: None) -> None:
    from scalesim.scale_sim import scalesim

    with (
        pytest.raises(ToolError, match="scalesim exited.*Config file not found"),
        contained_run("scalesim"),
    ):
        scalesim(config="no-such.cfg", topology="", layout="")


def test_missing_extra_names_the_pip_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "scalesim.scale_sim", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'archgym\[thirdparty\]'"):
        ScaleSimSimulator()


def test_fold_model_is_not_linear_in_array_size(scalesim_installed: None) -> None:
    # a guard that the adapter passes the array size through: 4x4 needs 4x the folds of 8x8
    layer = conv("a", K=8, C=8, P=4, R=1)
    small = run_scalesim(layer, ScaleSimConfig(4, 4, "ws"))[0]
    assert small.compute_cycles == 4 * (2 * 4 + 4 + 16 - 2) - 1
    assert not math.isclose(small.compute_cycles, 37)
