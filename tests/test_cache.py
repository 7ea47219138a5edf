from __future__ import annotations

import pytest

from archgym.cache import EvaluationCache
from archgym.errors import InvalidDesignError
from archgym.simulator import MetricSpec, Simulator
from archgym.spaces import DesignSpace, Integer


class CountingSimulator(Simulator):
    name = "counting"

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset
        self.calls = 0

    @property
    def design_space(self):
        return DesignSpace([Integer("a", 0, 9)])

    @property
    def metric_specs(self):
        return (MetricSpec("value", "", "min"),)

    def config(self):
        return {"offset": self.offset}

    def evaluate(self, design, workload):
        self.calls += 1
        if design["a"] == 9:
            raise InvalidDesignError("a = 9 is infeasible")
        return {"value": design["a"] + self.offset + len(workload)}


def test_repeated_design_costs_nothing_and_is_reported():
    cache, simulator = EvaluationCache(), CountingSimulator()
    assert cache.evaluate(simulator, {"a": 1}, "w") == ({"value": 2}, False)
    assert cache.evaluate(simulator, {"a": 1}, "w") == ({"value": 2}, True)
    assert simulator.calls == 1 and (cache.hits, cache.misses) == (1, 1)


def test_key_includes_workload_and_simulator_config():
    cache, simulator = EvaluationCache(), CountingSimulator()
    cache.evaluate(simulator, {"a": 1}, "w")
    assert cache.evaluate(simulator, {"a": 1}, "ww") == ({"value": 3}, False)
    other = CountingSimulator(offset=10)
    assert cache.evaluate(other, {"a": 1}, "w") == ({"value": 12}, False)


def test_infeasible_designs_are_cached_and_reraised():
    cache, simulator = EvaluationCache(), CountingSimulator()
    for _ in range(2):
        with pytest.raises(InvalidDesignError, match="infeasible"):
            cache.evaluate(simulator, {"a": 9}, "w")
    assert simulator.calls == 1


def test_reraised_infeasible_design_does_not_accumulate_tracebacks():
    cache, simulator = EvaluationCache(), CountingSimulator()
    depths = []
    for _ in range(3):
        with pytest.raises(InvalidDesignError) as caught:
            cache.evaluate(simulator, {"a": 9}, "w")
        depths.append(len(caught.traceback))
    assert depths[1] == depths[2] <= depths[0]


def test_lru_eviction_and_disabled_cache():
    cache, simulator = EvaluationCache(max_entries=2), CountingSimulator()
    for a in (1, 2, 3):
        cache.evaluate(simulator, {"a": a}, "w")
    assert len(cache) == 2
    assert cache.evaluate(simulator, {"a": 1}, "w")[1] is False
    off = EvaluationCache(max_entries=0)
    off.evaluate(simulator, {"a": 1}, "w")
    assert off.evaluate(simulator, {"a": 1}, "w")[1] is False


def test_evaluate_many_reports_errors_in_place():
    results = CountingSimulator().evaluate_many([{"a": 1}, {"a": 9}], "w")
    assert results[0] == {"value": 2} and isinstance(results[1], InvalidDesignError)
