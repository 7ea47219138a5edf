"""Envs on external simulator binaries: DRAMsim3, Ramulator 2, DRAMSys, Timeloop, ASTRA-sim 2.

Each env runs the real tool once per evaluation (see
:mod:`archgym.simulators.external`). The tools are not Python packages: build or install
them, then point archgym at the executable with the ``binary`` option
(``gym.make("archgym/DRAMsim3-v0", binary="/path/to/dramsim3main")``, on the command
line ``--env-arg binary=...``) or the tool's environment variable; building an env whose
executable cannot be found raises ToolNotFoundError saying where it looked.

Also here: :data:`ADAPTERS` and :func:`make_adapter` (adapters by short name) and
:func:`validate_adapter`, the library side of ``archgym validate``: the same designs on
an adapter and on its native counterpart env.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgym.envs.registry import passes_options, register_env
from archgym.errors import ConfigError, WorkloadError

if TYPE_CHECKING:
    from archgym.envs.base import DesignEnv
    from archgym.simulators.external.base import CommandLineSimulator
    from archgym.simulators.external.validation import Comparison

DRAMSIM3_ENV_ID = "archgym/DRAMsim3-v0"
RAMULATOR2_ENV_ID = "archgym/Ramulator2-v0"
DRAMSYS_ENV_ID = "archgym/DRAMSys-v0"
TIMELOOP_ENV_ID = "archgym/Timeloop-v0"
ASTRASIM_ENV_ID = "archgym/AstraSim-v0"

#: Adapter name -> (simulator class path, env id).
ADAPTERS = {
    "dramsim3": ("archgym.simulators.external.dramsim3:DRAMsim3Simulator", DRAMSIM3_ENV_ID),
    "ramulator2": ("archgym.simulators.external.ramulator2:Ramulator2Simulator", RAMULATOR2_ENV_ID),
    "dramsys": ("archgym.simulators.external.dramsys:DRAMSysSimulator", DRAMSYS_ENV_ID),
    "timeloop": ("archgym.simulators.external.timeloop:TimeloopSimulator", TIMELOOP_ENV_ID),
    "astrasim": ("archgym.simulators.external.astrasim:AstraSimSimulator", ASTRASIM_ENV_ID),
}

#: Objectives of the DRAM adapter envs (their metrics are a subset of DRAM-v0's).
DRAM_OBJECTIVES = {
    "power": "target: power_mw <= {power}",
    "energy": "min: energy_nj",
    "bandwidth": "max: bandwidth_gbps",
}
TIMELOOP_OBJECTIVES = {"edp": "min: edp", "energy": "min: energy_uj", "cycles": "min: cycles"}
ASTRASIM_OBJECTIVES = {"step_time": "min: step_time_ns", "exposed": "min: exposed_comm_ns"}


def adapter_class(name: str) -> type[CommandLineSimulator]:
    """The class of the adapter called ``name`` (a key of :data:`ADAPTERS` or its env id).

    Raises ConfigError naming the known adapters.
    """
    import importlib

    for key, (path, env_id) in ADAPTERS.items():
        if name in (key, env_id):
            module, _, cls = path.partition(":")
            return getattr(importlib.import_module(module), cls)
    raise ConfigError(f"unknown adapter {name!r}; known adapters: {', '.join(ADAPTERS)}")


def make_adapter(name: str, **options: Any) -> CommandLineSimulator:
    """The adapter called ``name`` built with ``options`` (see :func:`adapter_class`)."""
    return adapter_class(name)(**options)


def _split_options(options: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Pop the simulator's options (``names``) out of the env options."""
    return {name: options.pop(name) for name in names if name in options}


#: Options every external env passes to its simulator rather than to DesignEnv.
_RUN_OPTIONS = ("binary", "timeout_s", "environment", "work_root", "keep_work_dirs", "jobs")
#: Each env's own simulator options, besides the run options.
_DRAMSIM3_OPTIONS = ("memspec", "address_mapping")
_RAMULATOR2_OPTIONS = ("org_preset", "timing_preset", "ranks", "channel_width", "address_mapping")
_DRAMSYS_OPTIONS = ("memspec", "memspec_file", "address_mapping")
_TIMELOOP_OPTIONS = ("word_bits",)
_ASTRASIM_OPTIONS = ("npus", "latency_ns", "endpoint_delay")


def dram_trace(workload: Any, trace_length: Any = 10_000, seed: Any = 0) -> Any:
    """A DRAM Trace from a preset name, a trace file or a Trace (as DRAM-v0 reads them)."""
    from archgym.simulators.dram import PRESETS, Trace, preset_trace, read_trace

    if isinstance(workload, Trace):
        return workload
    if isinstance(workload, str) and workload in PRESETS:
        try:
            return preset_trace(workload, int(trace_length), seed=int(seed))
        except (TypeError, ValueError) as error:
            raise ConfigError(
                f"trace_length and seed must be integers, got {trace_length!r}, {seed!r}"
            ) from error
    if isinstance(workload, str | Path) and Path(workload).exists():
        return read_trace(workload)
    raise WorkloadError(
        f"unknown DRAM workload {workload!r}: not a preset ({', '.join(PRESETS)}), "
        "an existing trace file nor a Trace"
    )


def _dram_env(
    adapter: str,
    env_id: str,
    workload: Any,
    objective: Any,
    trace_length: Any,
    seed: Any,
    tool_options: tuple[str, ...],
    env_options: dict[str, Any],
) -> DesignEnv:
    from archgym.envs.base import DesignEnv
    from archgym.envs.dram import POWER_TARGET_MW

    options = _split_options(env_options, _RUN_OPTIONS + tool_options)
    simulator = make_adapter(adapter, **options)
    if isinstance(objective, str) and objective in DRAM_OBJECTIVES:
        objective = DRAM_OBJECTIVES[objective].format(power=POWER_TARGET_MW)
    trace = dram_trace(workload, trace_length, seed)
    return DesignEnv(simulator, trace, objective, env_id=env_id, **env_options)


@passes_options(*_RUN_OPTIONS, *_DRAMSIM3_OPTIONS)
def make_dramsim3_env(
    workload: Any = "stream",
    objective: Any = "power",
    trace_length: int = 10_000,
    seed: int = 0,
    **options: Any,
) -> DesignEnv:
    """Build archgym/DRAMsim3-v0: DRAMsim3 on a DRAM trace.

    ``workload``: a DRAM-v0 preset (``trace_length`` requests, ``seed``), a trace file
    or a Trace. ``objective``: "power" (ArchGym's 1 W target), "energy", "bandwidth" or
    any objective spec. ``binary``, ``memspec``, ``address_mapping``, ``timeout_s``,
    ``jobs``... go to :class:`~archgym.simulators.external.dramsim3.DRAMsim3Simulator`;
    the rest to :class:`~archgym.envs.base.DesignEnv`.
    """
    return _dram_env(
        "dramsim3",
        DRAMSIM3_ENV_ID,
        workload,
        objective,
        trace_length,
        seed,
        _DRAMSIM3_OPTIONS,
        options,
    )


@passes_options(*_RUN_OPTIONS, *_RAMULATOR2_OPTIONS)
def make_ramulator2_env(
    workload: Any = "stream",
    objective: Any = "power",
    trace_length: int = 10_000,
    seed: int = 0,
    **options: Any,
) -> DesignEnv:
    """Build archgym/Ramulator2-v0: Ramulator 2.0 on a DRAM trace (as DRAMsim3-v0).

    Simulator options: ``binary``, ``org_preset``, ``timing_preset``, ``ranks``,
    ``channel_width``, ``address_mapping`` and the run options (``timeout_s``...).
    """
    return _dram_env(
        "ramulator2",
        RAMULATOR2_ENV_ID,
        workload,
        objective,
        trace_length,
        seed,
        _RAMULATOR2_OPTIONS,
        options,
    )


@passes_options(*_RUN_OPTIONS, *_DRAMSYS_OPTIONS)
def make_dramsys_env(
    workload: Any = "stream",
    objective: Any = "power",
    trace_length: int = 10_000,
    seed: int = 0,
    **options: Any,
) -> DesignEnv:
    """Build archgym/DRAMSys-v0: DRAMSys with DRAMGym's ten knobs (as DRAMsim3-v0).

    Simulator options: ``binary``, ``memspec``, ``memspec_file``, ``address_mapping`` and
    the run options.
    """
    return _dram_env(
        "dramsys",
        DRAMSYS_ENV_ID,
        workload,
        objective,
        trace_length,
        seed,
        _DRAMSYS_OPTIONS,
        options,
    )


@passes_options(*_RUN_OPTIONS, *_TIMELOOP_OPTIONS)
def make_timeloop_env(
    workload: Any = "small_conv", objective: Any = "edp", **options: Any
) -> DesignEnv:
    """Build archgym/Timeloop-v0: timeloop-model on each layer of a DNN workload.

    ``workload``: a network ("alexnet"), one of its layers ("resnet18/layer3.0.conv1"),
    a preset ("small_conv"), Layer(s) or a Network (see
    :func:`archgym.envs.thirdparty.resolve_workload`). ``objective``: "edp", "energy",
    "cycles" or any spec. ``binary``, ``word_bits`` and the run options go to
    :class:`~archgym.simulators.external.timeloop.TimeloopSimulator`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.envs.thirdparty import resolve_workload

    simulator = make_adapter(
        "timeloop", **_split_options(options, _RUN_OPTIONS + _TIMELOOP_OPTIONS)
    )
    if isinstance(objective, str) and objective in TIMELOOP_OBJECTIVES:
        objective = TIMELOOP_OBJECTIVES[objective]
    return DesignEnv(
        simulator, resolve_workload(workload), objective, env_id=TIMELOOP_ENV_ID, **options
    )


@passes_options(*_RUN_OPTIONS, *_ASTRASIM_OPTIONS)
def make_astrasim_env(
    workload: Any = "dp-4layers", objective: Any = "step_time", **options: Any
) -> DesignEnv:
    """Build archgym/AstraSim-v0: ASTRA-sim 2 (analytical) on a data-parallel step.

    ``workload``: a preset of :data:`archgym.simulators.external.astrasim.PRESETS`, a
    TrainingStep or a list of Layers. ``objective``: "step_time", "exposed" or any spec.
    ``binary``, ``npus``, ``latency_ns``, ``endpoint_delay`` and the run options go to
    :class:`~archgym.simulators.external.astrasim.AstraSimSimulator`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.simulators.external.astrasim import get_step

    simulator = make_adapter(
        "astrasim", **_split_options(options, _RUN_OPTIONS + _ASTRASIM_OPTIONS)
    )
    if isinstance(objective, str) and objective in ASTRASIM_OBJECTIVES:
        objective = ASTRASIM_OBJECTIVES[objective]
    return DesignEnv(simulator, get_step(workload), objective, env_id=ASTRASIM_ENV_ID, **options)


def validate_adapter(
    env_id: str,
    adapter: str | CommandLineSimulator,
    n: int = 50,
    *,
    seed: int = 0,
    workload: Any = None,
    env_options: Mapping[str, Any] | None = None,
    adapter_options: Mapping[str, Any] | None = None,
    jobs: int = 1,
    progress: bool = False,
) -> Comparison:
    """The same ``n`` designs on ``adapter`` and on the native env ``env_id``.

    Designs are sampled (seeded, without repeats) from the adapter's design space with
    its tool-only knobs held (see NativeCounterpart); the native env is built with the
    counterpart's options, then ``env_options`` (and ``workload``); both simulators run
    on the native env's workload. Raises ConfigError when the adapter has no native
    counterpart or a different one.
    """
    from archgym.envs.registry import make_env
    from archgym.simulators.external.validation import compare, sample_tool_designs

    tool = adapter
    if isinstance(adapter, str):
        tool = make_adapter(adapter, **(adapter_options or {}))
    counterpart_of = getattr(tool, "native_counterpart", None)
    if counterpart_of is None:
        with_counterparts = [
            name for name in ADAPTERS if hasattr(adapter_class(name), "native_counterpart")
        ]
        raise ConfigError(
            f"adapter {tool.name!r} has no native counterpart to validate against; adapters "
            f"that have one: {', '.join(with_counterparts)}"
        )
    counterpart = counterpart_of()
    if counterpart.env_id != env_id:
        raise ConfigError(
            f"adapter {tool.name!r} is validated against {counterpart.env_id}, not {env_id}"
        )
    options = {**counterpart.env_options, **(env_options or {})}
    if workload is not None:
        options["workload"] = workload
    env = make_env(env_id, **options)
    native = env.unwrapped
    designs = sample_tool_designs(tool.design_space, counterpart, n, seed)
    return compare(
        native.simulator,
        tool,
        designs,
        native.workload,
        counterpart,
        native_name=env_id,
        jobs=jobs,
        progress=progress,
    )


register_env(
    DRAMSIM3_ENV_ID,
    "archgym.envs.external:make_dramsim3_env",
    "DRAMsim3 (dramsim3main, built separately) on DRAM-v0's traces and memspecs: page "
    "policy, queues, refresh; time, bandwidth, energy, power, latency",
)
register_env(
    RAMULATOR2_ENV_ID,
    "archgym.envs.external:make_ramulator2_env",
    "Ramulator 2.0 (ramulator2, built separately), DDR4: page policy, refresh, write "
    "watermarks; time, bandwidth, energy, power, latency",
)
register_env(
    DRAMSYS_ENV_ID,
    "archgym.envs.external:make_dramsys_env",
    "DRAMSys 5 (built separately) with DRAMGym's ten controller knobs; time, bandwidth, "
    "energy, power",
)
register_env(
    TIMELOOP_ENV_ID,
    "archgym.envs.external:make_timeloop_env",
    "Timeloop timeloop-model (built separately) on a PE-array template: PEs, buffers, "
    "dataflow; energy, cycles, area per network",
)
register_env(
    ASTRASIM_ENV_ID,
    "archgym.envs.external:make_astrasim_env",
    "ASTRA-sim 2 analytical (built separately): 2-D network topology, bandwidth, "
    "collectives, scheduling; data-parallel step time",
)
