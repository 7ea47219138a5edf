"""The FARSI database reader, on ArchGym's real files and on malformed copies."""

from __future__ import annotations

import logging
import shutil

import pytest

from archgym.errors import WorkloadError
from archgym.simulators.soc import SoCSimulator, load_farsi_workload, load_workload

WORKLOADS = {  # name: (tasks, edges, latency budget s) read off the CSV files
    "audio_decoder": (18, 23, 0.021),
    "edge_detection": (8, 8, 0.034),
    "hpvm_cava": (9, 8, 0.034),
}


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_farsi_workloads_load_and_simulate(farsi_dir, name):
    g = load_farsi_workload(farsi_dir / name)
    n_tasks, n_edges, budget = WORKLOADS[name]
    assert (g.name, len(g.tasks), len(g.edges), g.latency_budget_s) == (
        name,
        n_tasks,
        n_edges,
        budget,
    )
    sim = SoCSimulator(g)
    metrics = sim.evaluate(sim.baseline_design())
    assert metrics["latency_ms"] > 0 and metrics["energy_j"] > 0 and metrics["area_mm2"] > 0


def test_audio_decoder_values_and_units(farsi_dir):
    g = load_farsi_workload(farsi_dir / "audio_decoder")
    rot = g.task("rotateOrder3_fxp_cloned")
    assert rot.gpp_cycles == 805804
    assert rot.iterations == 1024
    assert rot.accelerator.cycles == 7736
    assert rot.accelerator.energy_j == pytest.approx(945.308e-15)  # femtojoules
    assert rot.accelerator.area_mm2 == pytest.approx(0.476887)  # 476887 um2
    assert g.task("dummy_last").iterations == 1  # absent from the iteration table
    assert {t.name for t in g.tasks if t.is_marker} == {"souurce", "siink", "dummy_last"}
    assert g.task("souurce").gpp_cycles == 0
    assert {e.consumer for e in g.edges if e.producer == "souurce"} == {
        "psychoFilter_fxp_cloned",
        "rotatorSet_fxp_cloned",
        "zoomSet_fxp_cloned",
    }


def test_unknown_iteration_row_is_warned_and_ignored(farsi_dir, caplog):
    with caplog.at_level(logging.WARNING, logger="archgym.simulators.soc.farsi"):
        g = load_farsi_workload(farsi_dir / "hpvm_cava")
    assert "hpvm_cava_database__Task_Itr_Count.csv:2: task 'source'" in caplog.text
    assert g.task("souurce").iterations == 1
    assert g.task("denoise_fxp_cloned").iterations == 151


def test_path_forms_are_equivalent(farsi_dir):
    by_prefix = load_farsi_workload(farsi_dir / "edge_detection")
    by_dir = load_farsi_workload(farsi_dir, "edge_detection")
    by_file = load_farsi_workload(farsi_dir / "edge_detection_database__Task_PE_Area.csv")
    by_spec = load_workload(str(farsi_dir / "edge_detection"))
    assert len({g.fingerprint() for g in (by_prefix, by_dir, by_file, by_spec)}) == 1


@pytest.fixture()
def edge_copy(farsi_dir, tmp_path):
    """A writable copy of the edge-detection tables in FARSI's own file naming."""
    for path in farsi_dir.glob("edge_detection_database__*.csv"):
        table = path.name.split("__", 1)[1].replace("_", " ")
        shutil.copy(path, tmp_path / f"edge_detection_database - {table}")
    return tmp_path


def test_farsi_own_file_naming_is_read(edge_copy, farsi_dir):
    copy = load_farsi_workload(edge_copy / "edge_detection")
    original = load_farsi_workload(farsi_dir / "edge_detection")
    assert copy.tasks == original.tasks and copy.edges == original.edges
    assert copy.latency_budget_s is None  # the budget lives in misc_database, not copied


def _rewrite(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_bad_number_names_file_line_and_column(edge_copy):
    perf = edge_copy / "edge_detection_database - Task PE Performance.csv"
    _rewrite(perf, "421068800", "4.2e8x")
    with pytest.raises(WorkloadError, match=r"Performance\.csv:4: column 'A53'.*'4\.2e8x'"):
        load_farsi_workload(edge_copy / "edge_detection")


def test_unknown_producer_row_names_file_and_line(edge_copy):
    movement = edge_copy / "edge_detection_database - Task Data Movement.csv"
    _rewrite(movement, "laplacianEstimate,,,,6553600", "laplacianEstimat,,,,6553600")
    with pytest.raises(WorkloadError, match=r"Movement\.csv:4: row 'laplacianEstimat'"):
        load_farsi_workload(edge_copy / "edge_detection")


def test_missing_task_row_and_missing_table(edge_copy):
    perf = edge_copy / "edge_detection_database - Task PE Performance.csv"
    _rewrite(perf, "computeGradient,", "computeGradientX,")
    with pytest.raises(WorkloadError, match="no row for task 'computeGradient'"):
        load_farsi_workload(edge_copy / "edge_detection")
    (edge_copy / "edge_detection_database - Task PE Area.csv").unlink()
    perf.unlink()
    with pytest.raises(WorkloadError, match="missing table 'Task PE Performance'"):
        load_farsi_workload(edge_copy / "edge_detection")


def test_ip_without_energy_is_an_error(edge_copy):
    energy = edge_copy / "edge_detection_database - Task PE Energy.csv"
    _rewrite(energy, "rejectZeroCrossings,,17818", "rejectZeroCrossings,,")
    with pytest.raises(WorkloadError, match=r"Energy\.csv:8: column 'IP0'.*rejectZeroCrossings"):
        load_farsi_workload(edge_copy / "edge_detection")


def test_cyclic_movement_is_an_error(edge_copy):
    movement = edge_copy / "edge_detection_database - Task Data Movement.csv"
    _rewrite(movement, "siink,,,,,,,,", "siink,,1,,,,,,")
    with pytest.raises(WorkloadError, match="cycle"):
        load_farsi_workload(edge_copy / "edge_detection")


def test_directory_without_workload_name_and_missing_database(farsi_dir, tmp_path):
    with pytest.raises(WorkloadError, match="name the workload"):
        load_farsi_workload(farsi_dir)
    with pytest.raises(WorkloadError, match="no FARSI database"):
        load_farsi_workload(tmp_path / "nothing")
