"""TaskGraph validation, ordering and fingerprints; the built-in workloads."""

from __future__ import annotations

import dataclasses

import pytest

from archgym.errors import WorkloadError
from archgym.simulators.soc import (
    BUILTIN_WORKLOADS,
    AcceleratorIP,
    Edge,
    Task,
    TaskGraph,
    load_workload,
)


def test_topological_order_breaks_ties_by_declaration_order():
    g = TaskGraph(
        "g",
        (Task("d", 1), Task("a", 1), Task("b", 1), Task("c", 1)),
        (Edge("a", "b", 1), Edge("d", "c", 1), Edge("b", "c", 1)),
    )
    assert [g.tasks[i].name for i in g.order] == ["d", "a", "b", "c"]
    assert g.predecessors("c") == ("d", "b")
    assert g.successors("a") == ("b",)
    assert g.total_bytes == 3


@pytest.mark.parametrize(
    ("tasks", "edges", "message"),
    [
        ((), (), "has no tasks"),
        ((Task("a", 1), Task("a", 2)), (), "appears twice"),
        ((Task("a", 1),), (Edge("a", "x", 1),), "unknown task 'x'"),
        ((Task("a", 1), Task("b", 1)), (Edge("a", "b", 1), Edge("b", "a", 1)), "cycle"),
        ((Task("a", 1), Task("b", 1)), (Edge("a", "b", -1),), "bytes=-1"),
        ((Task("a", 1),), (Edge("a", "a", 1),), "self edge"),
        ((Task("a", -5),), (), "gpp_cycles=-5"),
        ((Task("a", 1, iterations=0),), (), "iterations=0"),
        ((Task("a", 1, accelerator=AcceleratorIP(float("nan"), 0, 0)),), (), "cycles"),
    ],
)
def test_malformed_graphs_raise_workload_error(tasks, edges, message):
    with pytest.raises(WorkloadError, match=message):
        TaskGraph("bad", tasks, edges)


def test_fingerprint_is_stable_and_tracks_content():
    a = BUILTIN_WORKLOADS["audio_decoder"]()
    b = BUILTIN_WORKLOADS["audio_decoder"]()
    assert a.fingerprint() == b.fingerprint()
    changed = dataclasses.replace(a, edges=a.edges[:-1])
    assert changed.fingerprint() != a.fingerprint()
    assert a.fingerprint() != BUILTIN_WORKLOADS["edge_detection"]().fingerprint()


def test_markers_are_tasks_with_no_work_anywhere():
    assert Task("s", 0).is_marker
    assert Task("s", None).is_marker
    assert not Task("s", 0, accelerator=AcceleratorIP(1, 0, 0)).is_marker
    assert not Task("s", 5).is_marker


@pytest.mark.parametrize("name", sorted(BUILTIN_WORKLOADS))
def test_builtin_workloads_are_documented_dags_with_budgets(name):
    g = load_workload(name)
    assert g.name == name
    assert g.latency_budget_s in (0.021, 0.034)
    assert "first-principles" in g.description
    working = [t for t in g.tasks if not t.is_marker]
    assert working and all(t.accelerator is not None for t in working)
    # every working task is reachable from a source and reaches a sink
    assert g.tasks[g.order[0]].is_marker and g.tasks[g.order[-1]].is_marker


def test_builtin_op_counts_follow_the_documented_formulas():
    edge = load_workload("edge_detection")
    assert edge.task("blur").gpp_cycles == 10 * 640 * 480
    assert edge.task("blur").accelerator.cycles == 10 * 640 * 480 / 16
    audio = load_workload("audio_decoder")
    assert audio.task("fft").gpp_cycles == 2.5 * 1024 * 10 * 16


def test_unknown_workload_names_the_builtins():
    with pytest.raises(WorkloadError, match="audio_decoder, edge_detection, camera_pipeline"):
        load_workload("hand_tracking")
