"""Native analytical DNN-accelerator cost model (Timeloop/Accelergy style) with a mapper.

Public API (stable; other modules such as the ZigZag/SCALE-Sim adapters import it):

Workloads (``workload``, ``networks``)
    ``Layer(name, N=1, G=1, K=1, C=1, P=1, Q=1, R=1, S=1, stride_h=1, stride_w=1,
    dilation_h=1, dilation_w=1, kind="conv")`` frozen; K/C are per group; P x Q outputs.
    ``conv(name, K, C, P, Q=None, R=1, S=None, *, stride=1, dilation=1, groups=1, N=1)``
    (K, C total channels), ``gemm(name, M, N, K)`` -> Layer; ``Network(name, layers)``.
    ``DIMS = ("N", "G", "K", "C", "P", "Q", "R", "S")``.
    ``alexnet() vgg16() resnet18() resnet50() mobilenet_v2() bert_base(seq_len=512)``,
    ``get_network(name)``; readers ``read_timeloop_problem(path)``,
    ``read_timeloop_directory(path)``, ``read_gamma_csv(path)`` (WorkloadError names
    file and line).

Architecture (``architecture``)
    ``MemoryLevel(name, memory_class, depth, word_bits, block_size, read_bandwidth,
    write_bandwidth, banks)`` and ``Architecture(name, pe_x, pe_y, mac_bits, spads=(W, I, O
    MemoryLevel or None), glb, glb_keeps, dram_type, dram_word_bits, node_nm, clock_ghz,
    multicast, noc_energy_pj_per_word, dummy_buffer, spatial_x, spatial_y, pipeline_fill,
    dataflow)``, both frozen. Presets: ``eyeriss_like(n_pes=168, mesh_x=14, ...)``,
    ``timeloop_reference()`` (REFERENCES.md s3), ``systolic(rows, cols, dataflow="ws"|"os"|
    "is"|"rs", word_bits=8, glb_kib=512, ...)``. ``arch.tables`` has per-word energies and
    ``area_mm2``.

Mapping and model (``mapping``, ``model``)
    ``Mapping(factors, glb_order, dram_order)``: 8 dims x 5 slots (pe, x, y, glb, dram);
    ``Mapping.from_levels(layer, pe={...}, x={...}, y={...}, glb={...}, dram=None,
    glb_order="NGKCPQRS", dram_order=...)`` (orders innermost first; DRAM gets the rest);
    ``mapping.read_timeloop_map(path, layer)`` reads Timeloop's ``*.map.yaml``.
    ``evaluate(layer, arch, mapping) -> LayerResult`` with ``energy_pj``, ``cycles``,
    ``compute_cycles``, ``utilisation``, ``used_pes``, ``energy_breakdown_pj`` (level ->
    pJ), ``accesses`` ((level, operand) -> reads/fills/updates), ``area_mm2``, ``edp``,
    ``energy_per_mac_pj``, ``bound_by``. Infeasible: InvalidDesignError naming the level and
    the overflow. ``evaluate_many(layer, arch, mappings)``; ``model.tile_sizes(layer,
    mapping)`` gives the per-PE and global-buffer tiles; ``model.run_kernel`` evaluates a
    batch given as arrays (see ``kernel``).

Mapper (``mapper``)
    ``search(layer, arch, *, budget=2000, objective="edp"|"energy"|"delay", seed=0)
    -> MapperResult(mapping, result, evaluated, valid)``;
    ``search_network(network, arch, ...) -> NetworkResult(energy_pj, cycles, area_mm2,
    macs, layers, utilisation, edp)``.

Simulators (``simulator``)
    ``AcceleratorSimulator`` (archgym/Accelerator-v0: TimeloopGym's knobs),
    ``MappingSimulator(layer, buffer_sizing="mapping"|"fixed")`` (archgym/Mapping-v0:
    GAMMA's mapping knobs). Docs: docs/envs/accelerator.md, docs/envs/mapping.md.
"""

from __future__ import annotations

from archgym.simulators.accelerator.architecture import (
    OPERANDS,
    Architecture,
    MemoryLevel,
    Port,
)
from archgym.simulators.accelerator.loopnest import LoopNest
from archgym.simulators.accelerator.mapper import (
    MapperResult,
    NetworkResult,
    search,
    search_network,
)
from archgym.simulators.accelerator.mapping import Mapping
from archgym.simulators.accelerator.model import LayerResult, evaluate, evaluate_many
from archgym.simulators.accelerator.networks import (
    NETWORKS,
    alexnet,
    bert_base,
    get_network,
    mobilenet_v2,
    resnet18,
    resnet50,
    vgg16,
)
from archgym.simulators.accelerator.templates import (
    Buffer,
    eyeriss_like,
    systolic,
    template,
    timeloop_reference,
)
from archgym.simulators.accelerator.workload import (
    DIMS,
    Layer,
    Network,
    conv,
    gemm,
    read_gamma_csv,
    read_timeloop_directory,
    read_timeloop_problem,
)

__all__ = [
    "DIMS",
    "NETWORKS",
    "OPERANDS",
    "Architecture",
    "Buffer",
    "Layer",
    "LayerResult",
    "LoopNest",
    "MapperResult",
    "Mapping",
    "MemoryLevel",
    "Network",
    "Port",
    "NetworkResult",
    "alexnet",
    "bert_base",
    "conv",
    "evaluate",
    "evaluate_many",
    "eyeriss_like",
    "gemm",
    "get_network",
    "mobilenet_v2",
    "read_gamma_csv",
    "read_timeloop_directory",
    "read_timeloop_problem",
    "resnet18",
    "resnet50",
    "search",
    "search_network",
    "systolic",
    "template",
    "timeloop_reference",
    "vgg16",
]
