"""Named networks, systems and starting layouts.

* ``archgym-4d``: ArchGym's four-dimensional 1,024-NPU example
  (``sims/AstraSim/astrasim_220_example/NEW_network_input_1.1.yml``: Ring 4,
  FullyConnected 8, Ring 4, Switch 8; 187.5, 25, 75, 100 GB/s; 20, 700, 700, 1700 ns),
  with its system file ``NEW_system_input_1.1.json`` (LIFO, one active chunk, four
  dataset splits, ring/direct/ring/halvingDoubling for every collective, localBWAware)
  and the GPT-3 175B layout of ``NEW_workload_cfg_1.1_gpt3_175b.json`` (dp 8, pp 4, sp 8,
  so tp 4; weights sharded).
* ``selene``: NVIDIA's Selene as in Narayanan et al., SC21: DGX A100 nodes of 8 GPUs on
  NVSwitch (NVLink 3: 600 GB/s per GPU, 300 GB/s each way) and one 200 Gb/s HDR
  InfiniBand adapter per GPU (8 per node, 25 GB/s each way) into a fat tree, modelled
  as a Switch dimension of 8 and a Switch dimension of GPUs / 8. Link latencies:
  ASTRA-sim's validated HGX value for NVSwitch (936.25 ns,
  ``examples/network/analytical/HGX-H100-validated.yml``) and ArchGym's 2,000 ns for
  a scale-out switch dimension (``NEW_network_input_4.3.yml``).
"""

from __future__ import annotations

from archgym.errors import ConfigError
from archgym.simulators.distributed.layout import ParallelLayout
from archgym.simulators.distributed.network import Dimension, Network, network_from_lists
from archgym.simulators.distributed.system import COLLECTIVES, SystemConfig

ARCHGYM_NETWORK = network_from_lists(
    ["Ring", "FullyConnected", "Ring", "Switch"],
    [4, 8, 4, 8],
    [187.5, 25, 75, 100],
    [20, 700, 700, 1700],
)
ARCHGYM_SYSTEM = SystemConfig(
    dict.fromkeys(COLLECTIVES, ("ring", "direct", "ring", "halvingDoubling")),
    scheduling_policy="LIFO",
    active_chunks_per_dimension=1,
    preferred_dataset_splits=4,
    collective_optimization="localBWAware",
    endpoint_delay_ns=10.0,
)
ARCHGYM_LAYOUT = ParallelLayout(dp=8, tp=4, pp=4, sp=8, weight_sharded=True)
#: ArchGym's serving configs (``workload_cfg_6_gpt3_175b_QA_*.json``): dp 64, pp 4, sp 1.
ARCHGYM_SERVING_LAYOUT = ParallelLayout(dp=64, tp=4, pp=4)

NVSWITCH_GBS = 300.0  # NVLink 3 on A100: 600 GB/s per GPU, both directions together
NVSWITCH_LATENCY_NS = 936.25  # ASTRA-sim HGX-H100-validated.yml
INFINIBAND_GBS = 25.0  # 200 Gb/s HDR per GPU
SCALE_OUT_LATENCY_NS = 2000.0  # ArchGym NEW_network_input_4.3.yml, Switch dimension
GPUS_PER_NODE = 8


def selene_network(gpus: int) -> Network:
    """Selene's two-level network for ``gpus`` A100s (a multiple of 8)."""
    if isinstance(gpus, bool) or not isinstance(gpus, int) or gpus < 1 or gpus % GPUS_PER_NODE:
        raise ConfigError(f"a Selene network needs a multiple of 8 GPUs, got {gpus!r}")
    return Network(
        (
            Dimension("Switch", GPUS_PER_NODE, NVSWITCH_GBS, NVSWITCH_LATENCY_NS),
            Dimension("Switch", gpus // GPUS_PER_NODE, INFINIBAND_GBS, SCALE_OUT_LATENCY_NS),
        )
    )
