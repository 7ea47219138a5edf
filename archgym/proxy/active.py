"""Active learning: simulate next the designs where a tree ensemble disagrees most.

Loop: simulate ``initial`` random designs; fit a forest proxy; draw a pool of unseen
random designs; score each by the members' disagreement (standard deviation of the
trees' predictions, in the standardised fitted space, averaged over metrics); simulate
the top ``batch`` of the pool; repeat until ``budget`` simulations. With a test set,
the accuracy at each checkpoint size is recorded, as :func:`learning_curve` does for
plain random sampling, so the two can be compared at equal simulation counts.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from archgym.errors import ConfigError, InvalidDesignError
from archgym.proxy.accuracy import evaluate_proxy
from archgym.proxy.model import ProxyModel, fit_proxy
from archgym.proxy.training import Reference
from archgym.spaces import Design

logger = logging.getLogger(__name__)

ENSEMBLE_MODELS = ("random_forest", "extra_trees")


@dataclass
class ActiveLearningResult:
    """The simulated rows (in simulation order), the final model and the accuracy curve.

    ``curve`` has one row per (checkpoint, metric): n_samples, metric and the
    accuracy columns of :func:`archgym.proxy.evaluate_proxy`.
    """

    data: pd.DataFrame
    model: ProxyModel
    curve: pd.DataFrame


def simulate_designs(env: Any, designs: Sequence[Design]) -> pd.DataFrame:
    """Evaluate designs on an env's simulator (its batch path); one row per design.

    Columns: env_id, workload, one per knob, one per metric (NaN when invalid), valid.
    """
    base = env.unwrapped
    results = base.simulator.evaluate_many(list(designs), base.workload)
    metric_names = [m.name for m in base.metric_specs]
    rows = []
    for design, result in zip(designs, results, strict=True):
        valid = not isinstance(result, InvalidDesignError)
        row = {"env_id": base.env_id, "workload": base.workload_name, **design}
        for name in metric_names:
            row[name] = result[name] if valid else float("nan")
        row["valid"] = valid
        rows.append(row)
    return pd.DataFrame(rows)


def _unseen_sample(space: Any, rng: np.random.Generator, n: int, seen: set) -> list[Design]:
    out: list[Design] = []
    tries = 0
    while len(out) < n and tries < 20 * n + 100:
        design = space.sample(rng)
        key = space.key(design)
        tries += 1
        if key not in seen:
            seen.add(key)
            out.append(design)
    return out


def disagreement(model: ProxyModel, X: np.ndarray) -> np.ndarray:
    """Mean over metrics of the ensemble members' standard deviation (fitted space)."""
    scores = np.zeros(X.shape[0])
    for metric in model.metric_names:
        scores += model.member_predictions(X, metric).std(axis=0)
    return scores / len(model.metric_names)


def active_learning(
    env: Any,
    budget: int,
    *,
    metrics: Sequence[str] | None = None,
    initial: int = 100,
    batch: int | float = 0.25,
    pool_factor: int = 4,
    model: str = "random_forest",
    hyperparameters: dict[str, Any] | None = None,
    log_targets: Any = "auto",
    test: pd.DataFrame | None = None,
    checkpoints: Sequence[int] = (),
    seed: int | None = 0,
    callback: Callable[[int, ProxyModel], None] | None = None,
) -> ActiveLearningResult:
    """Run the active-learning loop on ``env`` for ``budget`` simulations.

    ``batch`` is a count, or a fraction of the current dataset size (a geometric
    schedule: fewer refits). ``pool_factor`` * batch random unseen designs are scored
    per round. ``checkpoints`` are dataset sizes at which a model is fitted and scored
    on ``test`` (the last round is always scored when ``test`` is given); designs of
    ``test`` are never simulated for training. Raises
    ConfigError for a model that is not a tree ensemble or a budget below ``initial``.
    """
    if model not in ENSEMBLE_MODELS:
        raise ConfigError(
            f"active learning needs a tree ensemble ({', '.join(ENSEMBLE_MODELS)}), not {model!r}"
        )
    if int(initial) < 2 or int(budget) < int(initial):
        raise ConfigError(f"need 2 <= initial ({initial}) <= budget ({budget})")
    ref = Reference.of(env)
    specs = ref.specs_for(metrics)
    names = [m.name for m in specs]
    schema = ref.space.schema()
    rng = np.random.default_rng(seed)
    # Test designs are never picked for training, so the test stays held out.
    seen: set = set()
    if test is not None:
        knobs = list(ref.space.names)
        seen.update(
            ref.space.key(dict(zip(knobs, row, strict=True)))
            for row in test[knobs].itertuples(index=False, name=None)
        )
    stops = sorted({int(c) for c in checkpoints if initial <= int(c) <= budget} | {int(budget)})

    def fit(rows: pd.DataFrame) -> ProxyModel:
        valid = rows[rows["valid"]].dropna(subset=names).reset_index(drop=True)
        return fit_proxy(
            valid,
            schema,
            specs,
            model=model,
            hyperparameters=hyperparameters,
            log_targets=log_targets,
            seed=seed,
            env_id=ref.env_id,
            workload=ref.workload,
            workload_fingerprint=ref.workload_fingerprint,
        )

    data = simulate_designs(env, _unseen_sample(ref.space, rng, int(initial), seen))
    curve: list[pd.DataFrame] = []
    current = fit(data)
    while True:
        n = len(data)
        if test is not None and n in stops:
            table = evaluate_proxy(current, test)
            table.insert(0, "n_samples", n)
            curve.append(table)
        if callback is not None:
            callback(n, current)
        if n >= budget:
            break
        size = int(batch) if isinstance(batch, int) else max(1, int(math.ceil(batch * n)))
        next_stop = next(s for s in stops if s > n)
        size = min(size, next_stop - n)
        pool = _unseen_sample(ref.space, rng, pool_factor * size, seen)
        if not pool:
            logger.info("active learning: no unseen designs left after %d", n)
            break
        scores = disagreement(current, current.encoder.encode(pool))
        chosen = np.argsort(-scores, kind="stable")[:size]
        # Designs of the pool that were not chosen go back to the unseen set.
        chosen_set = set(chosen.tolist())
        for i, design in enumerate(pool):
            if i not in chosen_set:
                seen.discard(ref.space.key(design))
        data = pd.concat(
            [data, simulate_designs(env, [pool[i] for i in chosen])], ignore_index=True
        )
        current = fit(data)
        logger.info("active learning: %d simulations", len(data))
    curve_frame = pd.concat(curve, ignore_index=True) if curve else pd.DataFrame()
    return ActiveLearningResult(data, current, curve_frame)


def learning_curve(
    data: pd.DataFrame,
    reference: Any,
    test: pd.DataFrame,
    sizes: Sequence[int],
    *,
    metrics: Sequence[str] | None = None,
    seed: int | None = 0,
    **train_options: Any,
) -> pd.DataFrame:
    """Accuracy on ``test`` of proxies trained on the first n rows of ``data``, per n.

    ``data`` should be in random order (e.g. from ``archgym collect --sampler random``)
    so its prefixes are random samples. Returns rows of (n_samples, metric, accuracy).
    """
    ref = Reference.of(reference)
    specs = ref.specs_for(metrics)
    names = [m.name for m in specs]
    rows = data
    if "valid" in rows.columns:
        rows = rows[rows["valid"].astype(bool)]
    rows = rows.dropna(subset=names).reset_index(drop=True)
    tables = []
    for n in sizes:
        if n > len(rows):
            raise ConfigError(f"learning curve size {n} exceeds the {len(rows)} valid rows")
        model = fit_proxy(
            rows.iloc[: int(n)],
            ref.space.schema(),
            specs,
            seed=seed,
            env_id=ref.env_id,
            workload=ref.workload,
            workload_fingerprint=ref.workload_fingerprint,
            **train_options,
        )
        table = evaluate_proxy(model, test)
        table.insert(0, "n_samples", int(n))
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
