"""Small sweep specs on the analytic env, shared by the sweep tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PLUGIN = Path(__file__).resolve().parent / "flaky_plugin.py"


def small_spec(**overrides: Any) -> dict[str, Any]:
    """2 workloads x random (2 modes) x 2 seeds = 8 runs of 12 evaluations."""
    spec: dict[str, Any] = {
        "name": "small",
        "budget": 12,
        "seeds": 2,
        "envs": [{"id": "archgym/Analytic-v0", "workloads": ["default", "shifted"]}],
        "agents": [{"name": "random", "grid": {"mode": ["uniform", "walk"]}}],
    }
    spec.update(overrides)
    return spec
