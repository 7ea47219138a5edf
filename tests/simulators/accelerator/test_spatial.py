"""Spatial candidates: searched, utilisation-ranked, within the dataflow and bandwidths."""

from __future__ import annotations

import math

from archgym.simulators.accelerator import conv, eyeriss_like, search, systolic
from archgym.simulators.accelerator.spatial import canonical, spatial_candidates, symmetric_dims
from archgym.simulators.accelerator.templates import Buffer, template


def useful(layer, spatial, n_pes):
    totals = {}
    for loops in spatial:
        for d, f in loops:
            totals[d] = totals.get(d, 1) * f
    bounds = dict(zip("NGKCPQRS", layer.dims, strict=True))
    return math.prod(bounds[d] / math.ceil(bounds[d] / f) for d, f in totals.items()) / n_pes


def test_alexnet_conv1_finds_a_98_percent_unrolling_on_eyeriss():
    # a fixed K x C unrolling of AlexNet conv1 (C = 3) fills a quarter of the array; the
    # search finds Q (55 = 4 x 13.75) on the columns and K on the rows: 98% useful
    layer = conv("conv1", 96, 3, 55, R=11, stride=4)
    arch = eyeriss_like()
    candidates = spatial_candidates(layer, arch)
    assert ((("Q", 14),), (("K", 12),)) in candidates
    assert useful(layer, candidates[0], arch.n_pes) >= 0.98
    best = search(layer, arch, budget=500, objective="delay").result
    assert best.compute_cycles <= 1.03 * layer.macs / arch.n_pes


def test_candidates_respect_dataflow_and_array():
    layer = conv("l", 64, 64, 56, R=3)
    arch = systolic(16, 16, "ws")
    for spatial in spatial_candidates(layer, arch):
        cols, rows = spatial
        assert {d for d, _ in cols} <= {"K"} and {d for d, _ in rows} <= {"C", "R", "S"}
        assert math.prod(f for _, f in cols) <= 16 and math.prod(f for _, f in rows) <= 16


def test_interchangeable_dims_are_deduplicated():
    arch = template(
        "sq",
        8,
        8,
        spads=(Buffer("w", "regfile", 4, 8), None, None),
        glb=Buffer("g", depth=4096, word_bits=8),
    )
    assert symmetric_dims(arch) == ((0, 1),)
    assert canonical(((("K", 8),), (("C", 8),)), ((0, 1),)) == canonical(
        ((("C", 8),), (("K", 8),)), ((0, 1),)
    )
    candidates = spatial_candidates(conv("l", 64, 64, 14, R=3), arch)
    assert len(candidates) == len(set(candidates))
