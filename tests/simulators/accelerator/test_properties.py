"""Laws of the model that hold for every layer and feasible mapping (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archgym.simulators.accelerator import Layer, eyeriss_like, search, systolic

ARCHS = [eyeriss_like(), systolic(8, 8, "ws"), systolic(8, 8, "os"), systolic(8, 8, "is")]

layers = st.builds(
    Layer,
    name=st.just("h"),
    G=st.sampled_from([1, 1, 1, 4]),
    K=st.integers(1, 48),
    C=st.integers(1, 24),
    P=st.integers(1, 20),
    Q=st.integers(1, 20),
    R=st.sampled_from([1, 3, 5]),
    S=st.sampled_from([1, 3]),
    stride_h=st.sampled_from([1, 2]),
    stride_w=st.sampled_from([1, 2]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer=layers, arch_index=st.integers(0, len(ARCHS) - 1), seed=st.integers(0, 3))
def test_model_laws(layer, arch_index, seed):
    arch = ARCHS[arch_index]
    found = search(layer, arch, budget=64, seed=seed)
    r = found.result
    # energy is the sum of its parts, all non-negative
    assert all(e >= 0 for e in r.energy_breakdown_pj.values())
    assert r.energy_pj == pytest.approx(sum(r.energy_breakdown_pj.values()))
    # no schedule beats every PE busy every cycle; bandwidth can only add cycles
    assert r.cycles >= r.compute_cycles >= math.ceil(layer.macs / arch.n_pes)
    assert 0 < r.utilisation <= 1
    # every weight and input word leaves DRAM at least once; every output reaches it
    acc = r.accesses
    assert acc[("dram", "Weights")]["reads"] >= layer.weight_words
    # input rows/columns some window touches (dilation 1): all, or P*R when stride > R
    touched_h = min(layer.input_h, layer.P * layer.R)
    touched_w = min(layer.input_w, layer.Q * layer.S)
    touched = layer.N * layer.G * layer.C * touched_h * touched_w
    assert acc[("dram", "Inputs")]["reads"] >= touched
    assert acc[("dram", "Outputs")]["updates"] >= layer.output_words
    # the innermost buffer of an operand is read once per MAC slot of every busy PE
    for (level, operand), counts in acc.items():
        if level.endswith(("_spad", "_reg")) and operand != "Outputs":
            assert counts["reads"] >= layer.macs
