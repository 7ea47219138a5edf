"""The sweep spec: what to run, read from YAML and checked before any run starts.

A spec names envs (each with workloads, objectives and env options), agents (each with
fixed hyperparameters and either a grid or seeded random draws of more), seeds and a
budget per run. :func:`load_spec` reads and checks its structure; every error is a
:class:`~archgym.errors.ConfigError` whose message starts with the path of the bad key
(after the file's name when read from a file), e.g.
``sweep.yaml: agents[1].grid.population_size: expected a list of values, got 8``.
:func:`check_spec` then builds every env and every agent setting once (without
evaluating anything), so unknown envs, workloads, metrics, env options, agents and
hyperparameters fail before the first run too.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgym.errors import ArchGymError, ConfigError
from archgym.parsing import errors_at, read_yaml

logger = logging.getLogger(__name__)

_TOP_KEYS = {
    "name": "sweep name (text)",
    "description": "free text",
    "budget": "evaluations per run (positive integer)",
    "seeds": "number of seeds or a list of integer seeds",
    "timeout": "seconds per run (positive number)",
    "stop_on_target": "stop a run once its target is met (true/false)",
    "imports": "modules or .py files that register extra envs or agents",
    "output": "results folder, relative to the spec file",
    "envs": "list of env entries",
    "agents": "list of agent entries",
}
_ENV_KEYS = ("id", "workloads", "objectives", "options")
_AGENT_KEYS = ("name", "hyperparameters", "grid", "random")
_RANDOM_KEYS = ("draws", "seed", "ranges")
_RANGE_KEYS = ("low", "high", "log", "integer", "choices")


@dataclass(frozen=True)
class EnvEntry:
    """One env of the sweep: ``workloads`` and ``objectives`` of None mean the env's default."""

    id: str
    workloads: tuple[Any, ...] = (None,)
    objectives: tuple[Any, ...] = (None,)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParameterRange:
    """A hyperparameter to draw: from ``choices``, or uniformly in [low, high] (optionally log)."""

    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False


@dataclass(frozen=True)
class RandomDraws:
    """``draws`` hyperparameter settings sampled from ``ranges`` with a seeded generator."""

    draws: int
    seed: int
    ranges: dict[str, ParameterRange]


@dataclass(frozen=True)
class AgentEntry:
    """One agent: fixed ``hyperparameters`` plus a ``grid`` (cartesian) or ``random`` draws."""

    name: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    random: RandomDraws | None = None


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep. Build it with :func:`load_spec` or :func:`parse_spec`."""

    name: str
    budget: int
    seeds: tuple[int, ...]
    envs: tuple[EnvEntry, ...]
    agents: tuple[AgentEntry, ...]
    timeout: float | None = None
    stop_on_target: bool = False
    imports: tuple[str, ...] = ()
    output: str | None = None
    description: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """A stable hash of the spec's content (12 hex digits)."""
        return _digest(self.raw)


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# ------------------------------------------------------------------------ reading
def load_spec(path: str | os.PathLike[str]) -> SweepSpec:
    """Read and structurally check a YAML sweep spec.

    Relative ``imports`` (.py files) and ``output`` are resolved against the spec's folder.
    Raises FileNotFoundError for a missing file, and ConfigError whose message starts with
    the file, then the line (a file that is not UTF-8 or not YAML) or the path of the bad
    key (``spec.yaml: agents[1].grid.population_size: ...``).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"sweep spec {path} does not exist")
    data = read_yaml(path, "sweep spec", ConfigError)
    with errors_at(str(path)):
        return parse_spec(data, base_dir=path.parent, default_name=path.stem)


def parse_spec(
    data: Any, *, base_dir: str | os.PathLike[str] | None = None, default_name: str = "sweep"
) -> SweepSpec:
    """Check a spec given as a mapping (e.g. parsed YAML); see :func:`load_spec`."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"sweep spec: expected a mapping of keys, got {type(data).__name__}")
    _reject_unknown("", data, _TOP_KEYS)
    for key in ("budget", "envs", "agents"):
        if key not in data:
            raise ConfigError(f"{key}: missing required key ({_TOP_KEYS[key]})")
    base = Path(base_dir) if base_dir is not None else None
    name = _text("name", data.get("name", default_name))
    budget = _positive_int("budget", data["budget"])
    seeds = _seeds(data.get("seeds", 1))
    timeout = data.get("timeout")
    if timeout is not None:
        timeout = _positive_number("timeout", timeout)
    stop = data.get("stop_on_target", False)
    if not isinstance(stop, bool):
        raise ConfigError(f"stop_on_target: expected true or false, got {stop!r}")
    imports = tuple(
        _resolve_import(f"imports[{i}]", item, base)
        for i, item in enumerate(_list("imports", data.get("imports", [])))
    )
    output = data.get("output")
    if output is not None:
        output = _text("output", output)
        if base is not None and not Path(output).is_absolute():
            output = str((base / output).resolve())
    envs = tuple(_env_entry(f"envs[{i}]", e) for i, e in enumerate(_list("envs", data["envs"])))
    agents = tuple(
        _agent_entry(f"agents[{i}]", a) for i, a in enumerate(_list("agents", data["agents"]))
    )
    if not envs:
        raise ConfigError("envs: the sweep needs at least one env")
    if not agents:
        raise ConfigError("agents: the sweep needs at least one agent")
    raw = {
        "name": name,
        "budget": budget,
        "seeds": list(seeds),
        "stop_on_target": stop,
        "envs": [_plain(e) for e in envs],
        "agents": [_plain(a) for a in agents],
    }
    return SweepSpec(
        name=name,
        budget=budget,
        seeds=seeds,
        envs=envs,
        agents=agents,
        timeout=timeout,
        stop_on_target=stop,
        imports=imports,
        output=output,
        description=str(data.get("description", "")),
        raw=raw,
    )


def _plain(value: Any) -> Any:
    """A dataclass tree as JSON-able plain data (for fingerprints and the stored spec)."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _reject_unknown(where: str, data: Mapping[str, Any], known: Sequence[str]) -> None:
    for key in data:
        if key not in known:
            path = f"{where}.{key}" if where else str(key)
            raise ConfigError(f"{path}: unknown key (expected one of: {', '.join(known)})")


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty text, got {value!r}")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_int(where: str, value: Any) -> int:
    if not _is_int(value) or value < 1:
        raise ConfigError(f"{where}: expected a positive integer, got {value!r}")
    return int(value)


def _positive_number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{where}: expected a positive number, got {value!r}")
    return float(value)


def _list(where: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list, got {value!r}")
    return value


def _mapping(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a mapping of name: value, got {value!r}")
    for key in value:
        if not isinstance(key, str):
            raise ConfigError(f"{where}: keys must be names, got {key!r}")
    return dict(value)


def _seeds(value: Any) -> tuple[int, ...]:
    if _is_int(value):
        if value < 1:
            raise ConfigError(f"seeds: expected a positive number of seeds, got {value!r}")
        return tuple(range(value))
    seeds = _list("seeds", value)
    if not seeds:
        raise ConfigError("seeds: expected at least one seed")
    for i, seed in enumerate(seeds):
        if not _is_int(seed) or seed < 0:
            raise ConfigError(f"seeds[{i}]: expected a non-negative integer, got {seed!r}")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"seeds: duplicated seed in {seeds!r}")
    return tuple(seeds)


def _resolve_import(where: str, value: Any, base: Path | None) -> str:
    value = _text(where, value)
    if value.endswith(".py") and base is not None and not Path(value).is_absolute():
        return str((base / value).resolve())
    return value


def _env_entry(where: str, value: Any) -> EnvEntry:
    if isinstance(value, str):
        value = {"id": value}
    entry = _mapping(where, value)
    _reject_unknown(where, entry, _ENV_KEYS)
    if "id" not in entry:
        raise ConfigError(f"{where}.id: missing required key (the env id, e.g. archgym/DRAM-v0)")
    workloads = entry.get("workloads", [None])
    objectives = entry.get("objectives", [None])
    for key, items in (("workloads", workloads), ("objectives", objectives)):
        _list(f"{where}.{key}", items)
        if not items:
            raise ConfigError(f"{where}.{key}: expected at least one entry")
    for i, objective in enumerate(objectives):
        if objective is not None and not isinstance(objective, str | Mapping):
            raise ConfigError(
                f"{where}.objectives[{i}]: expected an objective string or mapping, "
                f"got {objective!r}"
            )
    return EnvEntry(
        id=_text(f"{where}.id", entry["id"]),
        workloads=tuple(workloads),
        objectives=tuple(_plain(o) for o in objectives),
        options=_mapping(f"{where}.options", entry.get("options", {})),
    )


def _agent_entry(where: str, value: Any) -> AgentEntry:
    if isinstance(value, str):
        value = {"name": value}
    entry = _mapping(where, value)
    _reject_unknown(where, entry, _AGENT_KEYS)
    if "name" not in entry:
        raise ConfigError(f"{where}.name: missing required key (the agent name, e.g. ga)")
    if "grid" in entry and "random" in entry:
        raise ConfigError(f"{where}: give either grid or random, not both")
    fixed = _mapping(f"{where}.hyperparameters", entry.get("hyperparameters", {}))
    grid = _mapping(f"{where}.grid", entry.get("grid", {}))
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(
                f"{where}.grid.{key}: expected a non-empty list of values, got {values!r}"
            )
        if key in fixed:
            raise ConfigError(f"{where}.grid.{key}: also given in {where}.hyperparameters")
    random = None
    if "random" in entry:
        random = _random_draws(f"{where}.random", entry["random"])
        for key in random.ranges:
            if key in fixed:
                raise ConfigError(
                    f"{where}.random.ranges.{key}: also given in {where}.hyperparameters"
                )
    return AgentEntry(
        name=_text(f"{where}.name", entry["name"]).lower(),
        hyperparameters=fixed,
        grid={k: tuple(v) for k, v in grid.items()},
        random=random,
    )


def _random_draws(where: str, value: Any) -> RandomDraws:
    entry = _mapping(where, value)
    _reject_unknown(where, entry, _RANDOM_KEYS)
    if "draws" not in entry or "ranges" not in entry:
        raise ConfigError(f"{where}: needs draws (how many settings) and ranges")
    seed = entry.get("seed", 0)
    if not _is_int(seed) or seed < 0:
        raise ConfigError(f"{where}.seed: expected a non-negative integer, got {seed!r}")
    ranges = {
        key: _range(f"{where}.ranges.{key}", item)
        for key, item in _mapping(f"{where}.ranges", entry["ranges"]).items()
    }
    if not ranges:
        raise ConfigError(f"{where}.ranges: expected at least one hyperparameter")
    return RandomDraws(_positive_int(f"{where}.draws", entry["draws"]), int(seed), ranges)


def _range(where: str, value: Any) -> ParameterRange:
    if isinstance(value, list):
        value = {"choices": value}
    entry = _mapping(where, value)
    _reject_unknown(where, entry, _RANGE_KEYS)
    if "choices" in entry:
        if set(entry) != {"choices"}:
            raise ConfigError(f"{where}: give either choices or low/high, not both")
        choices = _list(f"{where}.choices", entry["choices"])
        if not choices:
            raise ConfigError(f"{where}.choices: expected at least one value")
        return ParameterRange(choices=tuple(choices))
    if "low" not in entry or "high" not in entry:
        raise ConfigError(f"{where}: expected choices, or low and high")
    low, high = entry["low"], entry["high"]
    for key, number in (("low", low), ("high", high)):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ConfigError(f"{where}.{key}: expected a number, got {number!r}")
    if not low <= high:
        raise ConfigError(f"{where}: low {low!r} is above high {high!r}")
    log, integer = entry.get("log", False), entry.get("integer", False)
    for key, flag in (("log", log), ("integer", integer)):
        if not isinstance(flag, bool):
            raise ConfigError(f"{where}.{key}: expected true or false, got {flag!r}")
    if log and low <= 0:
        raise ConfigError(f"{where}.low: a log range needs low > 0, got {low!r}")
    if integer and not (_is_int(low) and _is_int(high)):
        raise ConfigError(f"{where}: an integer range needs integer low and high")
    return ParameterRange(low=low, high=high, log=log, integer=integer)


# ------------------------------------------------------------------------ imports
def import_plugins(imports: Sequence[str]) -> None:
    """Import the spec's ``imports`` (module names or .py files) so they register envs.

    A .py file is imported as module ``archgym_plugin_<stem>`` (once per process).
    Raises ConfigError naming the entry when it cannot be imported.
    """
    for i, item in enumerate(imports):
        try:
            if item.endswith(".py"):
                name = "archgym_plugin_" + Path(item).stem.replace("-", "_")
                if name in sys.modules:
                    continue
                spec = importlib.util.spec_from_file_location(name, item)
                if spec is None or spec.loader is None:
                    raise ImportError(f"cannot load {item}")
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[name]
                    raise
            else:
                importlib.import_module(item)
        except (ImportError, OSError, SyntaxError) as error:
            raise ConfigError(f"imports[{i}]: cannot import {item!r}: {error}") from error


# ------------------------------------------------------------------------ semantic check
def check_spec(spec: SweepSpec) -> None:
    """Build every env and every expanded agent setting once, evaluating nothing.

    Raises ConfigError whose message starts with the key path (``envs[0].workloads[2]``,
    ``agents[1].grid.mutation_prob``) for anything the library rejects.
    """
    from archgym.agents import agent_class, make_agent
    from archgym.envs import make_env
    from archgym.experiments.runs import agent_settings

    import_plugins(spec.imports)
    spaces = []
    for i, entry in enumerate(spec.envs):
        where = f"envs[{i}]"
        for j, workload in enumerate(entry.workloads):
            for k, objective in enumerate(entry.objectives):
                kwargs = env_kwargs(entry, workload, objective)
                try:
                    env = make_env(entry.id, **kwargs)
                except ArchGymError as error:
                    raise ConfigError(f"{_env_key(where, entry, j, k, error)}: {error}") from error
                except Exception as error:  # an env factory's own bug or bad input
                    raise ConfigError(
                        f"{where}: cannot build {entry.id} with {kwargs}: "
                        f"{type(error).__name__}: {error}"
                    ) from error
                spaces.append(env.unwrapped.design_space)
                env.close()
    for i, agent in enumerate(spec.agents):
        where = f"agents[{i}]"
        try:
            cls = agent_class(agent.name)
        except ConfigError as error:
            raise ConfigError(f"{where}.name: {error}") from error
        known = {h.name for h in cls.hyperparameter_specs}
        for group, names in (
            ("hyperparameters", agent.hyperparameters),
            ("grid", agent.grid),
            ("random.ranges", agent.random.ranges if agent.random else {}),
        ):
            for name in names:
                if name not in known:
                    raise ConfigError(
                        f"{where}.{group}.{name}: unknown hyperparameter of agent "
                        f"{agent.name!r} (known: {', '.join(sorted(known)) or 'none'})"
                    )
        for setting in agent_settings(agent):
            for space in {id(s): s for s in spaces}.values():
                try:
                    make_agent(agent.name, space, seed=0, **setting)
                except ArchGymError as error:
                    raise ConfigError(f"{_agent_key(where, agent, error)}: {error}") from error


def env_kwargs(entry: EnvEntry, workload: Any, objective: Any) -> dict[str, Any]:
    """Keyword arguments of ``make_env`` for one (workload, objective) of an env entry."""
    kwargs = dict(entry.options)
    if workload is not None:
        kwargs["workload"] = workload
    if objective is not None:
        kwargs["objective"] = dict(objective) if isinstance(objective, Mapping) else objective
    return kwargs


def _env_key(where: str, entry: EnvEntry, j: int, k: int, error: Exception) -> str:
    from archgym.errors import WorkloadError

    message = str(error)
    if isinstance(error, WorkloadError):
        # A workload's reader named the file and line; the key is where the workload came
        # from, never the objective (whatever words the file's path or message holds).
        if entry.workloads[j] is not None:
            return f"{where}.workloads[{j}]"
        if "workload" in entry.options:
            return f"{where}.options.workload"
        return where
    about_objective = any(word in message.lower() for word in ("objective", "metric", "target"))
    if about_objective and entry.objectives[k] is not None:
        return f"{where}.objectives[{k}]"
    for option in entry.options:
        if repr(option) in message or f"{option}=" in message or f" {option} " in message:
            return f"{where}.options.{option}"
    if "unknown env" in message:
        return f"{where}.id"
    return where


def _agent_key(where: str, agent: AgentEntry, error: Exception) -> str:
    message = str(error)
    for group, names in (
        ("hyperparameters", agent.hyperparameters),
        ("grid", agent.grid),
        ("random.ranges", agent.random.ranges if agent.random else {}),
    ):
        for name in names:
            if repr(name) in message:
                return f"{where}.{group}.{name}"
    return where
