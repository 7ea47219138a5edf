"""Proxy (surrogate) cost models trained on trajectory datasets.

Workflow: collect a dataset (``archgym collect`` or any recorded agent run), train
a :class:`ProxyModel` with :func:`train_proxy`, measure it with
:func:`holdout_evaluation` / :func:`cross_validate`, save it, and run any env on it
with ``gymnasium.make(env_id, cost_model="proxy", proxy=path)``, which calls
:func:`load_proxy_simulator`. :func:`active_learning` picks the designs to simulate
where an ensemble disagrees most.
"""

from __future__ import annotations

from archgym.proxy.accuracy import (
    ACCURACY_COLUMNS,
    HoldoutResult,
    accuracy,
    cross_validate,
    evaluate_proxy,
    holdout_evaluation,
)
from archgym.proxy.active import ActiveLearningResult, active_learning, learning_curve
from archgym.proxy.encoding import DesignEncoder
from archgym.proxy.model import MODEL_KINDS, ProxyModel, schema_differences
from archgym.proxy.simulator import ProxySimulator, load_proxy_simulator
from archgym.proxy.training import Reference, prepare_training_data, train_proxy

__all__ = [
    "ACCURACY_COLUMNS",
    "MODEL_KINDS",
    "ActiveLearningResult",
    "DesignEncoder",
    "HoldoutResult",
    "ProxyModel",
    "ProxySimulator",
    "Reference",
    "accuracy",
    "active_learning",
    "cross_validate",
    "evaluate_proxy",
    "holdout_evaluation",
    "learning_curve",
    "load_proxy_simulator",
    "prepare_training_data",
    "schema_differences",
    "train_proxy",
]
