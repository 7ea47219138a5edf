"""Test-only plugin: an analytic env whose evaluations fail on demand.

Sweep specs load it through ``imports: [flaky_plugin.py]``. While the file named by
the env option ``crash_file`` exists, every evaluation does what the file says:
``raise`` (an exception), ``exit`` (the worker process dies) or ``hang`` (blocks
forever, as a stuck simulator would).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from archgym.envs.registry import register_env
from archgym.simulators.analytic import AnalyticSimulator

ENV_ID = "archgym/TestFlaky-v0"


class FlakySimulator(AnalyticSimulator):
    name = "flaky"

    def __init__(self, crash_file: str) -> None:
        super().__init__()
        self.crash_file = Path(crash_file)

    def evaluate(self, design: Any, workload: Any) -> dict[str, float]:
        if self.crash_file.exists():
            mode = self.crash_file.read_text().strip()
            if mode == "exit":
                os._exit(3)
            if mode == "hang":
                threading.Event().wait()
            raise RuntimeError("injected failure")
        return super().evaluate(design, workload)


def make_flaky_env(workload: str = "default", *, crash_file: str, **options: Any):
    from archgym.envs.analytic import DEFAULT_TARGET
    from archgym.envs.base import DesignEnv
    from archgym.objectives import TargetObjective
    from archgym.simulators.analytic import PRESETS

    return DesignEnv(
        FlakySimulator(crash_file),
        PRESETS[workload],
        TargetObjective(DEFAULT_TARGET, scales={"cost": 1.0}),
        env_id=ENV_ID,
        cache_size=0,
        **options,
    )


register_env(ENV_ID, f"{__name__}:make_flaky_env", "test env that fails on demand")
