"""Native accelerator model vs ZigZag vs SCALE-Sim: fidelity, mapper quality and speed.

Run: ``python benchmarks/thirdparty_compare.py`` (needs the ``thirdparty`` extra; the
full run takes one to two hours on 2 cores, ZigZag's searches dominate). Prints a
Markdown section; the recorded figures are in benchmarks/results/thirdparty.md.

1. SCALE-Sim (CALC mode, 32 x 32 systolic array, ws and os): compute cycles of SCALE-Sim
   and of the native model under the SCALE-Sim-equivalent mapping.
2. ZigZag, same mapping, on every hardware file zigzag-dse ships (tpu_like, eyeriss_like,
   edge_tpu_like, meta_prototype, ascend_like): ZigZag's LOMA searches with the shipped
   mapping file's spatial unrolling; its chosen mapping is evaluated by the native model
   (which reads the same YAML).
3. ZigZag, best mapping: ZigZag (generated unrollings, its API's 3 candidates, LOMA)
   against the native mapper on the same hardware and criterion (latency, energy), each
   in its own model, and the native best run through ZigZag; on seven layers and on
   ArchGym's networks (AlexNet, ResNet-50, MobileNetV2, every distinct layer).
4. Speed per layer: native evaluation and mapper, ZigZag fixed mapping and LOMA, SCALE-Sim.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import statistics
import time
from collections import Counter
from datetime import datetime, timezone

from archgym.envs.thirdparty import resolve_workload
from archgym.errors import InvalidDesignError, ToolError
from archgym.simulators.accelerator.mapper import search
from archgym.simulators.accelerator.model import evaluate
from archgym.simulators.accelerator.networks import get_network
from archgym.simulators.accelerator.workload import Layer
from archgym.simulators.thirdparty.crosscheck import (
    SHIPPED_HARDWARE,
    compare_best_with_zigzag,
    compare_with_scalesim,
    compare_with_zigzag,
    zigzag_architecture,
    zigzag_entry,
)
from archgym.simulators.thirdparty.zigzag import run_zigzag, shipped_file

#: The layers of issue 14: ResNet-18 3x3, ResNet-50 1x1, MobileNetV2 pointwise, VGG-16 at
#: 224 and 112, BERT's FFN GEMM, AlexNet conv1.
LAYER_NAMES = (
    "resnet18/layer3.0.conv2",
    "resnet50/layer3.0.conv3",
    "mobilenet_v2/block7.project",
    "vgg16/conv2",
    "vgg16/conv4",
    "bert_base/ffn1",
    "alexnet/conv1",
)
#: SCALE-Sim runs layers whose K and C divide its 32-wide array (its run time grows
#: with the cycles it simulates).
SCALESIM_LAYERS = (
    "mobilenet_v2/block7.project",
    "mobilenet_v2/block14.project",
    "resnet18/layer3.0.downsample",
    "resnet18/layer4.0.downsample",
    "resnet18/layer4.0.conv1",
)
NETWORKS = ("alexnet", "resnet50", "mobilenet_v2")
ARRAY = 32


def _layers(names) -> list[Layer]:
    out = []
    for name in names:
        (layer,) = resolve_workload(name).layers
        out.append(dataclasses.replace(layer, name=name))
    return out


def _pct(x: float) -> str:
    return f"{100 * x:+.1f}%"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _stats(errors: list[float]) -> str:
    magnitudes = [abs(e) for e in errors]
    return f"{100 * statistics.median(magnitudes):.2f}% / {100 * max(magnitudes):.2f}%"


def scalesim_section(layers: list[Layer]) -> str:
    rows, worst = [], {}
    for dataflow in ("ws", "os"):
        results = compare_with_scalesim(layers, ARRAY, ARRAY, dataflow)
        worst[dataflow] = max(abs(r.relative_error) for r in results)
        for r in results:
            rows.append(
                [
                    r.layer,
                    dataflow,
                    f"{r.scalesim_cycles:.0f}",
                    f"{r.native_cycles:.0f}",
                    _pct(r.relative_error),
                    f"{r.scalesim_seconds:.2f}",
                ]
            )
    return "\n".join(
        [
            f"### Native vs SCALE-Sim: compute cycles, {ARRAY} x {ARRAY} array (CALC mode)",
            "",
            _table(["layer", "dataflow", "SCALE-Sim", "native", "error", "SCALE-Sim s"], rows),
            "",
            f"Largest |error|: ws {100 * worst['ws']:.1f}%, os {100 * worst['os']:.1f}%.",
        ]
    )


def same_mapping_section(layers: list[Layer], hardware: list[str]) -> str:
    parts = [
        "### ZigZag vs native, same mapping, every shipped hardware file",
        "",
        "ZigZag (LOMA, latency) with the shipped mapping file's spatial unrolling "
        "(generated for eyeriss_like, which ships none); its mapping evaluated by the "
        "native model on the same YAML.",
        "",
    ]
    summary, rows = [], []
    for hw in hardware:
        results = compare_with_zigzag(layers, hw, spatial="shipped", criterion="latency")
        summary.append(
            [
                hw,
                str(len(results)),
                _stats([r.energy_error for r in results]),
                _stats([r.latency_error for r in results]),
            ]
        )
        for r in results:
            rows.append(
                [
                    hw,
                    r.layer,
                    f"{r.zigzag_energy_pj / 1e6:.3f}",
                    _pct(r.energy_error),
                    f"{r.zigzag_cycles:.0f}",
                    f"{r.native_cycles:.0f}",
                    _pct(r.latency_error),
                ]
            )
    parts += [
        _table(
            ["hardware", "layers", "energy error median / max", "latency error median / max"],
            summary,
        ),
        "",
        _table(
            [
                "hardware",
                "layer",
                "ZigZag uJ",
                "energy error",
                "ZigZag cycles",
                "native cycles",
                "latency error",
            ],
            rows,
        ),
    ]
    return "\n".join(parts)


def _best(layers, hardware, criteria, budget):
    out = {}
    for hw in hardware:
        for criterion in criteria:
            out[(hw, criterion)] = compare_best_with_zigzag(
                layers, hw, criterion=criterion, budget=budget
            )
    return out


def best_layers_section(results: dict) -> str:
    unit = {"latency": "cycles", "energy": "uJ"}
    scale = {"latency": 1.0, "energy": 1e-6}
    summary, rows = [], []
    for (hw, criterion), group in results.items():
        summary.append(
            [
                hw,
                criterion,
                _pct(statistics.median(r.error for r in group)),
                _pct(max(r.error for r in group)),
                _pct(max(r.error_in_zigzag for r in group)),
                _stats([r.same_mapping_error for r in group]),
            ]
        )
        for r in group:
            rows.append(
                [
                    hw,
                    criterion,
                    r.layer,
                    f"{r.zigzag_best * scale[criterion]:.4g} {unit[criterion]}",
                    _pct(r.error),
                    _pct(r.error_in_zigzag),
                    _spatial(r.zigzag_spatial),
                    _spatial(r.native_spatial),
                ]
            )
    return "\n".join(
        [
            "### Best mapping: native mapper vs ZigZag's LOMA, the seven layers",
            "",
            "ZigZag: generated spatial unrollings (3 candidates, its API default), LOMA "
            "(lpf limit 6), best by the criterion. Native: `search` at the stated budget. "
            "Error = (native best - ZigZag best) / ZigZag best, negative when the native "
            "mapper does better; 'in ZigZag' is ZigZag's own cost of the native best "
            "mapping; 'same mapping' is the native model's cost of ZigZag's best mapping "
            "against ZigZag's (|error| median / max).",
            "",
            _table(
                [
                    "hardware",
                    "criterion",
                    "median error",
                    "max error",
                    "max error in ZigZag",
                    "same mapping",
                ],
                summary,
            ),
            "",
            _table(
                [
                    "hardware",
                    "criterion",
                    "layer",
                    "ZigZag best",
                    "native error",
                    "in ZigZag",
                    "ZigZag unrolling",
                    "native unrolling",
                ],
                rows,
            ),
        ]
    )


def _spatial(spatial) -> str:
    return " / ".join("".join(f"{d}{f}" for d, f in loops) or "-" for loops in spatial)


def network_section(hardware, criteria, budget) -> str:
    rows = []
    for name in NETWORKS:
        network = get_network(name)
        counts = Counter(layer.shape_key() for layer in network.layers)
        distinct = {}
        for layer in network.layers:
            distinct.setdefault(layer.shape_key(), layer)
        layers = [
            dataclasses.replace(layer, name=f"{name}/{layer.name}") for layer in distinct.values()
        ]
        for hw in hardware:
            for criterion in criteria:
                group, weights, failed = [], [], []
                for layer in layers:
                    try:
                        (r,) = compare_best_with_zigzag(
                            [layer], hw, criterion=criterion, budget=budget
                        )
                    except (InvalidDesignError, ToolError) as exc:
                        failed.append(f"{layer.name}: {exc}")
                        continue
                    group.append(r)
                    weights.append(counts[layer.shape_key()])
                for line in failed:
                    print(f"<!-- skipped {hw} {criterion} {line[:300]} -->", flush=True)
                zz = sum(w * r.zigzag_best for w, r in zip(weights, group, strict=True))
                native = sum(w * r.native_best for w, r in zip(weights, group, strict=True))
                worst = max(group, key=lambda r: r.error)
                rows.append(
                    [
                        name,
                        hw,
                        criterion,
                        f"{len(group)}" + (f" ({len(failed)} failed)" if failed else ""),
                        _pct(native / zz - 1),
                        _pct(statistics.median(r.error for r in group)),
                        f"{_pct(worst.error)} ({worst.layer.split('/', 1)[1]})",
                        _pct(max(r.error_in_zigzag for r in group)),
                        _stats([r.same_mapping_error for r in group]),
                    ]
                )
                print(f"<!-- {name} {hw} {criterion} done -->", flush=True)
    return "\n".join(
        [
            "### Best mapping on ArchGym's networks (every distinct layer)",
            "",
            "Network = the criterion summed over all layers (repeats counted) for the "
            "native best against ZigZag's best; the per-layer columns as above.",
            "",
            _table(
                [
                    "network",
                    "hardware",
                    "criterion",
                    "distinct layers",
                    "network error",
                    "median layer error",
                    "max layer error",
                    "max in ZigZag",
                    "same mapping",
                ],
                rows,
            ),
        ]
    )


def speed_section(layers: list[Layer], best: dict, budget: int) -> str:
    arch = zigzag_architecture("tpu_like")
    path = shipped_file("hardware", "tpu_like")
    rows, ratios = [], []
    timings = {r.layer: r for r in best.get(("tpu_like", "latency"), [])}
    for layer in layers:
        found = search(layer, arch, budget=budget, objective="delay")
        times = []
        for _ in range(20):
            start = time.perf_counter()
            evaluate(layer, arch, found.mapping)
            times.append(time.perf_counter() - start)
        native_s = min(times)
        start = time.perf_counter()
        run_zigzag(layer, path, [zigzag_entry(found.mapping, layer)])
        fixed_s = time.perf_counter() - start
        start = time.perf_counter()
        search(layer, arch, budget=budget, objective="delay")
        mapper_s = time.perf_counter() - start
        loma_s = timings[layer.name].zigzag_seconds if layer.name in timings else float("nan")
        ratios.append((fixed_s / native_s, loma_s / mapper_s))
        rows.append(
            [
                layer.name,
                f"{1e3 * native_s:.3f}",
                f"{1e3 * mapper_s:.1f}",
                f"{1e3 * fixed_s:.1f}",
                f"{loma_s:.2f}",
                f"{fixed_s / native_s:,.0f}x",
                f"{loma_s / mapper_s:,.0f}x",
            ]
        )
    geo = [statistics.geometric_mean(r[i] for r in ratios) for i in range(2)]
    return "\n".join(
        [
            f"### Speed per layer on tpu_like (native mapper budget {budget})",
            "",
            _table(
                [
                    "layer",
                    "native ms",
                    "native mapper ms",
                    "ZigZag fixed ms",
                    "ZigZag LOMA s",
                    "ZigZag fixed / native",
                    "LOMA / mapper",
                ],
                rows,
            ),
            "",
            f"Geometric-mean ratios: ZigZag fixed / native evaluation {geo[0]:,.0f}x, ZigZag "
            f"search / native mapper {geo[1]:,.0f}x (LOMA with 3 generated unrollings).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hardware", default=",".join(SHIPPED_HARDWARE))
    parser.add_argument("--criteria", default="latency,energy")
    parser.add_argument("--budget", type=int, default=3000, help="native mapper budget")
    parser.add_argument("--no-scalesim", action="store_true")
    parser.add_argument("--no-networks", action="store_true")
    args = parser.parse_args()
    hardware = args.hardware.split(",")
    criteria = args.criteria.split(",")
    start = time.perf_counter()
    layers = _layers(LAYER_NAMES)
    from importlib.metadata import version

    print("## Third-party backends: native model vs ZigZag vs SCALE-Sim")
    print()
    print(
        f"Machine: {platform.machine()} {platform.system()}, Python "
        f"{platform.python_version()}, zigzag-dse {version('zigzag-dse')}, "
        f"scalesim {version('scalesim')}; "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; "
        "command: `python benchmarks/thirdparty_compare.py`."
    )
    print()
    if not args.no_scalesim:
        print(scalesim_section(_layers(SCALESIM_LAYERS)))
        print()
    print(same_mapping_section(layers, hardware))
    print()
    best = _best(layers, hardware, criteria, args.budget)
    print(best_layers_section(best))
    print()
    if not args.no_networks:
        print(network_section(hardware, criteria, args.budget))
        print()
    print(speed_section(layers, best, args.budget))
    print()
    print(f"Total benchmark time {time.perf_counter() - start:.0f} s.")


if __name__ == "__main__":
    main()
