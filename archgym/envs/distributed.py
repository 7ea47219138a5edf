"""archgym/Distributed-v0 and archgym/DistributedInference-v0: ArchGym's ASTRA-sim space.

The system, network and parallelism knobs of ArchGym's AstraSim env (see
:mod:`archgym.simulators.distributed.space`) on the native analytical model of
:mod:`archgym.simulators.distributed`: LLM training step time, and serving latency
(time to first token, time per output token). Workloads: the GPT-3 and LLaMA presets
or ArchGym's workload config JSON; networks: ArchGym's 4-D example, Selene, or an
ASTRA-sim network YAML. See docs/envs/distributed.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgym.envs.registry import register_env
from archgym.errors import ArchGymError, ConfigError, WorkloadError

if TYPE_CHECKING:
    from archgym.envs.base import DesignEnv
    from archgym.objectives import Objective

ENV_ID = "archgym/Distributed-v0"
INFERENCE_ENV_ID = "archgym/DistributedInference-v0"

TRAINING_OBJECTIVES = ("step_time", "tokens_per_s", "step_time_and_cost", "multi")
INFERENCE_OBJECTIVES = ("latency", "ttft", "tpot", "throughput", "multi")
#: ArchGym's serving scenarios (AstraSim experiment 6 configs): prompt and output tokens.
#: QA: prefill 1,000, decode context 1,100 = 1,000 + 200 / 2, latency = prefill + 200
#: decode steps; Chat: 3,000, 3,500 = 3,000 + 1,000 / 2, and 1,000 decode steps.
SCENARIOS = {"qa": (1000, 200), "chat": (3000, 1000)}
#: ArchGym's configs: GPT-3 175B trains with batch 2048 and serves batches of 256.
TRAINING_BATCH = 2048
SERVING_BATCH = 256


def training_objective(name: str) -> Objective:
    """The named objectives of :data:`TRAINING_OBJECTIVES`."""
    from archgym.objectives import MultiObjective, WeightedSumObjective

    if name == "step_time":
        return WeightedSumObjective({"step_time_s": 1.0})
    if name == "tokens_per_s":
        return WeightedSumObjective({"tokens_per_s": 1.0})
    if name == "step_time_and_cost":
        return WeightedSumObjective({"step_time_s": 1.0, "network_link_bandwidth_tbs": 1.0})
    if name == "multi":
        return MultiObjective(["step_time_s", "network_link_bandwidth_tbs"])
    raise ConfigError(
        f"unknown objective {name!r}; expected one of {', '.join(TRAINING_OBJECTIVES)}"
    )


def inference_objective(name: str) -> Objective:
    """The named objectives of :data:`INFERENCE_OBJECTIVES`."""
    from archgym.objectives import MultiObjective, WeightedSumObjective

    single = {
        "latency": "request_latency_s",
        "ttft": "time_to_first_token_ms",
        "tpot": "time_per_output_token_ms",
        "throughput": "output_tokens_per_s",
    }
    if name in single:
        return WeightedSumObjective({single[name]: 1.0})
    if name == "multi":
        return MultiObjective(["time_to_first_token_ms", "time_per_output_token_ms"])
    raise ConfigError(
        f"unknown objective {name!r}; expected one of {', '.join(INFERENCE_OBJECTIVES)}"
    )


def make_distributed_env(
    workload: Any = "gpt3-175b",
    objective: Any = "step_time",
    *,
    network: Any = "archgym-4d",
    system: Any = None,
    layout: Any = None,
    device: Any = "A100",
    global_batch: int = TRAINING_BATCH,
    seq_len: int | None = None,
    layers: int | None = None,
    knobs: Any = "all",
    overlap_gradient_reduction: bool = True,
    **env_options: Any,
) -> DesignEnv:
    """Build archgym/Distributed-v0 (one training step).

    ``workload``: a model preset (gpt3-175b, gpt3-13b, llama-7b, llama-13b, llama-70b,
    with ``global_batch`` sequences of ``seq_len`` tokens, the preset's context by
    default; ``layers`` overrides the depth), an ArchGym workload config JSON path (its
    model, batch, sequence and layout), or a TrainingWorkload. ``network``:
    "archgym-4d", "selene" (as many GPUs as the layout needs), an ASTRA-sim network YAML
    or a Network. ``system``: an ASTRA-sim system JSON or a SystemConfig (default:
    ArchGym's for archgym-4d, ring collectives otherwise). ``layout``: the base
    ParallelLayout (default: the workload file's, else ArchGym's GPT-3 layout). ``device``:
    "A100", "H100", a DeviceSpec, a dict of its fields, or "system" (the system file's
    roofline). ``knobs``: "all", groups ("system", "network", "workload") or knob names.
    ``objective``: one of :data:`TRAINING_OBJECTIVES` or any objective spec. Other
    keyword arguments go to :class:`~archgym.envs.base.DesignEnv`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.simulators.distributed import (
        ARCHGYM_LAYOUT,
        DistributedSimulator,
        TrainingWorkload,
    )

    model, batch, tokens, file_layout, phase = _resolve_workload(workload, layers)
    if phase not in (None, "training"):
        raise WorkloadError(f"{workload}: a {phase} config; use {INFERENCE_ENV_ID} for serving")
    if isinstance(workload, TrainingWorkload):
        training = workload
    else:
        length = tokens or (_as_int("seq_len", seq_len) if seq_len else model.max_positions)
        training = TrainingWorkload(model, batch or _as_int("global_batch", global_batch), length)
    base, device_spec = _base_design(network, system, layout or file_layout, device, ARCHGYM_LAYOUT)
    simulator = DistributedSimulator(
        training, base, device_spec, knobs, overlap_gradient_reduction=overlap_gradient_reduction
    )
    if isinstance(objective, str) and objective in TRAINING_OBJECTIVES:
        objective = training_objective(objective)
    return DesignEnv(simulator, training, objective, env_id=ENV_ID, **env_options)


def make_distributed_inference_env(
    workload: Any = "gpt3-175b",
    objective: Any = "latency",
    *,
    scenario: str = "qa",
    batch: int = SERVING_BATCH,
    prompt_tokens: int | None = None,
    output_tokens: int | None = None,
    network: Any = "archgym-4d",
    system: Any = None,
    layout: Any = None,
    device: Any = "A100",
    layers: int | None = None,
    knobs: Any = "all",
    **env_options: Any,
) -> DesignEnv:
    """Build archgym/DistributedInference-v0 (serving one request batch).

    ``workload``: a model preset, an ArchGym prefill or decoding workload config JSON
    (the prompt length, or the mean decode context, comes from the file), or an
    InferenceWorkload. ``scenario``: ArchGym's "qa" (1,000 prompt and 200 output tokens)
    or "chat" (3,000 and 1,000); ``prompt_tokens`` and ``output_tokens`` override it.
    ``objective``: one of :data:`INFERENCE_OBJECTIVES` or any objective spec. The other
    options are those of :func:`make_distributed_env`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.simulators.distributed import (
        ARCHGYM_SERVING_LAYOUT,
        InferenceSimulator,
        InferenceWorkload,
    )

    if scenario not in SCENARIOS:
        raise ConfigError(f"unknown scenario {scenario!r}; expected one of {', '.join(SCENARIOS)}")
    prompt, output = SCENARIOS[scenario]
    output = _as_int("output_tokens", output_tokens) if output_tokens is not None else output
    model, file_batch, tokens, file_layout, phase = _resolve_workload(workload, layers)
    if phase == "training":
        raise WorkloadError(f"{workload}: a training config; use {ENV_ID} for training")
    if phase == "prefill":
        prompt = tokens
    elif phase == "decode":  # the file gives the mean context prompt + output / 2
        prompt = tokens - output // 2
        if prompt < 1:
            raise WorkloadError(
                f"{workload}: decoding length {tokens} is shorter than half of the "
                f"{output} output tokens"
            )
    if prompt_tokens is not None:
        prompt = _as_int("prompt_tokens", prompt_tokens)
    if isinstance(workload, InferenceWorkload):
        serving = workload
    else:
        serving = InferenceWorkload(model, file_batch or _as_int("batch", batch), prompt, output)
    base, device_spec = _base_design(
        network, system, layout or file_layout, device, ARCHGYM_SERVING_LAYOUT
    )
    simulator = InferenceSimulator(serving, base, device_spec, knobs)
    if isinstance(objective, str) and objective in INFERENCE_OBJECTIVES:
        objective = inference_objective(objective)
    return DesignEnv(simulator, serving, objective, env_id=INFERENCE_ENV_ID, **env_options)


# ---------------------------------------------------------------- option resolution


def _resolve_workload(workload: Any, layers: int | None):
    """(model, batch or None, tokens or None, layout or None, phase or None)."""
    from archgym.simulators.distributed import (
        InferenceWorkload,
        TrainingWorkload,
        read_workload_config,
        resolve_model,
    )
    from archgym.simulators.distributed.workloads import MODELS, with_layers

    if isinstance(workload, TrainingWorkload | InferenceWorkload):
        model, batch, tokens, layout, phase = workload.model, None, None, None, None
    elif isinstance(workload, str) and workload in MODELS:
        model, batch, tokens, layout, phase = resolve_model(workload), None, None, None, None
    elif isinstance(workload, str | Path):
        if not Path(workload).exists():
            raise WorkloadError(
                f"unknown workload {str(workload)!r}: not a model preset "
                f"({', '.join(MODELS)}) nor an existing workload config file"
            )
        config = read_workload_config(workload)
        model, batch, tokens, layout, phase = (
            config.model,
            config.batch,
            config.tokens,
            config.layout,
            config.phase,
        )
    else:
        raise WorkloadError(
            f"workload must be a model preset, a workload config path or a workload, "
            f"got {workload!r}"
        )
    if layers is not None:
        model = with_layers(model, _as_int("layers", layers))
    return model, batch, tokens, layout, phase


def _base_design(network: Any, system: Any, layout: Any, device: Any, default_layout: Any):
    """(BaseDesign, DeviceSpec) from the env options; ``default_layout`` is used when
    ``layout`` is None and it fits the network, else every NPU is a data replica."""
    from archgym.simulators.distributed import (
        ARCHGYM_NETWORK,
        ARCHGYM_SYSTEM,
        BaseDesign,
        Network,
        ParallelLayout,
        SystemConfig,
        read_network_config,
        read_system_config,
        resolve_device,
        selene_network,
        uniform_system,
    )

    if layout is not None and not isinstance(layout, ParallelLayout):
        raise ConfigError(f"layout must be a ParallelLayout, got {layout!r}")
    if network == "archgym-4d":
        net = ARCHGYM_NETWORK
    elif network == "selene":
        net = selene_network((layout or default_layout).npus)
    elif isinstance(network, Network):
        net = network
    elif isinstance(network, str | Path):
        net = _read_option("network", read_network_config, network)
    else:
        raise ConfigError(
            f"network must be 'archgym-4d', 'selene', a network YAML path or a Network, "
            f"got {network!r}"
        )
    dims = len(net.dimensions)
    system_device = None
    if system is None:
        sys_config = ARCHGYM_SYSTEM if net is ARCHGYM_NETWORK else uniform_system(dims)
    elif isinstance(system, SystemConfig):
        sys_config = system
    elif isinstance(system, str | Path):
        read = _read_option("system", read_system_config, system, dims)
        sys_config, system_device = read.system, read.device
    else:
        raise ConfigError(f"system must be a system JSON path or a SystemConfig, got {system!r}")
    if sys_config.dimensions != dims:
        raise ConfigError(
            f"the system lists {sys_config.dimensions} dimensions, the network {dims}"
        )
    if layout is None:
        fits = default_layout.npus == net.npus
        layout = default_layout if fits else ParallelLayout(dp=net.npus)
    if device == "system":
        if system_device is None:
            raise ConfigError("device='system' needs a system file with roofline-enabled 1")
        device_spec = system_device
    else:
        device_spec = resolve_device(device)
    return BaseDesign(net, sys_config, layout), device_spec


def _read_option(option: str, reader: Any, path: str | Path, *args: Any) -> Any:
    """``reader(path, *args)``, its error prefixed with the option that named the file."""
    try:
        return reader(path, *args)
    except ArchGymError as error:
        raise type(error)(f"option {option!r}: {error}") from error


def _as_int(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be an integer, got {value!r}") from None
    if number < 1 or number != float(value):
        raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    return number


register_env(
    ENV_ID,
    "archgym.envs.distributed:make_distributed_env",
    "LLM training on a multi-dimensional network (ArchGym's ASTRA-sim knobs), native model",
)
register_env(
    INFERENCE_ENV_ID,
    "archgym.envs.distributed:make_distributed_inference_env",
    "LLM serving (prefill, decode) on a multi-dimensional network, ASTRA-sim knobs",
)
