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

Architecture (``architecture``, ``templates``, ``zigzag_hardware``)
    ``Architecture(name, array, levels, mac_energy_pj, mac_area=0, precision=(8, 8, 16, 8),
    convention="timeloop"|"zigzag", spatial_dims=None, systolic_dims=(),
    pipeline_fill_cycles=0, ...)``: a PE array of any number of dimensions under any
    number of ``MemoryLevel(name, operands, capacity_bits, read_pj, write_pj, ports,
    served_dims, area, double_buffered, word_bits)``, innermost first, each holding a
    subset of the operands (the rest bypass it), with ``Port(name, kind, width_bits,
    granularity_bits, bandwidth_bits, serves)``; ``arch.chains``, ``arch.instances(level)``,
    ``arch.area``. Templates: ``Buffer(name, memory_class, depth, word_bits, block_size,
    read_bandwidth, write_bandwidth, banks)`` (Accelergy-style tables) and
    ``template(name, pe_x, pe_y, spads=(W, I, O Buffer or None), glb, glb_keeps, ...)``;
    presets ``eyeriss_like(n_pes=168, mesh_x=14, ...)``, ``timeloop_reference()``,
    ``systolic(rows, cols, dataflow)``. ``zigzag_hardware.read_zigzag_hardware(path)``
    reads ZigZag's accelerator YAML (ConfigError naming file and field).

Mapping and model (``loopnest``, ``mapping``, ``model``)
    ``LoopNest(spatial, temporal, cuts)``: loops per array dimension, temporal loops
    innermost first, and per operand the loops at and below each of its levels;
    ``LoopNest.from_level_loops(arch, spatial, {level: loops})`` (Timeloop style). The
    template ``Mapping(factors, glb_order, dram_order)`` (8 dims x 5 slots pe, x, y, glb,
    dram; ``Mapping.from_levels``, ``mapping.read_timeloop_map``) converts with
    ``mapping.loop_nest(layer, arch)``. ``evaluate(layer, arch, mapping) -> LayerResult``
    with ``energy_pj``, ``cycles``, ``compute_cycles``, ``utilisation``, ``used_pes``,
    ``energy_breakdown_pj`` (level -> pJ), ``accesses`` ((level, operand) -> reads/fills/
    updates), ``latency_breakdown`` (ZigZag's stall, on/off-loading, drain), ``area_mm2``,
    ``edp``, ``bound_by``. Infeasible: InvalidDesignError naming the level and the
    overflow. ``evaluate_many``; ``model.tile_sizes(layer, mapping)``.

Mapper (``mapper``, ``spatial``, ``search_kernel``)
    ``search(layer, arch, *, budget=2000, objective="edp"|"energy"|"delay", seed=0,
    lpf_limit=6, spatial=None) -> MapperResult(mapping: LoopNest, result, evaluated,
    valid)``: searched spatial unrollings x LOMA-style loop orders, allocated as ZigZag's
    allocator does; ``search_network(network, arch, ...) -> NetworkResult(energy_pj,
    cycles, area_mm2, macs, layers, utilisation, edp)``.

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
