"""ASTRA-sim's system layer settings: collective algorithms and chunk scheduling.

Field names follow ASTRA-sim's system JSON (``scheduling-policy``,
``active-chunks-per-dimension``, ``preferred-dataset-splits``,
``<collective>-implementation`` per dimension, ``collective-optimization``,
``endpoint-delay``). What each does in this model:

* ``preferred_dataset_splits`` S: a collective is cut into S chunks that flow through
  its phases one after another, so different dimensions work on different chunks at
  once (ASTRA-sim ``Sys::determine_chunk_size``); each chunk pays every phase's latency.
* ``active_chunks_per_dimension`` c: chunks a dimension serves at once. With c > 1 the
  latency of one chunk overlaps the transfer of others, and an algorithm that leaves
  links idle (a ring algorithm uses one direction of a bidirectional ring) can run up to
  c chunks side by side on the idle links.
* ``collective_optimization``: "localBWAware" runs a multi-dimensional all-reduce as
  reduce-scatter up the dimensions, all-reduce in the last one and all-gather back down,
  so outer dimensions carry only their share; "baseline" all-reduces the whole buffer in
  every dimension in turn (ASTRA-sim ``Sys::generate_collective``).
* ``scheduling_policy``: order in which queued collectives are served. LIFO serves the
  most recently issued first (ASTRA-sim gives later streams higher priority): the
  gradient reductions of the first layers, issued last in the backward pass and needed
  first by the next forward pass, overtake the queue; FIFO serves them last.
"""

from __future__ import annotations

from dataclasses import dataclass

from archgym.errors import ConfigError
from archgym.simulators.distributed.routing import ALGORITHMS

COLLECTIVES = ("all_reduce", "all_gather", "reduce_scatter", "all_to_all")
SCHEDULING_POLICIES = ("LIFO", "FIFO")
COLLECTIVE_OPTIMIZATIONS = ("baseline", "localBWAware")


@dataclass(frozen=True)
class SystemConfig:
    """Collective implementations per dimension and the chunk scheduling settings.

    ``implementations`` maps each of :data:`COLLECTIVES` to one algorithm per network
    dimension (:data:`~archgym.simulators.distributed.routing.ALGORITHMS`).
    """

    implementations: dict[str, tuple[str, ...]]
    scheduling_policy: str = "LIFO"
    active_chunks_per_dimension: int = 1
    preferred_dataset_splits: int = 1
    collective_optimization: str = "localBWAware"
    endpoint_delay_ns: float = 10.0

    def __post_init__(self) -> None:
        missing = [c for c in COLLECTIVES if c not in self.implementations]
        if missing:
            raise ConfigError(f"system: no implementation given for {', '.join(missing)}")
        lengths = {len(v) for v in self.implementations.values()}
        if len(lengths) != 1:
            raise ConfigError("system: every collective needs one implementation per dimension")
        for collective, algorithms in self.implementations.items():
            for algorithm in algorithms:
                if algorithm not in ALGORITHMS:
                    raise ConfigError(
                        f"system: {collective} implementation {algorithm!r} is not one of "
                        f"{', '.join(ALGORITHMS)}"
                    )
        _check_choice("scheduling-policy", self.scheduling_policy, SCHEDULING_POLICIES)
        _check_choice(
            "collective-optimization", self.collective_optimization, COLLECTIVE_OPTIMIZATIONS
        )
        for attr in ("active_chunks_per_dimension", "preferred_dataset_splits"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"system: {attr} must be a positive integer, got {value!r}")
        if not self.endpoint_delay_ns >= 0:
            raise ConfigError(
                f"system: endpoint delay must be >= 0 ns, got {self.endpoint_delay_ns}"
            )

    @property
    def dimensions(self) -> int:
        return len(self.implementations["all_reduce"])

    def algorithm(self, collective: str, dimension: int) -> str:
        return self.implementations[collective][dimension]


def uniform_system(dimensions: int, algorithm: str = "ring", **settings: object) -> SystemConfig:
    """Every collective by ``algorithm`` in every one of ``dimensions`` dimensions."""
    return SystemConfig({c: (algorithm,) * dimensions for c in COLLECTIVES}, **settings)


def _check_choice(field: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"system: {field} {value!r} is not one of {', '.join(choices)}")
