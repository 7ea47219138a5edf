"""The package's own AR/VR task graphs, derived from first principles.

These are *not* FARSI's measured workloads (read those with
:func:`archgym.simulators.soc.farsi.load_farsi_workload`). Each kernel's work is an
operation count worked out from the algorithm and the frame or block size; the
conversion to cycles and accelerator costs uses these assumptions:

* reference core: one useful operation per A53 cycle (assumption for scalar fixed-point
  code on a dual-issue in-order core; FARSI's block table gives a Dhrystone IPC of 2);
* an accelerator IP has ``lanes`` operation units at the IP clock, each an integer MAC
  plus a register-file read: 0.681 + 0.228 pJ per operation and 358 + 268 um2 per lane
  (REFERENCES.md s3, CACTI/Accelergy at 32 nm), doubled for control and local buffers
  (assumption); it unrolls across the task's ``iterations`` (rows, bins or channels).

Workloads: ``audio_decoder`` (spatial audio, one 1024-sample block; budget 21 ms),
``edge_detection`` (Canny-style, one 640x480 frame; 34 ms) and ``camera_pipeline``
(RAW to JPEG-like, one 1280x720 frame; 34 ms). Budgets are ArchGym's (REFERENCES.md s1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from archgym.errors import WorkloadError
from archgym.simulators.soc.taskgraph import AcceleratorIP, Edge, Task, TaskGraph

CYCLES_PER_OP = 1.0  # assumption, see module docstring
# REFERENCES.md s3 (32 nm): integer MAC 0.681 pJ / 358 um2, 64x16-bit RF read 0.228 pJ / 268 um2
_OP_ENERGY_J = (0.681 + 0.228) * 1e-12
_LANE_AREA_MM2 = 2 * (358 + 268) * 1e-6  # x2: control and local buffers (assumption)

# ArchGym FARSIGym budgets (REFERENCES.md s1): 21 ms audio, 34 ms the others.
AUDIO_BUDGET_S = 0.021
FRAME_BUDGET_S = 0.034


def kernel(name: str, ops: float, *, lanes: int = 16, iterations: int = 1) -> Task:
    """A task of ``ops`` operations, runnable on the core and on a ``lanes``-wide IP."""
    return Task(
        name,
        gpp_cycles=ops * CYCLES_PER_OP,
        iterations=iterations,
        accelerator=AcceleratorIP(
            cycles=math.ceil(ops / lanes),
            energy_j=ops * _OP_ENERGY_J,
            area_mm2=lanes * _LANE_AREA_MM2,
        ),
    )


def marker(name: str) -> Task:
    """A source or sink: no work, no PE."""
    return Task(name, gpp_cycles=0.0)


def audio_decoder() -> TaskGraph:
    """Spatial audio decoder: one block of N = 1024 samples (21.3 ms at 48 kHz).

    Third-order ambisonics, C = 16 channels, 16-bit input, 32-bit fixed-point spectra
    (B = 513 bins x 2 words x 4 bytes per channel), binaural output.
    decode: inverse quantisation and bit unpacking, 50 ops/sample/channel;
    fft: real 1024-point FFT, 2.5 N log2 N ops per channel;
    rotate: block-diagonal rotation, 1 + 9 + 25 + 49 = 84 MACs per bin, re and im;
    psycho_filter: per-order shelf gain, 2 ops per bin per channel;
    binaural_l/r: HRTF filtering, 4 ops per bin per channel (complex MAC) into one ear;
    ifft_l/r: 2.5 N log2 N ops; overlap_add_l/r: window and add, 2 ops/sample.
    """
    n, c, bins = 1024, 16, 513
    spectrum = c * bins * 2 * 4
    ear_spectrum = bins * 2 * 4
    fft_ops = 2.5 * n * math.log2(n)
    tasks = [
        marker("source"),
        kernel("decode", 50 * n * c, iterations=c),
        kernel("fft", fft_ops * c, iterations=c),
        kernel("rotate", 84 * 2 * bins, iterations=bins),
        kernel("psycho_filter", 2 * bins * c, iterations=bins),
        kernel("binaural_l", 4 * bins * c, iterations=bins),
        kernel("binaural_r", 4 * bins * c, iterations=bins),
        kernel("ifft_l", fft_ops),
        kernel("ifft_r", fft_ops),
        kernel("overlap_add_l", 2 * n, iterations=n),
        kernel("overlap_add_r", 2 * n, iterations=n),
        marker("sink"),
    ]
    edges = [
        Edge("source", "decode", n * c * 2 // 4),  # ~4:1 compressed bitstream
        Edge("decode", "fft", n * c * 2),
        Edge("fft", "rotate", spectrum),
        Edge("rotate", "psycho_filter", spectrum),
        Edge("psycho_filter", "binaural_l", spectrum),
        Edge("psycho_filter", "binaural_r", spectrum),
        Edge("binaural_l", "ifft_l", ear_spectrum),
        Edge("binaural_r", "ifft_r", ear_spectrum),
        Edge("ifft_l", "overlap_add_l", n * 4),
        Edge("ifft_r", "overlap_add_r", n * 4),
        Edge("overlap_add_l", "sink", n * 2),
        Edge("overlap_add_r", "sink", n * 2),
    ]
    return TaskGraph(
        "audio_decoder",
        tuple(tasks),
        tuple(edges),
        AUDIO_BUDGET_S,
        "spatial audio decoder, one 1024-sample block (first-principles op counts)",
    )


def edge_detection() -> TaskGraph:
    """Canny-style edge detection of one 640 x 480 8-bit frame (P = 307,200 pixels).

    blur: separable 5x5 Gaussian, 10 MACs/px, 8-bit out; grad_x / grad_y: separable
    Sobel, 6 ops/px each, 16-bit out (in parallel); nms: magnitude |gx| + |gy|,
    direction and non-maximum suppression, 14 ops/px, 16-bit out; threshold: double
    threshold and 8-neighbour hysteresis, 12 ops/px, 8-bit edge map. Unrolled over rows.
    """
    width, height = 640, 480
    px = width * height
    tasks = [
        marker("source"),
        kernel("blur", 10 * px, iterations=height),
        kernel("grad_x", 6 * px, iterations=height),
        kernel("grad_y", 6 * px, iterations=height),
        kernel("nms", 14 * px, iterations=height),
        kernel("threshold", 12 * px, iterations=height),
        marker("sink"),
    ]
    edges = [
        Edge("source", "blur", px),
        Edge("blur", "grad_x", px),
        Edge("blur", "grad_y", px),
        Edge("grad_x", "nms", 2 * px),
        Edge("grad_y", "nms", 2 * px),
        Edge("nms", "threshold", 2 * px),
        Edge("threshold", "sink", px),
    ]
    return TaskGraph(
        "edge_detection",
        tuple(tasks),
        tuple(edges),
        FRAME_BUDGET_S,
        "Canny-style edge detection, one 640x480 frame (first-principles op counts)",
    )


def camera_pipeline() -> TaskGraph:
    """Camera vision pipeline: one 1280 x 720 RAW frame (P = 921,600 px) to a JPEG-like
    stream.

    demosaic: bilinear, 12 ops/px, 16-bit Bayer in, 8-bit RGB out (3 B/px);
    denoise: 3x3 filter per channel, 30 ops/px; colour_transform: 3x3 matrix plus
    offsets, 12 ops/px; tone_map: per-channel curve and gamma, 9 ops/px; compress:
    YCbCr 4:2:0, 8x8 DCT, quantisation and entropy coding, 40 ops/px, ~10:1 output.
    Unrolled over rows; 32-lane IPs.
    """
    width, height = 1280, 720
    px = width * height
    rgb = 3 * px
    tasks = [
        marker("source"),
        kernel("demosaic", 12 * px, lanes=32, iterations=height),
        kernel("denoise", 30 * px, lanes=32, iterations=height),
        kernel("colour_transform", 12 * px, lanes=32, iterations=height),
        kernel("tone_map", 9 * px, lanes=32, iterations=height),
        kernel("compress", 40 * px, lanes=32, iterations=height // 8),
        marker("sink"),
    ]
    edges = [
        Edge("source", "demosaic", 2 * px),
        Edge("demosaic", "denoise", rgb),
        Edge("denoise", "colour_transform", rgb),
        Edge("colour_transform", "tone_map", rgb),
        Edge("tone_map", "compress", rgb),
        Edge("compress", "sink", rgb // 10),
    ]
    return TaskGraph(
        "camera_pipeline",
        tuple(tasks),
        tuple(edges),
        FRAME_BUDGET_S,
        "camera vision pipeline, one 1280x720 frame (first-principles op counts)",
    )


BUILTIN_WORKLOADS: dict[str, Callable[[], TaskGraph]] = {
    "audio_decoder": audio_decoder,
    "edge_detection": edge_detection,
    "camera_pipeline": camera_pipeline,
}


def load_workload(spec: TaskGraph | str | Path) -> TaskGraph:
    """A task graph from a built-in name, a FARSI database path, or a TaskGraph.

    A FARSI path is the database directory joined with the workload name, or one of
    the workload's CSV files (see :mod:`archgym.simulators.soc.farsi`). Raises
    WorkloadError naming the built-ins when ``spec`` is neither.
    """
    if isinstance(spec, TaskGraph):
        return spec
    if isinstance(spec, str) and spec in BUILTIN_WORKLOADS:
        return BUILTIN_WORKLOADS[spec]()
    if isinstance(spec, str | Path):
        path = Path(spec)
        if path.exists() or path.parent.is_dir() and path.parent != Path("."):
            from archgym.simulators.soc.farsi import load_farsi_workload

            return load_farsi_workload(path)
    raise WorkloadError(
        f"unknown SoC workload {spec!r}: expected one of {', '.join(BUILTIN_WORKLOADS)}, "
        "a FARSI database path (<directory>/<workload>), or a TaskGraph"
    )
