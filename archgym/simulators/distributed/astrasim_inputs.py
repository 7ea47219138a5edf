"""Readers for the ASTRA-sim 2 inputs ArchGym's AstraSim env writes.

* Workload config (JSON), as ArchGym's ``workload_cfg_*.json`` for the symbolic tensor
  graph generator: ``num_npus``, ``dp``, ``pp``, ``sp``, ``weight_sharded``, ``din``,
  ``dout``, ``dff``, ``dmodel``, ``batch``, ``head``, ``num_stacks`` and one of ``seq``
  (training), ``prefilling`` (prompt length, prefill) or ``decoding`` (KV-cache length,
  decode). The tensor-parallel degree is what the others leave:
  ``num_npus / (dp x pp x sp)`` (ArchGym's ``conf_file_tools``). ``din`` and ``dout``
  are the embedding's input and output sizes (the vocabulary), ``num_stacks`` the
  transformer layers.
* Network config (YAML), ASTRA-sim's analytical network: lists ``topology``,
  ``npus_count``, ``bandwidth`` (GB/s per link) and ``latency`` (ns per link).
* System config (JSON): ``scheduling-policy``, ``active-chunks-per-dimension``,
  ``preferred-dataset-splits``, ``all-reduce-implementation`` (and all-gather,
  reduce-scatter, all-to-all; one entry per dimension, or one for all),
  ``collective-optimization``, ``endpoint-delay``; when ``roofline-enabled`` is 1,
  ``peak-perf`` (TFLOP/s), ``local-mem-bw`` (GB/s) and the memory size
  (``memory-capacity`` or ``local-mem-size``, bytes) describe the device.

A missing, binary or malformed file, a missing field or a value of the wrong type
raises WorkloadError (workload) or ConfigError (network, system) naming the file, the
field and, for a parse error, the line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archgym.errors import ArchGymError, ConfigError, WorkloadError
from archgym.parsing import is_real, read_json, read_yaml
from archgym.simulators.distributed.devices import DeviceSpec
from archgym.simulators.distributed.layout import ParallelLayout
from archgym.simulators.distributed.network import TOPOLOGIES, Network, network_from_lists
from archgym.simulators.distributed.routing import ALGORITHMS
from archgym.simulators.distributed.system import (
    COLLECTIVE_OPTIMIZATIONS,
    COLLECTIVES,
    SCHEDULING_POLICIES,
    SystemConfig,
)
from archgym.simulators.distributed.workloads import TransformerModel

PHASE_FIELDS = {"seq": "training", "prefilling": "prefill", "decoding": "decode"}
_WORKLOAD_FIELDS = (
    "num_npus",
    "dp",
    "pp",
    "sp",
    "din",
    "dout",
    "dff",
    "dmodel",
    "batch",
    "head",
    "num_stacks",
)


@dataclass(frozen=True)
class AstraSimWorkload:
    """A workload config: the model, its parallel layout, batch, phase and token count.

    ``phase`` is "training" (``tokens`` = sequence length), "prefill" (prompt length) or
    "decode" (KV-cache length the decode step attends over).
    """

    model: TransformerModel
    layout: ParallelLayout
    npus: int
    batch: int
    phase: str
    tokens: int


def read_workload_config(path: str | Path) -> AstraSimWorkload:
    """Read an ArchGym/ASTRA-sim workload config JSON; WorkloadError on bad input."""
    where = str(path)
    data = _load(path, read_json, WorkloadError, "JSON")
    values = {name: _integer(data, name, where, WorkloadError) for name in _WORKLOAD_FIELDS}
    phases = [name for name in PHASE_FIELDS if name in data]
    if len(phases) != 1:
        raise WorkloadError(
            f"{where}: needs exactly one of the fields 'seq', 'prefilling', 'decoding' "
            f"(found {', '.join(map(repr, phases)) or 'none'})"
        )
    tokens = _integer(data, phases[0], where, WorkloadError)
    sharded = data.get("weight_sharded", 0)
    if isinstance(sharded, bool) or not isinstance(sharded, int | float) or sharded not in (0, 1):
        raise WorkloadError(f"{where}: field 'weight_sharded' must be 0 or 1, got {sharded!r}")
    if values["din"] != values["dout"]:
        raise WorkloadError(
            f"{where}: fields 'din' ({values['din']}) and 'dout' ({values['dout']}) differ; "
            "archgym models one vocabulary for the input and output embeddings"
        )
    spatial = values["dp"] * values["pp"] * values["sp"]
    tp, rest = divmod(values["num_npus"], spatial)
    if rest or tp == 0:
        raise WorkloadError(
            f"{where}: dp x pp x sp = {spatial} does not divide num_npus {values['num_npus']} "
            "(the tensor-parallel degree is num_npus / (dp x pp x sp))"
        )
    try:
        model = TransformerModel(
            Path(path).stem,
            layers=values["num_stacks"],
            hidden=values["dmodel"],
            heads=values["head"],
            ffn_hidden=values["dff"],
            vocab=values["din"],
            dropout=False,
            tied_embeddings=False,
            learned_positions=False,
            max_positions=tokens,
        )
        layout = ParallelLayout(
            dp=values["dp"], tp=tp, pp=values["pp"], sp=values["sp"], weight_sharded=bool(sharded)
        )
    except ArchGymError as error:
        raise WorkloadError(f"{where}: {error}") from None
    return AstraSimWorkload(
        model, layout, values["num_npus"], values["batch"], PHASE_FIELDS[phases[0]], tokens
    )


def read_network_config(path: str | Path) -> Network:
    """Read an ASTRA-sim analytical network YAML; ConfigError on bad input."""
    where = str(path)
    data = _load(path, read_yaml, ConfigError, "YAML")
    lists = {}
    for name in ("topology", "npus_count", "bandwidth", "latency"):
        value = data.get(name)
        if not isinstance(value, list) or not value:
            raise ConfigError(f"{where}: field {name!r} must be a non-empty list, got {value!r}")
        lists[name] = value
    for k, topology in enumerate(lists["topology"]):
        if topology not in TOPOLOGIES:
            raise ConfigError(
                f"{where}: field 'topology' entry {k} is {topology!r}; "
                f"expected one of {', '.join(TOPOLOGIES)}"
            )
    for name, kind in (("npus_count", int), ("bandwidth", float), ("latency", float)):
        for k, value in enumerate(lists[name]):
            bad = not is_real(value) or not math.isfinite(value) or value < 0
            if bad or (kind is int and value != int(value)):
                raise ConfigError(
                    f"{where}: field {name!r} entry {k} must be a {kind.__name__}, got {value!r}"
                )
    try:
        return network_from_lists(
            lists["topology"],
            [int(n) for n in lists["npus_count"]],
            lists["bandwidth"],
            lists["latency"],
        )
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None


@dataclass(frozen=True)
class AstraSimSystem:
    """A system config and, when its roofline is enabled, the device it describes."""

    system: SystemConfig
    device: DeviceSpec | None


def read_system_config(path: str | Path, dimensions: int) -> AstraSimSystem:
    """Read an ASTRA-sim system JSON for a network of ``dimensions`` dimensions.

    An implementation list of one entry applies to every dimension. ConfigError on bad
    input.
    """
    where = str(path)
    data = _load(path, read_json, ConfigError, "JSON")
    implementations = {}
    for collective in COLLECTIVES:
        name = collective.replace("_", "-") + "-implementation"
        value = data.get(name)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise ConfigError(
                f"{where}: field {name!r} must be a list of algorithms, got {value!r}"
            )
        for k, algorithm in enumerate(value):
            if algorithm not in ALGORITHMS:
                raise ConfigError(
                    f"{where}: field {name!r} entry {k} is {algorithm!r}; "
                    f"expected one of {', '.join(ALGORITHMS)}"
                )
        if len(value) == 1:
            value = value * dimensions
        if len(value) != dimensions:
            raise ConfigError(
                f"{where}: field {name!r} lists {len(value)} algorithms for a network of "
                f"{dimensions} dimensions"
            )
        implementations[collective] = tuple(value)
    policy = _choice(data, "scheduling-policy", SCHEDULING_POLICIES, "LIFO", where)
    optimization = _choice(
        data, "collective-optimization", COLLECTIVE_OPTIMIZATIONS, "localBWAware", where
    )
    system = SystemConfig(
        implementations,
        scheduling_policy=policy,
        active_chunks_per_dimension=_integer(
            data, "active-chunks-per-dimension", where, ConfigError, 1
        ),
        preferred_dataset_splits=_integer(data, "preferred-dataset-splits", where, ConfigError, 1),
        collective_optimization=optimization,
        endpoint_delay_ns=_number(data, "endpoint-delay", where, 10.0),
    )
    device = None
    if data.get("roofline-enabled", 0) == 1:
        memory_field = "memory-capacity" if "memory-capacity" in data else "local-mem-size"
        try:
            device = DeviceSpec(
                Path(path).stem,
                peak_tflops=_number(data, "peak-perf", where),
                memory_bandwidth_gbs=_number(data, "local-mem-bw", where),
                memory_gb=_number(data, memory_field, where) / 1e9,
            )
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None
    return AstraSimSystem(system, device)


# ---------------------------------------------------------------- helpers


def _load(path: str | Path, parse, error: type[ArchGymError], kind: str) -> dict[str, Any]:
    data = parse(path, f"ASTRA-sim {kind}", error)
    if not isinstance(data, dict):
        raise error(f"{path}: expected a {kind} mapping of fields, got {type(data).__name__}")
    return data


def _integer(
    data: dict, name: str, where: str, error: type[ArchGymError], default: int | None = None
) -> int:
    if name not in data:
        if default is not None:
            return default
        raise error(f"{where}: missing field {name!r}")
    value = data[name]
    if not is_real(value) or not math.isfinite(value) or value != int(value) or value < 1:
        raise error(f"{where}: field {name!r} must be a positive integer, got {value!r}")
    return int(value)


def _number(data: dict, name: str, where: str, default: float | None = None) -> float:
    if name not in data:
        if default is not None:
            return default
        raise ConfigError(f"{where}: missing field {name!r}")
    value = data[name]
    if not is_real(value) or not math.isfinite(value) or value < 0:
        raise ConfigError(f"{where}: field {name!r} must be a non-negative number, got {value!r}")
    return float(value)


def _choice(data: dict, name: str, choices: tuple[str, ...], default: str, where: str) -> str:
    value = data.get(name, default)
    if value not in choices:
        raise ConfigError(
            f"{where}: field {name!r} is {value!r}; expected one of {', '.join(choices)}"
        )
    return value
