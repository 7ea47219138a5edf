"""Fixtures for proxy tests: an analytic-env dataset and a model trained on it."""

from __future__ import annotations

import gymnasium
import pytest

import archgym.envs  # noqa: F401  (registers the envs)
from archgym.data.collect import collect
from archgym.proxy import train_proxy

ENV_ID = "archgym/Analytic-v0"


@pytest.fixture(scope="session")
def analytic_env():
    return gymnasium.make(ENV_ID)


@pytest.fixture(scope="session")
def analytic_data():
    """1,500 random designs of the analytic env (its default workload), in trajectory form."""
    return collect(ENV_ID, 1500, sampler="random", seed=11)


@pytest.fixture(scope="session")
def analytic_model(analytic_data, analytic_env):
    return train_proxy(analytic_data, analytic_env, hyperparameters={"n_estimators": 30}, seed=0)


@pytest.fixture(scope="session")
def model_path(analytic_model, tmp_path_factory):
    return analytic_model.save(tmp_path_factory.mktemp("proxy") / "analytic.joblib")
