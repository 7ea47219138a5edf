"""Fidelity: the native model against ZigZag on ZigZag's shipped hardware files.

Same layer, same mapping (:func:`shared_mappings`), native access counts priced with the
YAML's per-access costs. Measured with zigzag-dse 3.9.1 (docs/envs/thirdparty.md):
energy within 1.2% on tpu_like and 9.1% on generic_array_cacti, latency within 17.3%.
The tolerances stated for archgym: energy 10%, latency 20%.
"""

from __future__ import annotations

import pytest
import yaml

from archgym.errors import ConfigError
from archgym.simulators.accelerator.workload import conv, gemm
from archgym.simulators.thirdparty.crosscheck import (
    SHIPPED_STRUCTURES,
    compare_with_zigzag,
    native_architecture,
    price_with_zigzag_costs,
    shared_mappings,
)

ENERGY_TOLERANCE = 0.10
LATENCY_TOLERANCE = 0.20

LAYERS = {
    "tpu_like": [
        conv("conv3x3", K=64, C=64, P=14, R=3),
        conv("conv3x3_7", K=128, C=64, P=7, R=3),
        conv("pointwise", K=64, C=128, P=14, R=1),
        conv("strided", K=32, C=32, P=28, R=3, stride=2),
        gemm("fc", M=1, N=256, K=512),
    ],
    "generic_array_cacti": [
        conv("conv3x3", K=256, C=256, P=14, R=3),
        conv("conv3x3_k512", K=512, C=256, P=14, R=3),
        conv("pointwise", K=256, C=512, P=14, R=1),
        conv("strided", K=256, C=256, P=14, R=3, stride=2),
        gemm("fc", M=1, N=512, K=512),
    ],
}


@pytest.mark.parametrize("hardware", sorted(LAYERS))
def test_energy_and_latency_within_stated_tolerance(zigzag_installed: None, hardware: str) -> None:
    results = compare_with_zigzag(LAYERS[hardware], hardware)
    assert len(results) == 5
    for result in results:
        assert abs(result.energy_error) <= ENERGY_TOLERANCE, result
        assert abs(result.latency_error) <= LATENCY_TOLERANCE, result
        # DRAM traffic is where the mapping shows first: both models agree on it exactly
        for key, zigzag_pj in result.zigzag_breakdown.items():
            if key.endswith("@dram"):
                assert result.native_breakdown[key] == pytest.approx(zigzag_pj)
        assert result.native_breakdown["mac"] == pytest.approx(result.zigzag_breakdown["mac"])


def test_shared_mapping_matches_zigzag_levels(zigzag_installed: None) -> None:
    from archgym.simulators.thirdparty.zigzag import shipped_file

    hardware = yaml.safe_load(shipped_file("hardware", "tpu_like").read_text())
    arch = native_architecture("tpu_like", hardware)
    assert (arch.pe_x, arch.pe_y) == (32, 32)
    assert arch.spads[1] is None and arch.glb_keeps == frozenset({1, 2})
    assert arch.spads[0].capacity_words == 128  # rf_128B of 8-bit weights
    layer = conv("c", K=64, C=64, P=14, R=3)
    native, zigzag = shared_mappings("tpu_like", layer, 32, 32)
    assert native.level("pe") == {"R": 3, "S": 3}
    assert native.level("x") == {"K": 32} and native.level("y") == {"C": 32}
    assert zigzag[0]["temporal_ordering"] == [
        ["FX", 3],
        ["FY", 3],
        ["OX", 14],
        ["OY", 14],
        ["K", 2],
        ["C", 2],
    ]


def test_pricing_uses_the_yaml_costs() -> None:
    class Result:
        macs = 10
        accesses = {("dram", "Weights"): {"reads": 8.0, "fills": 0.0, "updates": 0.0}}

    hardware = {
        "memories": {
            "dram": {
                "r_cost": 700.0,
                "w_cost": 750.0,
                "served_dimensions": ["D1", "D2"],
                "ports": [{"bandwidth_min": 64, "bandwidth_max": 64}],
            }
        },
        "operational_array": {"unit_energy": 0.04},
    }
    priced = price_with_zigzag_costs(Result(), hardware)
    # 8 one-byte words are one 64-bit DRAM access of 700 pJ
    assert priced == {"W@dram": pytest.approx(700.0), "mac": pytest.approx(0.4)}


def test_unsupported_inputs_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="supported: .*tpu_like"):
        native_architecture("eyeriss_like", {})
    with pytest.raises(ConfigError, match="K % 32"):
        shared_mappings("tpu_like", conv("odd", K=48, C=64, P=7, R=3), 32, 32)
    assert set(SHIPPED_STRUCTURES) == {"tpu_like", "generic_array_cacti"}
