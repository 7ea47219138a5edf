"""Fidelity: the native model against ZigZag 3.9.1 on every shipped hardware file.

Same layer, same mapping: the native model reads ZigZag's hardware YAML and counts with
the ZigZag convention, so energy and latency agree to rounding. The full table (seven
real layers x five files, ZigZag's own LOMA mappings) is benchmarks/thirdparty_compare.py.
"""

from __future__ import annotations

import pytest

from archgym.simulators.accelerator import conv, gemm, search
from archgym.simulators.thirdparty.crosscheck import (
    SHIPPED_HARDWARE,
    compare_with_zigzag,
    loop_nest_from_zigzag,
    shipped_spatial,
    zigzag_architecture,
    zigzag_entry,
)

# small enough for one ZigZag evaluation in tens of milliseconds
LAYERS = [
    conv("conv3x3", K=32, C=16, P=8, R=3),
    conv("strided", K=16, C=8, P=7, R=3, stride=2),
    gemm("fc", M=4, N=64, K=48),
]


@pytest.mark.parametrize("hardware", sorted(SHIPPED_HARDWARE))
def test_native_mapping_costs_the_same_in_zigzag(zigzag_installed: None, hardware: str) -> None:
    from archgym.simulators.thirdparty.zigzag import run_zigzag, shipped_file

    arch = zigzag_architecture(hardware)
    for layer in LAYERS:
        best = search(layer, arch, budget=200, objective="delay")
        (theirs,) = run_zigzag(
            layer, shipped_file("hardware", hardware), [zigzag_entry(best.mapping, layer)]
        )
        ours = best.result
        assert ours.energy_pj == pytest.approx(theirs.energy_pj, rel=1e-6), layer.name
        assert ours.cycles == pytest.approx(theirs.latency_cycles, rel=1e-6), layer.name
        assert ours.latency_breakdown == pytest.approx(theirs.latency_breakdown)
        # ZigZag's allocator cut the loop order exactly where the native one did
        assert loop_nest_from_zigzag(theirs, arch) == best.mapping


def test_zigzag_search_result_converts_and_matches(zigzag_installed: None) -> None:
    # ZigZag's own LOMA search on its eyeriss_like file, with a generated unrolling
    layer = conv("tiny", K=24, C=4, P=6, R=3)
    (result,) = compare_with_zigzag([layer], "eyeriss_like", spatial="auto")
    assert result.energy_error == pytest.approx(0.0, abs=1e-9)
    assert result.latency_error == pytest.approx(0.0, abs=1e-9)
    for memory, pj in result.zigzag_breakdown.items():
        assert result.native_breakdown[memory] == pytest.approx(pj, rel=1e-9)


def test_shipped_files_read_as_native_architectures(zigzag_installed: None) -> None:
    eyeriss = zigzag_architecture("eyeriss_like")
    assert eyeriss.array == (14, 12) and eyeriss.convention == "zigzag"
    # outputs: rf_16B -> sram_8KB -> sram_1M -> dram; weights skip sram_8KB and sram_1M
    names = [lv.name for lv in eyeriss.levels]
    assert [names[i] for i in eyeriss.chains[2]] == ["rf_16B", "sram_8KB", "sram_1M", "dram"]
    assert [names[i] for i in eyeriss.chains[0]] == ["rf_64B_W", "sram_64KB", "dram"]
    assert eyeriss.instances(eyeriss.level("rf_16B")) == 168
    assert shipped_spatial("tpu_like") == {"D1": ["K, 32"], "D2": ["C, 32"]}
    assert shipped_spatial("eyeriss_like") is None
    edge = zigzag_architecture("edge_tpu_like")
    assert edge.array == (8, 8, 4, 4)
    assert edge.instances(edge.level("rf_1B")) == 64  # one per (D1, D2) pair, spans D3 x D4


def test_entry_names_zigzag_loops() -> None:
    from archgym.simulators.accelerator import LoopNest

    nest = LoopNest(((("K", 4), ("Q", 2)), ()), (("C", 3), ("P", 5)), ((1, 2), (1, 2), (2, 2)))
    entry = zigzag_entry(nest, conv("c", K=4, C=3, P=5, Q=2))
    assert entry["spatial_mapping"] == {"D1": ["K, 4", "OX, 2"], "D2": ["K, 1"]}
    assert entry["temporal_ordering"] == [["C", 3], ["OY", 5]]
