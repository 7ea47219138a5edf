"""An evaluation cache keyed by (design, workload, simulator config)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from archgym.errors import InvalidDesignError
from archgym.simulator import Metrics, Simulator, workload_fingerprint


class EvaluationCache:
    """Least-recently-used memo of simulator results, including infeasible designs.

    ``evaluate`` returns ``(metrics, hit)``; an infeasible design re-raises its
    InvalidDesignError on every lookup. ``hits`` and ``misses`` count lookups.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Any, ...], Metrics | InvalidDesignError] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def context(simulator: Simulator, workload: Any) -> tuple[str, str]:
        """The (simulator config, workload) part of a key; compute it once per env."""
        return simulator.config_fingerprint(), workload_fingerprint(workload)

    def evaluate(
        self,
        simulator: Simulator,
        design: dict[str, Any],
        workload: Any,
        context: tuple[str, str] | None = None,
    ) -> tuple[Metrics, bool]:
        """Metrics of a validated design and whether they came from the cache.

        ``context`` is ``EvaluationCache.context(simulator, workload)``, passed in by
        callers that evaluate many designs in the same context.
        """
        if self.max_entries <= 0:
            self.misses += 1
            return simulator.evaluate(design, workload), False
        context = context or self.context(simulator, workload)
        key = (*context, simulator.design_space.key(design))
        if key in self._entries:
            self.hits += 1
            self._entries.move_to_end(key)
            result, hit = self._entries[key], True
        else:
            self.misses += 1
            try:
                result = simulator.evaluate(design, workload)
            except InvalidDesignError as error:
                result = error
            self._store(key, result)
            hit = False
        if isinstance(result, InvalidDesignError):
            # The cached error is raised again on every hit. Without a fresh traceback each
            # raise would append to the last one, growing it and keeping every earlier
            # call's frames (and the simulator's) alive for as long as the entry lives.
            raise result.with_traceback(None)
        return dict(result), hit

    def _store(self, key: tuple[Any, ...], result: Metrics | InvalidDesignError) -> None:
        self._entries[key] = result
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry and reset the hit and miss counts."""
        self._entries.clear()
        self.hits = self.misses = 0
