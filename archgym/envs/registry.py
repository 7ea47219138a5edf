"""Registration of archgym envs under the Gymnasium namespace ``archgym``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym

from archgym.errors import ConfigError

NAMESPACE = "archgym"

_DESCRIPTIONS: dict[str, str] = {}


def register_env(env_id: str, entry_point: str | Callable[..., Any], description: str) -> None:
    """Register ``env_id`` (``"<namespace>/<Name>-v<k>"``) with Gymnasium and our listing.

    archgym's own envs use the namespace ``archgym``; a user's envs use their own.
    ``entry_point`` is ``"module:factory"`` or the factory itself; the factory receives
    the keyword arguments of ``gymnasium.make``. Registering an id again is a no-op.
    """
    if "/" not in env_id:
        raise ConfigError(f"env id {env_id!r} needs a namespace, as in 'mylab/Cache-v0'")
    if env_id not in gym.registry:
        gym.register(id=env_id, entry_point=entry_point)
    _DESCRIPTIONS[env_id] = description


def list_envs() -> list[tuple[str, str]]:
    """Every registered archgym env as ``(id, one-line description)``, sorted by id."""
    return sorted(_DESCRIPTIONS.items())


def make_env(env_id: str, **kwargs: object) -> gym.Env:
    """``gymnasium.make`` with archgym's errors: an unknown id or option names what is known."""
    if env_id not in _DESCRIPTIONS:
        known = ", ".join(env for env, _ in list_envs())
        raise ConfigError(f"unknown env {env_id!r}; known envs: {known}")
    try:
        return gym.make(env_id, **kwargs)
    except TypeError as error:
        raise ConfigError(f"{env_id}: bad option: {error}") from error
