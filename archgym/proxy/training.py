"""Training a proxy from a trajectory DataFrame against a reference env or simulator.

The reference (a DesignEnv, a wrapped env, or a Simulator) supplies the knob schema and
the metric specs (names, units); the rows select one env id and one workload.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from archgym.errors import ConfigError, DatasetError
from archgym.proxy.model import ProxyModel, fit_proxy
from archgym.simulator import MetricSpec, Simulator, workload_fingerprint
from archgym.spaces import DesignSpace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reference:
    """What a proxy is trained to imitate: knobs, metric specs, env id and workload.

    ``workload_fingerprint`` is the content hash of the reference env's workload (empty
    when unknown); a saved proxy keeps it to refuse another trace of the same name.
    """

    space: DesignSpace
    metric_specs: tuple[MetricSpec, ...]
    env_id: str = ""
    workload: str = ""
    workload_fingerprint: str = ""

    @classmethod
    def of(cls, reference: Any) -> Reference:
        """From a DesignEnv (possibly wrapped), a Simulator or a Reference."""
        if isinstance(reference, Reference):
            return reference
        base = getattr(reference, "unwrapped", reference)
        if hasattr(base, "design_space") and hasattr(base, "simulator"):
            return cls(
                base.design_space,
                tuple(base.metric_specs),
                str(base.env_id),
                str(base.workload_name),
                workload_fingerprint(base.workload),
            )
        if isinstance(base, Simulator):
            return cls(base.design_space, tuple(base.metric_specs))
        raise ConfigError(
            f"proxy reference must be a DesignEnv or a Simulator, not {type(reference).__name__}"
        )

    def fingerprint_for(self, workload: str) -> str:
        """The workload fingerprint if ``workload`` is the reference's own, else ""."""
        return self.workload_fingerprint if workload == self.workload else ""

    def specs_for(self, metrics: Sequence[str] | None) -> tuple[MetricSpec, ...]:
        """The specs of ``metrics`` (None: all); ConfigError for an unknown or empty list."""
        if metrics is None:
            return self.metric_specs
        known = {m.name: m for m in self.metric_specs}
        unknown = [m for m in metrics if m not in known]
        if unknown:
            raise ConfigError(
                f"unknown metric(s) {', '.join(map(repr, unknown))}; the env reports "
                + ", ".join(known)
            )
        if not metrics:
            raise ConfigError("choose at least one metric to model")
        return tuple(known[m] for m in metrics)


def prepare_training_data(
    data: pd.DataFrame,
    reference: Reference,
    metrics: Sequence[str],
    *,
    workload: str | None = None,
) -> tuple[pd.DataFrame, str, str]:
    """Rows fit to train on: one env id and workload, valid, no NaN metric, unique designs.

    Returns ``(rows, env_id, workload)``. Raises DatasetError when columns are missing,
    when the workload is ambiguous, or when no row is left.
    """
    if not isinstance(data, pd.DataFrame):
        raise DatasetError(f"training data must be a pandas DataFrame, not {type(data).__name__}")
    knobs = list(reference.space.names)
    missing = [c for c in [*knobs, *metrics] if c not in data.columns]
    if missing:
        raise DatasetError(
            f"training data lacks column(s) {', '.join(map(repr, missing))}; expected one "
            "column per knob and per metric (the trajectory schema)"
        )
    rows, env_id = _select_one(data, "env_id", reference.env_id, "env", "train one proxy per env")
    rows, chosen = _select_one(
        rows, "workload", workload or reference.workload, "workload", "choose one with workload="
    )
    if "valid" in rows.columns:
        rows = rows[rows["valid"].astype(bool)]
    rows = rows.dropna(subset=list(metrics))
    before = len(rows)
    rows = rows.drop_duplicates(subset=knobs, keep="first").reset_index(drop=True)
    if len(rows) < before:
        logger.info("dropped %d duplicate design(s) before training", before - len(rows))
    if rows.empty:
        raise DatasetError("no valid rows with every chosen metric are left to train on")
    return rows, env_id, chosen or ""


def _select_one(
    rows: pd.DataFrame, column: str, chosen: str, what: str, hint: str
) -> tuple[pd.DataFrame, str]:
    """The rows whose ``column`` is ``chosen``, and that value.

    With nothing chosen, the column's single value is taken; DatasetError when no row has
    the chosen value or the column holds several (``hint`` says what to do).
    """
    if column not in rows.columns:
        return rows, chosen
    present = sorted(map(str, rows[column].dropna().unique()))
    if chosen:
        rows = rows[rows[column].astype(str) == chosen]
        if rows.empty:
            raise DatasetError(f"no rows for {what} {chosen!r}; the data has {present}")
    elif len(present) == 1:
        chosen = present[0]
    elif len(present) > 1:
        raise DatasetError(f"the data mixes {what}s {present}; {hint}")
    return rows, chosen


@dataclass(frozen=True)
class TrainingSet:
    """Rows fit to train on (see :func:`prepare_training_data`) and what every proxy
    fitted on them, or on a subset of them, records: knobs, metric specs, env id, workload.
    """

    reference: Reference
    specs: tuple[MetricSpec, ...]
    rows: pd.DataFrame
    env_id: str
    workload: str

    @classmethod
    def prepare(
        cls,
        data: pd.DataFrame,
        reference: Any,
        metrics: Sequence[str] | None = None,
        *,
        workload: str | None = None,
    ) -> TrainingSet:
        """Select the rows of ``data`` to train a proxy of ``reference`` on ``metrics``.

        Raises ConfigError for an unknown metric and DatasetError for unusable data.
        """
        ref = Reference.of(reference)
        specs = ref.specs_for(metrics)
        rows, env_id, chosen = prepare_training_data(
            data, ref, [m.name for m in specs], workload=workload
        )
        return cls(ref, specs, rows, env_id, chosen)

    def fit(self, rows: pd.DataFrame, **options: Any) -> ProxyModel:
        """:func:`archgym.proxy.model.fit_proxy` on ``rows`` (these rows or a subset)."""
        return fit_proxy(
            rows.reset_index(drop=True),
            self.reference.space.schema(),
            self.specs,
            env_id=self.env_id,
            workload=self.workload,
            workload_fingerprint=self.reference.fingerprint_for(self.workload),
            **options,
        )


def train_proxy(
    data: pd.DataFrame,
    reference: Any,
    metrics: Sequence[str] | None = None,
    *,
    workload: str | None = None,
    model: str = "random_forest",
    hyperparameters: Mapping[str, Any] | None = None,
    log_targets: bool | str | Mapping[str, bool] = "auto",
    seed: int | None = 0,
) -> ProxyModel:
    """Train a proxy of ``reference`` (DesignEnv or Simulator) on trajectory rows.

    ``metrics`` defaults to every metric of the reference. Rows are filtered to the
    reference's env id and workload (or ``workload``), to valid evaluations, and
    de-duplicated by design. Raises DatasetError for unusable data and ConfigError for
    an unknown metric, model kind or hyperparameter.
    """
    training = TrainingSet.prepare(data, reference, metrics, workload=workload)
    return training.fit(
        training.rows,
        model=model,
        hyperparameters=hyperparameters,
        log_targets=log_targets,
        seed=seed,
    )
