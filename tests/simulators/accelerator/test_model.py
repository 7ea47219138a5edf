"""Hand-computed access counts and cycles of a tiny convolution under one fixed mapping."""

from __future__ import annotations

import math

import pytest

from archgym.errors import InvalidDesignError
from archgym.simulators.accelerator import (
    Buffer,
    Layer,
    Mapping,
    evaluate,
    evaluate_many,
    systolic,
    template,
)

# K=2, C=2, P=4, R=3 (Q=S=1, stride 1): 48 MACs; the input column has 4-1+3 = 6 rows.
TINY = Layer("tiny", K=2, C=2, P=4, R=3)


def tiny_arch(glb_read_bw: float = math.inf, glb_depth: int = 64):
    def spad(name):
        return Buffer(name, "SRAM", 8, 16, 1)

    return template(
        "tiny",
        2,
        1,
        spads=(spad("w"), spad("i"), spad("o")),
        glb=Buffer("glb", "SRAM", glb_depth, 16, 1, glb_read_bw, math.inf),
        node_nm=32.0,
    )


def word_pj(arch, name: str) -> tuple[float, float]:
    """(read, write) pJ per 16-bit word of a level (one access is one word here)."""
    level = arch.level(name)
    return level.read_pj, level.write_pj


# R3 inside the PE, K2 over the two PEs, P4 at the global buffer, C2 at DRAM
TINY_MAPPING = Mapping.from_levels(TINY, pe={"R": 3}, x={"K": 2}, glb={"P": 4}, dram={"C": 2})


def test_tiny_conv_access_counts_by_hand():
    r = evaluate(TINY, tiny_arch(), TINY_MAPPING)
    acc = r.accesses
    # per PE 3*4*2 = 24 temporal iterations, 2 PEs busy: one read per MAC per operand
    assert r.compute_cycles == 24 and r.cycles == 24 and r.used_pes == 2
    # weights: tile R3 = 3 words; P4 above is irrelevant (stationary), C2 refills: 3*2 per PE
    assert acc[("w", "Weights")] == {"reads": 48, "fills": 12, "updates": 0}
    # inputs: tile 3 rows; P4 and C2 both refill: 3*8 per PE
    assert acc[("i", "Inputs")] == {"reads": 48, "fills": 48, "updates": 0}
    # outputs: tile 1; 24 updates per PE; 4 distinct outputs per PE, each first update
    # needs no read -> 20 reads; 8 residencies (P4 x C2) - 4 distinct = 4 partial-sum refills
    assert acc[("o", "Outputs")] == {"reads": 40, "fills": 8, "updates": 48}
    # global buffer: weights tile K2*R3 = 6 refetched per C -> 12 fills; PEs read 6*2
    assert acc[("glb", "Weights")] == {"reads": 12, "fills": 12, "updates": 0}
    # inputs: multicast to both PEs (irrelevant K) -> 24 reads; tile 6 rows x C2 passes
    assert acc[("glb", "Inputs")] == {"reads": 24, "fills": 12, "updates": 0}
    # outputs: 8 residencies per PE drained (16), 4 partial-sum refills per PE read (8);
    # the 8 outputs stay in the buffer across C (irrelevant) -> written to DRAM once
    assert acc[("glb", "Outputs")] == {"reads": 8, "fills": 0, "updates": 16}
    assert acc[("dram", "Weights")]["reads"] == 12
    assert acc[("dram", "Inputs")]["reads"] == 12
    assert acc[("dram", "Outputs")] == {"reads": 0, "fills": 0, "updates": 8}
    assert r.utilisation == pytest.approx(48 / (24 * 2))


def test_tiny_conv_energy_is_counts_times_table():
    arch = tiny_arch()
    r = evaluate(TINY, arch, TINY_MAPPING)
    e = r.energy_breakdown_pj
    assert e["mac"] == pytest.approx(48 * arch.mac_energy_pj)
    w_read, w_write = word_pj(arch, "w")
    o_read, o_write = word_pj(arch, "o")
    g_read, g_write = word_pj(arch, "glb")
    assert e["w"] == pytest.approx(48 * w_read + 12 * w_write)
    assert e["o"] == pytest.approx(40 * o_read + (48 + 8) * o_write)
    assert e["glb"] == pytest.approx((12 + 24 + 8) * g_read + (12 + 12 + 16) * g_write)
    assert e["dram"] == pytest.approx((12 + 12 + 8) * arch.level("dram").read_pj)
    assert r.energy_pj == pytest.approx(sum(e.values()))
    assert r.edp == pytest.approx(r.energy_pj * 24)


def test_bandwidth_bound_cycles():
    # global buffer reads 12 + 24 + 8 = 44 words at 1 word/cycle > 24 compute cycles
    r = evaluate(TINY, tiny_arch(glb_read_bw=1.0), TINY_MAPPING)
    assert r.cycles == 44 and r.compute_cycles == 24
    assert r.bound_by == "glb"


def test_spad_overflow_names_level_and_overflow():
    # inputs tile 2 channels x (4-1+3) rows = 12 words in an 8-word spad
    mapping = Mapping.from_levels(TINY, pe={"R": 3, "P": 4, "C": 2}, x={"K": 2})
    with pytest.raises(
        InvalidDesignError, match=r"i \(Inputs\) overflows by 4 words \(capacity 8\)"
    ):
        evaluate(TINY, tiny_arch(), mapping)


def test_glb_and_spatial_overflow():
    # the glb tile spans R3, K2 and P4: weights 6, inputs 6 rows, outputs K2 x P4 = 8
    # words, 20 in a 4-word buffer
    with pytest.raises(InvalidDesignError, match=r"glb \(Weights/Inputs/Outputs\) overflows by 16"):
        evaluate(TINY, tiny_arch(glb_depth=4), TINY_MAPPING)
    wide = Mapping.from_levels(TINY, x={"K": 2, "C": 2})
    with pytest.raises(InvalidDesignError, match=r"spatial dim 0 .* overflows by 2 PEs"):
        evaluate(TINY, tiny_arch(), wide)


def test_mapping_must_cover_bounds():
    short = Mapping.from_levels(TINY, pe={"R": 3}, dram={"C": 1})
    with pytest.raises(InvalidDesignError, match="covers C=1 of the layer's C=2"):
        evaluate(TINY, tiny_arch(), short)


def test_padding_costs_cycles_not_macs():
    padded = Mapping.from_levels(TINY, pe={"R": 3}, x={"K": 2}, glb={"P": 5}, dram={"C": 2})
    r = evaluate(TINY, tiny_arch(), padded)
    assert r.compute_cycles == 30
    assert r.energy_breakdown_pj["mac"] == pytest.approx(48 * tiny_arch().mac_energy_pj)


def test_evaluate_many_matches_single_and_returns_errors():
    bad = Mapping.from_levels(TINY, x={"K": 2, "C": 2})
    out = evaluate_many(TINY, tiny_arch(), [TINY_MAPPING, bad])
    assert out[0] == evaluate(TINY, tiny_arch(), TINY_MAPPING)
    assert isinstance(out[1], InvalidDesignError)


def test_systolic_weight_stationary_fill_and_drain():
    # 4x4 WS array, 1x1 conv K4 C4 over 16 pixels: one pass of 16 cycles plus the fill and
    # drain 2*rows + cols - 2 = 10 (SCALE-Sim's per-fold latency)
    arch = systolic(4, 4, "ws", glb_kib=64)
    layer = Layer("pw", K=4, C=4, P=16)
    mapping = Mapping.from_levels(layer, pe={"P": 16}, x={"K": 4}, y={"C": 4})
    r = evaluate(layer, arch, mapping)
    assert r.compute_cycles == 16 + 10
    # weights pinned: each PE loads its one weight once; inputs multicast along K
    assert r.accesses[("weights_reg", "Weights")]["fills"] == 16
    assert r.accesses[("shared_glb", "Inputs")]["reads"] == 16 * 4
    # outputs reduced over C in the array: 16 pixels x 4 columns written once
    assert r.accesses[("shared_glb", "Outputs")]["updates"] == 64


def test_systolic_output_stationary_has_no_preload():
    # output stationary preloads nothing: fill and drain are rows + cols - 2 = 6 cycles
    arch = systolic(4, 4, "os", glb_kib=64)
    layer = Layer("pw", K=4, C=8, P=4)
    mapping = Mapping.from_levels(layer, pe={"C": 8}, x={"K": 4}, y={"P": 4})
    r = evaluate(layer, arch, mapping)
    assert r.compute_cycles == 8 + 6
    assert r.accesses[("outputs_reg", "Outputs")]["updates"] == 8 * 16


def test_strided_pointwise_fetches_only_touched_inputs():
    # 1x1 convolution at stride 2 over 4 outputs touches input rows 0, 2, 4, 6: 4 words,
    # not the 7-row span
    layer = Layer("s2", P=4, stride_h=2)
    r = evaluate(layer, tiny_arch(), Mapping.from_levels(layer, pe={"P": 4}))
    assert r.accesses[("i", "Inputs")]["fills"] == 4
    assert r.accesses[("dram", "Inputs")]["reads"] == 4
