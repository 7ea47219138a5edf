"""Native accelerator model vs ZigZag vs SCALE-Sim: fidelity and speed on the same layers.

Run: ``python benchmarks/thirdparty_compare.py`` (about 2-3 minutes on 2 cores; SCALE-Sim
dominates). Prints a Markdown section; the recorded figures are in
benchmarks/results/thirdparty.md. Needs the ``thirdparty`` extra.

1. SCALE-Sim (CALC mode, 32 x 32 systolic array, ws and os): compute cycles of SCALE-Sim
   and of the native model under the SCALE-Sim-equivalent mapping.
2. ZigZag on its shipped tpu_like and generic_array_cacti hardware: energy and latency of
   the same layer under the same mapping (native access counts priced with the YAML).
3. Speed per layer: native (one fixed mapping; mapper search), ZigZag (fixed mapping; LOMA
   search), SCALE-Sim; ratios to the native fixed-mapping evaluation.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import statistics
import time
from datetime import datetime, timezone

from archgym.envs.thirdparty import resolve_workload
from archgym.simulators.accelerator import systolic
from archgym.simulators.accelerator.mapper import search
from archgym.simulators.accelerator.model import evaluate
from archgym.simulators.accelerator.workload import Layer, conv, gemm
from archgym.simulators.thirdparty.crosscheck import (
    compare_with_scalesim,
    compare_with_zigzag,
    scalesim_equivalent_mapping,
)
from archgym.simulators.thirdparty.zigzag import mapping_entry, run_zigzag, shipped_file

#: Real network layers whose K and C divide a 32-wide array (so tpu_like runs them too).
LAYER_NAMES = (
    "mobilenet_v2/block7.project",
    "mobilenet_v2/block14.project",
    "resnet18/layer3.0.downsample",
    "resnet18/layer4.0.downsample",
    "resnet18/layer4.0.conv1",
)

#: generic_array_cacti is 256 x 256: layers with K, C multiples of 256 and 14 x 14 outputs.
GENERIC_LAYERS = (
    conv("conv3x3_256", K=256, C=256, P=14, R=3),
    conv("conv3x3_512", K=512, C=256, P=14, R=3),
    conv("pointwise_256", K=256, C=512, P=14, R=1),
    conv("strided_256", K=256, C=256, P=14, R=3, stride=2),
    gemm("fc_512", M=1, N=512, K=512),
)

ARRAY = 32


def _layers() -> list[Layer]:
    out = []
    for name in LAYER_NAMES:
        (layer,) = resolve_workload(name).layers
        out.append(dataclasses.replace(layer, name=name))
    return out


def _pct(x: float) -> str:
    return f"{100 * x:+.1f}%"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _native_time(layer: Layer, dataflow: str, repeats: int = 20) -> float:
    arch = systolic(ARRAY, ARRAY, dataflow)
    mapping = scalesim_equivalent_mapping(layer, ARRAY, ARRAY, dataflow)
    evaluate(layer, arch, mapping)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        evaluate(layer, arch, mapping)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scalesim_section(layers: list[Layer]) -> tuple[str, dict[str, float]]:
    rows, scalesim_ws_seconds = [], {}
    worst = {}
    for dataflow in ("ws", "os"):
        results = compare_with_scalesim(layers, ARRAY, ARRAY, dataflow)
        worst[dataflow] = max(abs(r.relative_error) for r in results)
        for r in results:
            if dataflow == "ws":
                scalesim_ws_seconds[r.layer] = r.scalesim_seconds
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
    text = "\n".join(
        [
            f"### Native vs SCALE-Sim: compute cycles, {ARRAY} x {ARRAY} array (CALC mode)",
            "",
            _table(["layer", "dataflow", "SCALE-Sim", "native", "error", "SCALE-Sim s"], rows),
            "",
            f"Largest |error|: ws {100 * worst['ws']:.1f}%, os {100 * worst['os']:.1f}%.",
        ]
    )
    return text, scalesim_ws_seconds


def zigzag_section(layers: list[Layer]) -> tuple[str, dict[str, float]]:
    parts, fixed_seconds = [], {}
    for hardware, group in (("tpu_like", layers), ("generic_array_cacti", list(GENERIC_LAYERS))):
        results = compare_with_zigzag(group, hardware)
        rows = []
        for r in results:
            if hardware == "tpu_like":
                fixed_seconds[r.layer] = r.zigzag_seconds
            rows.append(
                [
                    r.layer,
                    f"{r.zigzag_energy_pj / 1e6:.3f}",
                    f"{r.native_energy_pj / 1e6:.3f}",
                    _pct(r.energy_error),
                    f"{r.zigzag_cycles:.0f}",
                    f"{r.native_cycles:.0f}",
                    _pct(r.latency_error),
                ]
            )
        e_worst = max(abs(r.energy_error) for r in results)
        l_worst = max(abs(r.latency_error) for r in results)
        parts += [
            f"### Native vs ZigZag on its shipped `{hardware}.yaml` (same mapping)",
            "",
            _table(
                [
                    "layer",
                    "ZigZag uJ",
                    "native uJ",
                    "energy error",
                    "ZigZag cycles",
                    "native cycles",
                    "latency error",
                ],
                rows,
            ),
            "",
            f"Largest |error|: energy {100 * e_worst:.1f}%, latency {100 * l_worst:.1f}%.",
            "",
        ]
    return "\n".join(parts), fixed_seconds


def speed_section(
    layers: list[Layer], scalesim_seconds: dict[str, float], zigzag_fixed: dict[str, float]
) -> str:
    path = shipped_file("hardware", "tpu_like")
    arch = systolic(ARRAY, ARRAY, "ws")
    rows = []
    ratios_zz, ratios_loma, ratios_ss = [], [], []
    for layer in layers:
        native_s = _native_time(layer, "ws")
        start = time.perf_counter()
        search(layer, arch, budget=2000, objective="edp", seed=0)
        mapper_s = time.perf_counter() - start
        spatial = {"D1": ("K", ARRAY), "D2": ("C", ARRAY)}
        start = time.perf_counter()
        run_zigzag(layer, path, [mapping_entry("default", spatial)])
        loma_s = time.perf_counter() - start
        zz_s, ss_s = zigzag_fixed[layer.name], scalesim_seconds[layer.name]
        ratios_zz.append(zz_s / native_s)
        ratios_loma.append(loma_s / mapper_s)
        ratios_ss.append(ss_s / native_s)
        rows.append(
            [
                layer.name,
                f"{1e3 * native_s:.3f}",
                f"{1e3 * mapper_s:.1f}",
                f"{1e3 * zz_s:.1f}",
                f"{loma_s:.2f}",
                f"{ss_s:.2f}",
                f"{zz_s / native_s:,.0f}x",
                f"{loma_s / mapper_s:,.0f}x",
                f"{ss_s / native_s:,.0f}x",
            ]
        )
    geo = [statistics.geometric_mean(r) for r in (ratios_zz, ratios_loma, ratios_ss)]
    return "\n".join(
        [
            "### Speed per layer (same layers; native and ZigZag fixed mapping are one "
            "evaluation, mapper and LOMA are searches)",
            "",
            _table(
                [
                    "layer",
                    "native ms",
                    "native mapper ms",
                    "ZigZag fixed ms",
                    "ZigZag LOMA s",
                    "SCALE-Sim s",
                    "ZigZag fixed / native",
                    "LOMA / mapper",
                    "SCALE-Sim / native",
                ],
                rows,
            ),
            "",
            f"Geometric-mean ratios: ZigZag fixed / native {geo[0]:,.0f}x, "
            f"ZigZag LOMA / native mapper {geo[1]:,.0f}x, SCALE-Sim / native {geo[2]:,.0f}x.",
        ]
    )


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    start = time.perf_counter()
    layers = _layers()
    scalesim_text, scalesim_seconds = scalesim_section(layers)
    zigzag_text, zigzag_fixed = zigzag_section(layers)
    speed_text = speed_section(layers, scalesim_seconds, zigzag_fixed)
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
    print(scalesim_text)
    print()
    print(zigzag_text)
    print(speed_text)
    print()
    print(f"Total benchmark time {time.perf_counter() - start:.0f} s.")


if __name__ == "__main__":
    main()
