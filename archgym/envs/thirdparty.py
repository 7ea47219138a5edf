"""archgym/ZigZag-v0 and archgym/ScaleSim-v0: real third-party simulators as envs.

Both take hardware knobs (array dimensions, buffer sizes, dataflow), write them into the
tool's own input files and run the tool contained (see
:mod:`archgym.simulators.thirdparty`). They need the ``thirdparty`` extra
(``pip install 'archgym[thirdparty]'``); building one without it raises
:class:`~archgym.errors.MissingExtraError`. Evaluations take seconds, not microseconds:
ZigZag 1-8 s per layer with its mapping search (25-160 ms with ``search="fixed"``),
SCALE-Sim 0.05-40 s per layer depending on its size (see docs/envs/thirdparty.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from archgym.envs.registry import register_env
from archgym.errors import WorkloadError

if TYPE_CHECKING:
    from archgym.envs.base import DesignEnv
    from archgym.simulators.accelerator.workload import Network

ZIGZAG_ENV_ID = "archgym/ZigZag-v0"
SCALESIM_ENV_ID = "archgym/ScaleSim-v0"

#: Default workload of ZigZag-v0: a MobileNetV2 pointwise layer (K 64, C 192, 14 x 14).
DEFAULT_ZIGZAG_WORKLOAD = "mobilenet_v2/block7.project"
#: Default workload of ScaleSim-v0: a small 3 x 3 convolution (see WORKLOAD_PRESETS).
DEFAULT_SCALESIM_WORKLOAD = "small_conv"

#: Named layers besides the networks: SCALE-Sim's run time grows with the cycles it
#: simulates (about 5,000 per second here), so its default is a ResNet-style 3 x 3
#: convolution scaled down to 113 k MACs, which any design of the space evaluates in
#: under a second (a MobileNet layer on a 4 x 4 array takes about 30 s).
WORKLOAD_PRESETS = {"small_conv": {"K": 16, "C": 16, "P": 7, "R": 3}}

ZIGZAG_OBJECTIVES = {
    "edp": "min: edp",
    "energy": "min: energy_pj",
    "latency": "min: latency_cycles",
}
SCALESIM_OBJECTIVES = {
    "cycles": "min: cycles",
    "default": "weighted: cycles=1, dram_accesses=1",
    "dram": "min: dram_accesses",
}


def resolve_workload(workload: Any) -> Network:
    """A Network from a name, Layer(s) or a Network.

    Names: a network ("resnet18"), one of its layers ("mobilenet_v2/block7.project") or a
    preset of :data:`WORKLOAD_PRESETS`. Raises WorkloadError naming the known layers when a
    layer name is unknown.
    """
    from archgym.simulators.accelerator.networks import get_network
    from archgym.simulators.accelerator.workload import Layer, Network, as_network, conv

    if isinstance(workload, str) and workload in WORKLOAD_PRESETS:
        return as_network(conv(workload, **WORKLOAD_PRESETS[workload]))
    if isinstance(workload, str):
        network_name, _, layer_name = workload.partition("/")
        network = get_network(network_name)
        if not layer_name:
            return network
        for layer in network.layers:
            if layer.name == layer_name:
                return Network(f"{network.name}/{layer.name}", (layer,))
        known = ", ".join(layer.name for layer in network.layers)
        raise WorkloadError(f"network {network.name!r} has no layer {layer_name!r}; known: {known}")
    if isinstance(workload, Layer | Network):
        return as_network(workload)
    if isinstance(workload, Sequence):
        return as_network(list(workload))
    raise WorkloadError(
        f"workload {workload!r}: expected a network name, 'network/layer', a Layer or a Network"
    )


def make_zigzag_env(
    workload: Any = DEFAULT_ZIGZAG_WORKLOAD,
    objective: Any = "edp",
    search: str = "fixed",
    lpf_limit: int = 6,
    opt: str = "latency",
    **env_options: Any,
) -> DesignEnv:
    """Build archgym/ZigZag-v0.

    ``workload``: see :func:`resolve_workload`. ``objective``: "edp" (default), "energy",
    "latency" or any spec :func:`archgym.objectives.make_objective` accepts. ``search``
    "fixed" (default: one loop order per dataflow, 25-160 ms per layer) or "loma"
    (ZigZag's temporal-mapping search, 1-8 s per layer), ``lpf_limit`` and ``opt`` go to
    :class:`~archgym.simulators.thirdparty.zigzag.ZigZagSimulator`; other keyword
    arguments to :class:`~archgym.envs.base.DesignEnv`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.simulators.thirdparty.zigzag import ZigZagSimulator

    simulator = ZigZagSimulator(search=search, lpf_limit=lpf_limit, opt=opt)
    if isinstance(objective, str) and objective in ZIGZAG_OBJECTIVES:
        objective = ZIGZAG_OBJECTIVES[objective]
    return DesignEnv(
        simulator, resolve_workload(workload), objective, env_id=ZIGZAG_ENV_ID, **env_options
    )


def make_scalesim_env(
    workload: Any = DEFAULT_SCALESIM_WORKLOAD,
    objective: Any = "default",
    dram_bandwidth_words: int | None = None,
    **env_options: Any,
) -> DesignEnv:
    """Build archgym/ScaleSim-v0.

    ``workload``: see :func:`resolve_workload`. ``objective``: "default" (cycles and DRAM
    accesses, each over its scale), "cycles", "dram" or any spec
    :func:`archgym.objectives.make_objective` accepts. ``dram_bandwidth_words`` None keeps
    SCALE-Sim's CALC interface mode; an int runs USER mode with that bandwidth. Other
    keyword arguments go to :class:`~archgym.envs.base.DesignEnv`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.simulators.thirdparty.scalesim import ScaleSimSimulator

    simulator = ScaleSimSimulator(dram_bandwidth_words=dram_bandwidth_words)
    if isinstance(objective, str) and objective in SCALESIM_OBJECTIVES:
        objective = SCALESIM_OBJECTIVES[objective]
    return DesignEnv(
        simulator, resolve_workload(workload), objective, env_id=SCALESIM_ENV_ID, **env_options
    )


register_env(
    ZIGZAG_ENV_ID,
    "archgym.envs.thirdparty:make_zigzag_env",
    "ZigZag (zigzag-dse) accelerator cost model: PE array, register files, global buffer, "
    "dataflow; energy, latency, utilisation (needs archgym[thirdparty])",
)
register_env(
    SCALESIM_ENV_ID,
    "archgym.envs.thirdparty:make_scalesim_env",
    "SCALE-Sim systolic array: rows, columns, dataflow, SRAM sizes; cycles, utilisation, "
    "SRAM/DRAM accesses (needs archgym[thirdparty])",
)
