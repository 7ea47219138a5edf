"""The FARSI database reader, on ArchGym's real files and on malformed copies."""

from __future__ import annotations

import logging
import shutil

import pytest

from archgym.errors import ConfigError, WorkloadError
from archgym.simulators.soc import SoCSimulator, load_farsi_workload, load_workload
from archgym.simulators.soc.simulator import unroll_values

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
    # femtojoules and um2 (FARSI's 1e-15 J and 1e-12 m2), times ArchGym's tech_node_SF
    # (energy 0.064, area 0.0374); FARSI charges L x the energy when unrolled L times
    assert rot.accelerator.energy_j == pytest.approx(945.308e-15 * 0.064, rel=1e-12, abs=0)
    assert rot.accelerator.area_mm2 == pytest.approx(0.476887 * 0.0374, rel=1e-12, abs=0)
    assert rot.accelerator.energy_scales_with_unroll
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


def test_raw_database_units_without_archgym_scaling(farsi_dir):
    g = load_farsi_workload(farsi_dir / "audio_decoder", ip_energy_scale=1.0, ip_area_scale=1.0)
    rot = g.task("rotateOrder3_fxp_cloned").accelerator
    assert rot.energy_j == pytest.approx(945.308e-15, rel=1e-12, abs=0)  # femtojoules
    assert rot.area_mm2 == pytest.approx(0.476887, rel=1e-12, abs=0)  # 476887 um2
    with pytest.raises(ConfigError, match="ip_area_scale must be a number > 0"):
        load_farsi_workload(farsi_dir / "audio_decoder", ip_area_scale=0.0)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # FARSI gen_loop_itr_range, ArchGym's knobs: 2^0..2^15 below the trip count + the count
        ("hpvm_cava", (1, 2, 4, 8, 16, 32, 64, 128, 151)),
        ("edge_detection", tuple(2**k for k in range(16)) + (1638400,)),
        ("audio_decoder", tuple(2**k for k in range(15)) + (16400,)),  # 1024 is a power of 2
    ],
)
def test_unroll_knob_offers_farsi_loop_unrolling_factors(farsi_dir, name, expected):
    g = load_farsi_workload(farsi_dir / name)
    assert unroll_values(g) == expected
    assert SoCSimulator(g).design_space["pe1_unroll"].values == expected


def test_hpvm_cava_meets_archgym_budgets_only_with_farsi_unrolling_and_ip_clock(farsi_dir):
    """FARSI's own DSE reaches hpvm_cava's 34 ms: its IPs unroll to the full trip
    count (151) and run at up to 8 x 100 MHz. Hand check of the compute part: the
    seven IPs take sum(cycles) / (151 x 800 MHz) = 3,591,495,136 / 1.208e11 s = 29.7 ms."""
    g = load_farsi_workload(farsi_dir / "hpvm_cava")
    sim = SoCSimulator(g)
    ip_cycles = sum(t.accelerator.cycles for t in g.tasks if t.accelerator is not None)
    assert ip_cycles == 3591495136
    design = sim.baseline_design() | {
        "pe0_type": "IP",
        "pe0_clock_ratio": 8.0,
        "pe0_unroll": 151,
        "mem0_type": "sram_1MiB",
        "mem0_clock_ratio": 2.0,
        "bus0_type": "axi128",
    }
    result = sim.simulate(design)
    busy = sum(result.task_finish_s[t] - result.task_start_s[t] for t in sim.mapped_tasks)
    assert result.latency_s == pytest.approx(busy)  # a chain: one task after another
    assert result.latency_s > ip_cycles / (151 * 8e8)
    # IP energy: 151 unrolled copies x fJ x 0.064 (FARSI's L x energy per run)
    ip_fj = sum(t.accelerator.energy_j for t in g.tasks if t.accelerator is not None)
    assert result.compute_energy_j == pytest.approx(151 * ip_fj, rel=1e-12)
    metrics = sim.evaluate(design)
    assert metrics["latency_ms"] <= 34.0
    assert metrics["power_mw"] <= 8.737 and metrics["area_mm2"] <= 17.475
    assert sim.evaluate(design | {"pe0_unroll": 128})["latency_ms"] > 34.0
    assert sim.evaluate(design | {"pe0_clock_ratio": 6.0})["latency_ms"] > 34.0
    # FARSI never scales GPP clocks; the A53 tops out at 2 GHz here
    a53_fast = sim.evaluate(sim.baseline_design() | {"pe0_clock_ratio": 8.0})
    assert a53_fast == sim.evaluate(sim.baseline_design() | {"pe0_clock_ratio": 2.0})
