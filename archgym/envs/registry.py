"""Registration of archgym envs under the Gymnasium namespace ``archgym``."""

from __future__ import annotations

import inspect
import math
import numbers
import os
import sys
import types
import typing
from collections.abc import Callable
from typing import Any

import gymnasium as gym

from archgym.errors import ArchGymError, ConfigError
from archgym.parsing import is_real

NAMESPACE = "archgym"

_DESCRIPTIONS: dict[str, str] = {}

#: Options of ``gymnasium.make`` itself (not passed to the factory).
_GYMNASIUM_OPTIONS = ("max_episode_steps", "disable_env_checker")
#: DesignEnv options every factory sets itself (the registered id is the env's id).
_SET_BY_FACTORY = ("env_id",)


def register_env(env_id: str, entry_point: str | Callable[..., Any], description: str) -> None:
    """Register ``env_id`` (``"<namespace>/<Name>-v<k>"``) with Gymnasium and our listing.

    archgym's own envs use the namespace ``archgym``; a user's envs use their own.
    ``entry_point`` is ``"module:factory"`` or the factory itself; the factory receives
    the keyword arguments of ``gymnasium.make``, and passes the ones it does not name
    (its ``**options``) to :class:`~archgym.envs.base.DesignEnv`. Registering an id again
    is a no-op.
    """
    if "/" not in env_id:
        raise ConfigError(f"env id {env_id!r} needs a namespace, as in 'mylab/Cache-v0'")
    if env_id not in gym.registry:
        gym.register(id=env_id, entry_point=entry_point)
    _DESCRIPTIONS[env_id] = description


def list_envs() -> list[tuple[str, str]]:
    """Every registered archgym env as ``(id, one-line description)``, sorted by id."""
    return sorted(_DESCRIPTIONS.items())


def make_env(env_id: str, /, **kwargs: object) -> gym.Env:
    """``gymnasium.make`` with archgym's errors.

    Before anything is built, every option is checked against the factory's signature
    (and DesignEnv's, for the options the factory passes on): an unknown option raises
    ConfigError listing the known ones, and a value that does not match the option's
    type hint (``int``, ``float``, ``bool``, ``str``, a class, or a union of these; a bool
    is not an int, a float must be finite) raises ConfigError naming the option, the
    expected type and the value. The factory then checks ranges and meanings
    (ConfigError, WorkloadError). Anything else a factory raises becomes a ConfigError
    naming the env and its options, chained to the original exception.
    """
    if env_id not in _DESCRIPTIONS:
        known = ", ".join(env for env, _ in list_envs())
        raise ConfigError(f"unknown env {env_id!r}; known envs: {known}")
    check_options(env_id, kwargs)
    try:
        return gym.make(env_id, **kwargs)
    except ArchGymError:
        raise
    except Exception as error:  # a factory's own bug, or input it does not check yet
        raise ConfigError(
            f"{env_id}: cannot build with options {kwargs!r}: {type(error).__name__}: {error}"
        ) from error


def check_options(env_id: str, options: dict[str, Any]) -> None:
    """Check option names and types for ``make_env(env_id, **options)`` (see there).

    Raises ConfigError; does nothing for a factory whose signature cannot be read.
    """
    parameters = option_parameters(env_id)
    if parameters is None:
        return
    for name, value in options.items():
        if name in _GYMNASIUM_OPTIONS:
            continue
        if name not in parameters:
            fixed = " (set by the env itself)" if name in _SET_BY_FACTORY else ""
            raise ConfigError(
                f"{env_id}: unknown option {name!r}{fixed}; known options: "
                + ", ".join(sorted(parameters))
            )
        hint, module = parameters[name]
        expected = _resolve(hint, module)
        if expected is not None and not _matches(value, expected):
            raise ConfigError(
                f"{env_id}: option {name!r} must be {_describe(expected)}, got {value!r}"
            )


def passes_options(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark an env factory as taking ``names`` through its ``**options`` and passing
    them on (to its simulator), so that make_env's option check knows them."""

    def mark(factory: Callable[..., Any]) -> Callable[..., Any]:
        factory.passed_options = names
        return factory

    return mark


def option_parameters(env_id: str) -> dict[str, tuple[Any, str]] | None:
    """The options ``make_env(env_id, ...)`` accepts, as ``{name: (annotation, module)}``.

    The factory's keyword parameters, those it declares with :func:`passes_options`
    and, when it takes ``**options``, DesignEnv's (except those the factory sets
    itself). None when the factory cannot be inspected.
    """
    from archgym.envs.base import DesignEnv

    try:
        factory = gym.envs.registration.load_env_creator(gym.spec(env_id).entry_point)
        signature = inspect.signature(factory)
    except (TypeError, ValueError, ImportError, AttributeError, gym.error.Error):
        return None
    module = getattr(factory, "__module__", "")
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    found = {
        name: (p.annotation, module)
        for name, p in signature.parameters.items()
        if p.kind in keyword_kinds
    }
    for name in getattr(factory, "passed_options", ()):
        found.setdefault(name, (inspect.Parameter.empty, module))
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()):
        env_parameters = inspect.signature(DesignEnv.__init__).parameters.values()
        for p in env_parameters:
            if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in _SET_BY_FACTORY:
                found.setdefault(p.name, (p.annotation, DesignEnv.__module__))
    return found


def _resolve(annotation: Any, module: str) -> Any:
    """The type an annotation (a string under postponed evaluation) names, or None."""
    if annotation is inspect.Parameter.empty:
        return None
    if not isinstance(annotation, str):
        return annotation
    namespace = vars(sys.modules[module]) if module in sys.modules else {}
    try:
        return eval(annotation, {"typing": typing, "os": os, **namespace})
    except Exception:  # a name imported only for type checkers: no check
        return None


def _matches(value: Any, expected: Any) -> bool:
    """Whether ``value`` fits a type hint; hints we cannot interpret accept everything."""
    if expected is Any or expected is object:
        return True
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, member) for member in typing.get_args(expected))
    if origin is not None:
        expected = origin  # dict[str, Any] -> dict: the container, not its items
    if expected is None or expected is type(None):
        return value is None
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if expected is float:
        return is_real(value) and math.isfinite(value)
    if isinstance(expected, type):
        return isinstance(value, expected)
    return True


def _describe(expected: Any) -> str:
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(member) for member in typing.get_args(expected))
    names = {bool: "true or false", int: "an integer", float: "a finite number", str: "a text"}
    if expected is None or expected is type(None):
        return "None"
    if expected in names:
        return names[expected]
    return f"a {getattr(origin or expected, '__name__', str(expected))}"
