"""ASTRA-sim 2 adapter: Chakra traces byte for byte, network and system files, the log."""

from __future__ import annotations

import pytest
import yaml

from archgym.errors import ConfigError, WorkloadError
from archgym.simulators.external import ToolOutputError, chakra
from archgym.simulators.external.astrasim import (
    PRESETS,
    AstraSimSimulator,
    Layer,
    TrainingStep,
    get_step,
    metrics_from_log,
)

#: examples/workload/microbenchmarks/reduce_scatter/4npus_1MB/reduce_scatter.0.et of
#: ASTRA-sim (commit 518bd51), as its generator script (chakra's protobuf) wrote it.
REFERENCE_ET = bytes.fromhex(
    "070a05302e302e344c12187265647563655f736361747465725f346e7075735f314d421807520e0a0969"
    "735f6370755f6f70d80100520d0a09636f6d6d5f747970654807520f0a09636f6d6d5f73697a65488080"
    "40"
)

DESIGN = {
    "dim1_npus": 4,
    "dim1_topology": "Ring",
    "dim1_bandwidth_gbps": 100,
    "dim1_collective": "ring",
    "dim2_topology": "Switch",
    "dim2_bandwidth_gbps": 50,
    "dim2_collective": "halvingDoubling",
    "scheduling_policy": "LIFO",
    "active_chunks": 1,
    "dataset_splits": 4,
}


def test_chakra_writer_matches_astra_sims_own_trace_byte_for_byte():
    node = chakra.Node(
        0,
        "reduce_scatter_4npus_1MB",
        chakra.COMM_COLL_NODE,
        collective="REDUCE_SCATTER",
        size_bytes=1 << 20,
    )
    assert chakra.trace_bytes([node]) == REFERENCE_ET


def test_varints_follow_protobuf():
    assert chakra.varint(0) == b"\x00"
    assert chakra.varint(300) == b"\xac\x02"
    assert chakra.varint(-1) == b"\xff" * 9 + b"\x01"


def test_a_training_step_chains_compute_and_overlaps_all_reduces():
    nodes = PRESETS["dp-4layers"].nodes()
    compute = [n for n in nodes if n.kind == chakra.COMP_NODE]
    comm = [n for n in nodes if n.kind == chakra.COMM_COLL_NODE]
    assert [n.data_deps for n in compute] == [(), (1,), (3,), (5,)]
    assert [n.data_deps for n in comm] == [(1,), (3,), (5,), (7,)]
    assert {n.size_bytes for n in comm} == {8 << 20} and {n.duration_us for n in compute} == {100}


def test_network_and_system_files_use_both_dimensions(standins):
    simulator = AstraSimSimulator(standins["astrasim"])
    network = simulator.render_network(DESIGN)
    assert network == {
        "topology": ["Ring", "Switch"],
        "npus_count": [4, 4],
        "bandwidth": [100.0, 50.0],
        "latency": [500.0, 500.0],
    }
    system = simulator.render_system(DESIGN)
    assert system["all-reduce-implementation"] == ["ring", "halvingDoubling"]
    assert system["roofline-enabled"] == 0 and system["scheduling-policy"] == "LIFO"


def test_a_run_through_the_stand_in(standins, tmp_path):
    simulator = AstraSimSimulator(standins["astrasim"], keep_work_dirs="all", work_root=tmp_path)
    metrics = simulator.evaluate(DESIGN, PRESETS["dp-4layers"])
    # the stand-in charges 4 x 100 us of compute and 32 MiB at 100 + 50 / 2 GB/s
    exposed = int(4 * (8 << 20) / 125.0)
    assert metrics == {"step_time_ns": 400_000 + exposed, "exposed_comm_ns": exposed}
    (directory,) = tmp_path.iterdir()
    assert len(list((directory / "workload").glob("step.*.et"))) == 16
    assert yaml.safe_load((directory / "network.yml").read_text())["npus_count"] == [4, 4]


def test_every_npu_must_report():
    log = "sys[0] finished, 10 cycles, exposed communication 4 cycles.\n"
    with pytest.raises(ToolOutputError, match="1 of 2 NPUs reported"):
        metrics_from_log(log, 2)
    log += "sys[1] finished, 12 cycles, exposed communication 3 cycles.\n"
    assert metrics_from_log(log, 2) == {"step_time_ns": 12.0, "exposed_comm_ns": 4.0}


def test_workloads_and_options_are_checked(standins):
    assert get_step("allreduce-1MiB") is PRESETS["allreduce-1MiB"]
    assert get_step([Layer("a", 1, 2)]).layers == (Layer("a", 1, 2),)
    with pytest.raises(WorkloadError, match="presets: allreduce-1MiB, dp-4layers"):
        get_step("gpt3")
    with pytest.raises(WorkloadError, match="non-negative"):
        TrainingStep("bad", (Layer("a", -1, 0),))
    with pytest.raises(ConfigError, match="power of two of at least 4"):
        AstraSimSimulator(standins["astrasim"], npus=6)
