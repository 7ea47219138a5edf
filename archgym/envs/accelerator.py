"""archgym/Accelerator-v0: TimeloopGym's Eyeriss-like architecture knobs over a DNN network.

Every design is costed by the native analytical model; each layer gets its own mapping
from the built-in mapper. Metrics: energy_uj, area_mm2, cycles (summed over layers), edp,
utilisation. See docs/envs/accelerator.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.envs.registry import register_env
from archgym.errors import ConfigError

if TYPE_CHECKING:
    from archgym.envs.base import DesignEnv

ENV_ID = "archgym/Accelerator-v0"

#: Named objectives: ArchGym's TimeloopGym target formulation (sum of relative excesses
#: over baseline x (1 - improvement), REFERENCES.md s1) jointly or per metric, and EDP.
OBJECTIVES = ("archgym_baseline", "archgym_energy", "archgym_area", "archgym_cycles", "edp")
_SINGLE_METRIC_OBJECTIVES = {
    "archgym_energy": ("energy_uj",),
    "archgym_area": ("area_mm2",),
    "archgym_cycles": ("cycles",),
}


def archgym_targets(
    network: str, metrics: tuple[str, ...] | None = None
) -> dict[str, tuple[str, float]]:
    """ArchGym's TimeloopGym targets for ``network`` (alexnet, mobilenet_v2, resnet50):
    baseline x (1 - improvement) per metric, as ``{metric: ("<=", value)}``."""
    from archgym.simulators.accelerator.simulator import ARCHGYM_BASELINES, ARCHGYM_IMPROVEMENT

    key = network.lower().replace("-", "_")
    if key not in ARCHGYM_BASELINES:
        raise ConfigError(
            f"ArchGym baselines exist for {sorted(ARCHGYM_BASELINES)}, not {network!r}; "
            "pass an explicit objective such as 'target: energy_uj <= 20000'"
        )
    values = dict(zip(("energy_uj", "area_mm2", "cycles"), ARCHGYM_BASELINES[key], strict=True))
    names = metrics or tuple(values)
    return {m: ("<=", values[m] * (1 - ARCHGYM_IMPROVEMENT[m])) for m in names}


def make_accelerator_env(
    workload: Any = "alexnet",
    objective: Any = "archgym_baseline",
    *,
    mapper_budget: int = 1000,
    mapper_objective: str = "edp",
    seed: int = 0,
    word_bits: int = 16,
    node_nm: float = 45.0,
    dram_type: str = "LPDDR4",
    **env_options: Any,
) -> DesignEnv:
    """Build archgym/Accelerator-v0.

    ``workload``: a package network name (alexnet, vgg16, resnet18, resnet50,
    mobilenet_v2, bert_base), a Network/Layer, a directory of Timeloop problem YAMLs, or a
    GAMMA CSV. ``objective``: one of :data:`OBJECTIVES` or any spec ``make_objective``
    accepts. ``mapper_*`` and ``seed`` configure the per-layer mapper. Other keyword
    arguments go to :class:`~archgym.envs.base.DesignEnv`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.objectives import TargetObjective, WeightedSumObjective
    from archgym.parsing import check_int, check_number
    from archgym.simulators.accelerator.simulator import AcceleratorSimulator, resolve_network

    check_int(seed, "Accelerator-v0 seed", minimum=0)
    check_int(word_bits, "Accelerator-v0 word_bits", minimum=1, maximum=64)
    check_number(node_nm, "Accelerator-v0 node_nm", minimum=1.0, maximum=1000.0)
    network = resolve_network(workload)
    simulator = AcceleratorSimulator(
        mapper_budget=mapper_budget,
        mapper_objective=mapper_objective,
        seed=seed,
        word_bits=word_bits,
        node_nm=node_nm,
        dram_type=dram_type,
    )
    if isinstance(objective, str) and objective in OBJECTIVES:
        if objective == "edp":
            objective = WeightedSumObjective({"edp": 1.0})
        else:
            metrics = _SINGLE_METRIC_OBJECTIVES.get(objective)  # None: all three
            objective = TargetObjective(archgym_targets(network.name, metrics))
    return DesignEnv(simulator, network, objective, env_id=ENV_ID, **env_options)


register_env(
    ENV_ID,
    "archgym.envs.accelerator:make_accelerator_env",
    "DNN accelerator (Eyeriss-like, TimeloopGym knobs) over a network, native model + mapper",
)
