"""archgym environments: every module here registers its env family on import."""

from __future__ import annotations

import importlib
import pkgutil

from archgym.envs.base import DesignEnv
from archgym.envs.registry import list_envs, make_env, register_env

_CORE_MODULES = {"base", "registry"}

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _CORE_MODULES and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["DesignEnv", "list_envs", "make_env", "register_env"]
