"""ProxyModel: scikit-learn regressors that predict a simulator's metrics from a design.

One regressor per metric, trained on a trajectory DataFrame (one column per knob and
per metric, as :class:`archgym.data.TrajectoryRecorder` and ``archgym collect`` write).
Targets that span orders of magnitude are fitted in log space; every target is
standardised before fitting (the MLP needs it, trees do not mind). A saved model is
one joblib file holding the regressors and their metadata (env id, knob schema, metric
names and units, training-set size and hash, library versions); loading it against a
different knob schema raises :class:`~archgym.errors.DatasetError` saying what differs.

Saved models are pickles, and unpickling runs code: :meth:`ProxyModel.load` refuses a
file whose content hash (recorded by :meth:`ProxyModel.save`) is missing or wrong before
unpickling it, but the hash is no signature, so load only files you trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archgym.errors import ConfigError, DatasetError
from archgym.hashed_file import read_hashed, write_hashed
from archgym.proxy.encoding import DesignEncoder
from archgym.simulator import MetricSpec

logger = logging.getLogger(__name__)

#: File format tag and version written into every saved model.
FORMAT = "archgym-proxy"
FORMAT_VERSION = 1

#: A positive target whose max/min ratio reaches this is fitted in log space ("auto").
LOG_SPAN_RATIO = 100.0

MODEL_KINDS = ("random_forest", "extra_trees", "hist_gradient_boosting", "mlp", "decision_tree")

#: Default hyperparameters per model kind (overridden by ``hyperparameters=``).
DEFAULT_HYPERPARAMETERS: dict[str, dict[str, Any]] = {
    "random_forest": {"n_estimators": 100, "min_samples_leaf": 1, "max_features": 1.0},
    "extra_trees": {"n_estimators": 100, "min_samples_leaf": 1, "max_features": 1.0},
    "hist_gradient_boosting": {"max_iter": 300, "learning_rate": 0.1, "max_leaf_nodes": 63},
    "mlp": {"hidden_layer_sizes": (64, 64), "max_iter": 500, "early_stopping": True},
    "decision_tree": {"min_samples_leaf": 1},
}

#: Threads for fitting and batch prediction. One by default: on a small shared machine,
#: OpenMP/BLAS thread pools oversubscribe the cores and run several times slower.
DEFAULT_THREADS = 1

_CONTROLLER: Any = None

#: Up to this many rows, forests predict with the compiled kernel (no per-call overhead);
#: above it, scikit-learn's own batch prediction is faster for deep forest trees.
COMPILED_MAX_ROWS = 256
#: ... unless each metric has at most this many trees: then the kernel wins at any size.
COMPILED_MAX_TREES = 4


def thread_limit(n_threads: int | None = DEFAULT_THREADS) -> Any:
    """Context manager capping OpenMP and BLAS threads (``None``: no cap)."""
    global _CONTROLLER
    if n_threads is None:
        return contextlib.nullcontext()
    if _CONTROLLER is None:
        import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime the cap must see)
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=int(n_threads))


def make_regressor(kind: str, seed: int | None, hyperparameters: Mapping[str, Any] | None) -> Any:
    """A fresh scikit-learn regressor of ``kind`` (one of MODEL_KINDS)."""
    if kind not in MODEL_KINDS:
        raise ConfigError(f"proxy model {kind!r} is not one of {', '.join(MODEL_KINDS)}")
    params = {**DEFAULT_HYPERPARAMETERS[kind], **(hyperparameters or {})}
    from sklearn import ensemble, neural_network, tree

    cls = {
        "decision_tree": tree.DecisionTreeRegressor,
        "random_forest": ensemble.RandomForestRegressor,
        "extra_trees": ensemble.ExtraTreesRegressor,
        "hist_gradient_boosting": ensemble.HistGradientBoostingRegressor,
        "mlp": neural_network.MLPRegressor,
    }[kind]
    try:
        return cls(random_state=seed, **params)
    except TypeError as error:
        raise ConfigError(f"proxy model {kind!r}: bad hyperparameter: {error}") from None


@dataclass(frozen=True)
class TargetTransform:
    """Maps a metric to the space it is fitted in: optional log, then standardisation."""

    log: bool
    mean: float
    std: float

    def forward(self, y: np.ndarray) -> np.ndarray:
        y = np.log(y) if self.log else np.asarray(y, dtype=np.float64)
        return (y - self.mean) / self.std

    def inverse(self, z: np.ndarray) -> np.ndarray:
        y = np.asarray(z) * self.std + self.mean
        return np.exp(y) if self.log else y

    @classmethod
    def fit(cls, y: np.ndarray, log: bool) -> TargetTransform:
        t = np.log(y) if log else np.asarray(y, dtype=np.float64)
        std = float(np.std(t))
        return cls(log, float(np.mean(t)), std if std > 0 else 1.0)


@dataclass
class ProxyModel:
    """Trained regressors (one per metric) plus the metadata that says what they model.

    ``metadata`` keys: format, format_version, env_id, workload, workload_fingerprint
    (content hash of the training workload, or ""), knob_schema, metrics
    (list of {name, unit, direction, scale}), model, hyperparameters, log_targets,
    training_size, training_hash, seed, versions.
    """

    encoder: DesignEncoder
    regressors: dict[str, Any]
    transforms: dict[str, TargetTransform]
    metadata: dict[str, Any] = field(default_factory=dict)
    n_threads: int | None = DEFAULT_THREADS
    _compiled: Any = field(default=None, repr=False, compare=False)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(self.regressors)

    @property
    def knob_schema(self) -> list[dict[str, Any]]:
        return self.metadata["knob_schema"]

    def predict_features(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """Predicted metrics (in their units) for an encoded feature matrix.

        Tree ensembles predict small batches (and gradient boosting any batch) with the
        compiled kernel of :mod:`archgym.proxy.compiled`; other cases use scikit-learn.
        """
        compiled = self._compiled_ensemble()
        if compiled is not None and (
            X.shape[0] <= COMPILED_MAX_ROWS
            or not compiled.float32_features
            or compiled.trees_per_group <= COMPILED_MAX_TREES
        ):
            fitted = compiled.predict(X)
            return {
                name: self.transforms[name].inverse(fitted[:, j])
                for j, name in enumerate(self.regressors)
            }
        with thread_limit(self.n_threads):
            return {
                name: self.transforms[name].inverse(reg.predict(X))
                for name, reg in self.regressors.items()
            }

    def _compiled_ensemble(self) -> Any:
        if self._compiled is None:
            from archgym.proxy.compiled import CompiledEnsemble

            self._compiled = CompiledEnsemble.build(self.regressors, list(self.regressors))
            if self._compiled is None:
                self._compiled = False
        return self._compiled or None

    def predict(self, designs: Sequence[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
        """One row per design, one column per metric (in the metric's unit)."""
        X = self.encoder.encode(designs)
        return pd.DataFrame(self.predict_features(X))

    def member_predictions(self, X: np.ndarray, metric: str) -> np.ndarray:
        """Per-member predictions (n_members, n) of a tree ensemble, in the fitted space.

        Raises ConfigError for a model that is not an ensemble of trees.
        """
        regressor = self.regressors[metric]
        members = getattr(regressor, "estimators_", None)
        if members is None or not isinstance(members, list):
            raise ConfigError(
                f"model {self.metadata.get('model')!r} is not a tree ensemble; ensemble "
                "disagreement needs 'random_forest' or 'extra_trees'"
            )
        return np.stack([tree.predict(X) for tree in members])

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model and its metadata to one file (atomically); returns the path."""
        import joblib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "metadata": self.metadata,
            "encoder_schema": self.encoder.schema,
            "regressors": self.regressors,
            "transforms": self.transforms,
        }
        buffer = io.BytesIO()
        joblib.dump(payload, buffer, compress=3)
        return write_hashed(path, FORMAT, buffer.getvalue())

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        knob_schema: Sequence[Mapping[str, Any]] | None = None,
    ) -> ProxyModel:
        """Read a saved model. With ``knob_schema`` (``DesignSpace.schema()``), raise
        DatasetError naming every difference when the model was trained on other knobs.

        The file is a pickle, and unpickling runs code: its content hash (written by
        :meth:`save`) is checked first, so a file archgym did not write, or one changed
        since, is refused before it is unpickled (see :mod:`archgym.hashed_file`).
        Raises DatasetError for a missing, unreadable, foreign, altered or non-proxy file.
        """
        import joblib

        path = Path(path)
        if not path.is_file():
            raise DatasetError(f"proxy model file {path} does not exist")
        data = read_hashed(path, FORMAT, DatasetError)
        try:
            payload = joblib.load(io.BytesIO(data))
        except Exception as error:  # joblib/pickle raise many types for a bad file
            raise DatasetError(f"cannot read proxy model {path}: {error}") from error
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise DatasetError(f"{path} is not an archgym proxy model file")
        if payload.get("format_version") != FORMAT_VERSION:
            raise DatasetError(
                f"{path}: proxy format version {payload.get('format_version')} is not "
                f"supported (expected {FORMAT_VERSION})"
            )
        metadata = payload["metadata"]
        if knob_schema is not None:
            differences = schema_differences(metadata["knob_schema"], knob_schema)
            if differences:
                raise DatasetError(
                    f"proxy model {path} (env {metadata.get('env_id')}) was trained on a "
                    "different knob schema: " + "; ".join(differences)
                )
        _warn_on_version_change(path, metadata.get("versions", {}))
        return cls(
            DesignEncoder(payload["encoder_schema"]),
            payload["regressors"],
            payload["transforms"],
            metadata,
        )


def schema_differences(
    trained: Sequence[Mapping[str, Any]], current: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Human-readable differences between two knob schemas (empty when they match)."""
    trained = _jsonable(trained)
    current = _jsonable(current)
    old = {k["name"]: k for k in trained}
    new = {k["name"]: k for k in current}
    out = []
    missing = [n for n in old if n not in new]
    extra = [n for n in new if n not in old]
    if missing:
        out.append(f"knob(s) {', '.join(missing)} are in the model but not in the env")
    if extra:
        out.append(f"knob(s) {', '.join(extra)} are in the env but not in the model")
    for name in old:
        if name not in new or old[name] == new[name]:
            continue
        for key in sorted(set(old[name]) | set(new[name])):
            if old[name].get(key) != new[name].get(key):
                out.append(
                    f"knob {name!r} {key}: model has {old[name].get(key)!r}, "
                    f"env has {new[name].get(key)!r}"
                )
    common_old = [n for n in old if n in new]
    common_new = [n for n in new if n in old]
    if not out and common_old != common_new:
        out.append(f"knob order differs: model {common_old}, env {common_new}")
    return out


def _jsonable(schema: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return json.loads(json.dumps(list(schema), default=repr))


def library_versions() -> dict[str, str]:
    """Versions of the libraries a saved model depends on."""
    import joblib
    import sklearn

    import archgym

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "archgym": getattr(archgym, "__version__", "unknown"),
    }


def _warn_on_version_change(path: Path, saved: Mapping[str, str]) -> None:
    current = library_versions()
    for lib in ("scikit-learn", "numpy"):
        if saved.get(lib) and saved[lib] != current[lib]:
            logger.warning(
                "proxy model %s was saved with %s %s; running %s %s",
                path,
                lib,
                saved[lib],
                lib,
                current[lib],
            )


def dataset_hash(frame: pd.DataFrame) -> str:
    """Stable content hash of a training frame (its columns and values, row order included)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(list(map(str, frame.columns))).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def choose_log_targets(
    data: pd.DataFrame, metrics: Sequence[str], log_targets: bool | str | Mapping[str, bool]
) -> dict[str, bool]:
    """Per metric, whether to fit in log space.

    ``"auto"``: a strictly positive metric whose max/min ratio is at least
    LOG_SPAN_RATIO; ``True``/``False``: every metric; a mapping: per metric (others auto).
    Raises ConfigError when log space is asked for a metric with values <= 0.
    """
    out = {}
    for name in metrics:
        y = data[name].to_numpy(dtype=np.float64)
        positive = bool(np.all(y > 0))
        if isinstance(log_targets, Mapping) and name in log_targets:
            choice: bool | str = bool(log_targets[name])
        elif isinstance(log_targets, Mapping):
            choice = "auto"
        else:
            choice = log_targets
        if choice == "auto":
            out[name] = positive and float(y.max() / y.min()) >= LOG_SPAN_RATIO
        elif choice is True or choice is False:
            if choice and not positive:
                raise ConfigError(
                    f"metric {name!r} has values <= 0; it cannot be fitted in log space"
                )
            out[name] = bool(choice)
        else:
            raise ConfigError(f"log_targets {log_targets!r} is not 'auto', a bool or a mapping")
    return out


def fit_proxy(
    data: pd.DataFrame,
    knob_schema: Sequence[Mapping[str, Any]],
    metric_specs: Sequence[MetricSpec],
    *,
    model: str = "random_forest",
    hyperparameters: Mapping[str, Any] | None = None,
    log_targets: bool | str | Mapping[str, bool] = "auto",
    seed: int | None = 0,
    env_id: str = "",
    workload: str = "",
    workload_fingerprint: str = "",
) -> ProxyModel:
    """Fit one regressor per metric in ``metric_specs`` on prepared rows of ``data``.

    ``data`` must hold one column per knob of ``knob_schema`` and per metric, with only
    valid rows and no NaN (see :func:`archgym.proxy.training.prepare_training_data`).
    """
    encoder = DesignEncoder(knob_schema)
    names = [m.name for m in metric_specs]
    X = encoder.encode(data)
    logs = choose_log_targets(data, names, log_targets)
    regressors: dict[str, Any] = {}
    transforms: dict[str, TargetTransform] = {}
    for spec in metric_specs:
        y = data[spec.name].to_numpy(dtype=np.float64)
        transform = TargetTransform.fit(y, logs[spec.name])
        regressor = make_regressor(model, seed, hyperparameters)
        with thread_limit(DEFAULT_THREADS):
            regressor.fit(X, transform.forward(y))
        regressors[spec.name] = regressor
        transforms[spec.name] = transform
    columns = [k["name"] for k in knob_schema] + names
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "env_id": env_id,
        "workload": workload,
        "workload_fingerprint": workload_fingerprint,
        "knob_schema": _jsonable(knob_schema),
        "metrics": [
            {"name": m.name, "unit": m.unit, "direction": m.direction, "scale": m.scale}
            for m in metric_specs
        ],
        "model": model,
        "hyperparameters": json.loads(
            json.dumps(
                {**DEFAULT_HYPERPARAMETERS.get(model, {}), **(hyperparameters or {})}, default=repr
            )
        ),
        "log_targets": logs,
        "training_size": int(len(data)),
        "training_hash": dataset_hash(data[columns].reset_index(drop=True)),
        "seed": seed,
        "versions": library_versions(),
    }
    return ProxyModel(encoder, regressors, transforms, metadata)
