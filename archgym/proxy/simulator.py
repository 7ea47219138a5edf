"""ProxySimulator: a trained ProxyModel behind the Simulator interface.

``load_proxy_simulator(path, reference)`` is what ``DesignEnv(cost_model="proxy",
proxy=path)`` calls: the model is read once, checked against the reference
simulator's knob schema and metrics, and then answers ``evaluate`` (one design)
and ``evaluate_many`` (a vectorised batch: one encoding and one predict call per
metric for the whole batch).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from archgym.errors import DatasetError, InvalidDesignError
from archgym.proxy.model import ProxyModel
from archgym.simulator import (
    Metrics,
    MetricSpec,
    Simulator,
    stable_hash,
    workload_fingerprint,
)
from archgym.spaces import Design, DesignSpace

logger = logging.getLogger(__name__)


class ProxySimulator(Simulator):
    """Predicts the reference simulator's metrics with a ProxyModel.

    Its design space is the reference's (constraints included: an infeasible design
    raises InvalidDesignError as the simulator would); its metrics are the modelled
    ones, with the reference's specs. A workload whose name differs from the one the
    proxy was trained on raises DatasetError, because the predictions would be for
    another workload.
    """

    name = "proxy"

    def __init__(self, model: ProxyModel, space: DesignSpace, metric_specs: Sequence[MetricSpec]):
        self.model = model
        self._space = space
        self._specs = tuple(metric_specs)
        self._names = tuple(m.name for m in self._specs)
        self._workload = str(model.metadata.get("workload") or "")
        self._fingerprint = str(model.metadata.get("workload_fingerprint") or "")
        # Workload objects already checked (kept alive, so their ids stay unique).
        self._checked: dict[int, Any] = {}
        self.name = f"proxy:{model.metadata.get('env_id') or 'unknown'}"

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return self._specs

    def config(self) -> dict[str, Any]:
        return {"training_hash": self.model.metadata.get("training_hash"), "metrics": self._names}

    def config_fingerprint(self) -> str:
        return stable_hash(f"proxy:{self.model.metadata.get('training_hash')}:{self._names}")

    def check_workload(self, workload: Any) -> None:
        """Raise DatasetError when ``workload`` is not the one the proxy was trained on:
        another name, or (when the training workload's content hash is known) the same
        name with other content, such as another trace length."""
        if id(workload) in self._checked:
            return
        name = str(getattr(workload, "name", workload))
        if self._workload and name != self._workload:
            raise DatasetError(
                f"this proxy was trained on workload {self._workload!r}, not {name!r}; "
                "train one proxy per workload"
            )
        if self._fingerprint and workload_fingerprint(workload) != self._fingerprint:
            raise DatasetError(
                f"this proxy was trained on another version of workload {name!r} (content "
                f"hash {self._fingerprint}, this one {workload_fingerprint(workload)}), e.g. "
                "another trace length; train a proxy on this workload"
            )
        self._checked[id(workload)] = workload

    def evaluate(self, design: Design, workload: Any) -> Metrics:
        self.check_workload(workload)
        broken = self._space.violated_constraints(design)
        if broken:
            raise InvalidDesignError("infeasible design: violates " + "; ".join(broken))
        X = self.model.encoder.encode_one(design)
        predicted = self.model.predict_features(X)
        return {name: float(predicted[name][0]) for name in self._names}

    def evaluate_many(
        self, designs: Sequence[Design], workload: Any
    ) -> list[Metrics | InvalidDesignError]:
        """Vectorised batch: infeasible designs yield their InvalidDesignError."""
        self.check_workload(workload)
        designs = list(designs)
        results: list[Metrics | InvalidDesignError] = [None] * len(designs)  # type: ignore[list-item]
        feasible = []
        if self._space.constraints:
            for i, design in enumerate(designs):
                broken = self._space.violated_constraints(design)
                if broken:
                    results[i] = InvalidDesignError(
                        "infeasible design: violates " + "; ".join(broken)
                    )
                else:
                    feasible.append(i)
        else:
            feasible = list(range(len(designs)))
        if feasible:
            try:
                X = self.model.encoder.encode([designs[i] for i in feasible])
            except InvalidDesignError:
                # A malformed design in the batch: answer one by one so that only it fails.
                return [self._evaluate_or_error(design, workload) for design in designs]
            predicted = self.model.predict_features(X)
            table = np.column_stack([predicted[n] for n in self._names]).tolist()
            names = self._names
            if len(feasible) == len(designs):
                return [dict(zip(names, row, strict=True)) for row in table]
            for i, row in zip(feasible, table, strict=True):
                results[i] = dict(zip(names, row, strict=True))
        return results

    def _evaluate_or_error(self, design: Design, workload: Any) -> Metrics | InvalidDesignError:
        try:
            return self.evaluate(design, workload)
        except InvalidDesignError as error:
            return error

    def predict_frame(self, designs: pd.DataFrame) -> pd.DataFrame:
        """Fastest path: metrics for a DataFrame of designs (constraints not checked)."""
        return pd.DataFrame(self.model.predict_features(self.model.encoder.encode(designs)))

    def predict_array(self, designs: Sequence[Design] | pd.DataFrame) -> np.ndarray:
        """Metrics as an array (n, n_metrics) in ``metric_specs`` order (no constraint check)."""
        predicted = self.model.predict_features(self.model.encoder.encode(designs))
        return np.column_stack([predicted[n] for n in self._names])


def load_proxy_simulator(
    path: str | os.PathLike[str], reference: Simulator | None = None
) -> ProxySimulator:
    """Load a saved proxy once and wrap it as a Simulator.

    With ``reference`` (the simulator the proxy stands in for), the knob schema must
    match (DatasetError naming each difference) and every modelled metric must be one
    the reference reports (DatasetError naming it); the reference's design space (with
    its constraints) and metric specs are used. Without it, the space is rebuilt from
    the saved schema (no constraints) and the specs from the saved metadata.
    """
    if reference is None:
        model = ProxyModel.load(path)
        return ProxySimulator(model, _space_from_schema(model.knob_schema), _saved_specs(model))
    model = ProxyModel.load(path, knob_schema=reference.design_space.schema())
    known = {m.name: m for m in reference.metric_specs}
    unknown = [n for n in model.metric_names if n not in known]
    if unknown:
        raise DatasetError(
            f"proxy {path} models metric(s) {', '.join(unknown)} that simulator "
            f"{reference.name!r} does not report ({', '.join(known)})"
        )
    saved_units = {m["name"]: m["unit"] for m in model.metadata.get("metrics", [])}
    for name in model.metric_names:
        if saved_units.get(name, known[name].unit) != known[name].unit:
            raise DatasetError(
                f"proxy {path}: metric {name!r} was trained in {saved_units[name]!r}, "
                f"the simulator reports {known[name].unit!r}"
            )
    logger.info("loaded proxy %s (%s)", path, ", ".join(model.metric_names))
    return ProxySimulator(model, reference.design_space, [known[n] for n in model.metric_names])


def _saved_specs(model: ProxyModel) -> list[MetricSpec]:
    return [
        MetricSpec(m["name"], m["unit"], m.get("direction", "min"), scale=m.get("scale", 1.0))
        for m in model.metadata["metrics"]
    ]


def _space_from_schema(schema: Sequence[dict[str, Any]]) -> DesignSpace:
    from archgym.spaces import Categorical, Integer, Ordinal, Real

    parameters = []
    for knob in schema:
        kind, name, unit = knob["kind"], knob["name"], knob.get("unit", "")
        if kind == "Categorical":
            parameters.append(Categorical(name, tuple(knob["values"]), unit=unit))
        elif kind == "Ordinal":
            parameters.append(Ordinal(name, tuple(knob["values"]), unit=unit))
        elif kind == "Integer":
            parameters.append(Integer(name, knob["low"], knob["high"], unit=unit))
        else:
            parameters.append(Real(name, knob["low"], knob["high"], log=knob["log"], unit=unit))
    return DesignSpace(parameters)
