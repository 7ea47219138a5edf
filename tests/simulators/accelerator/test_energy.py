"""The energy/area tables reproduce their anchor points (REFERENCES.md s3) and scale sanely."""

from __future__ import annotations

import pytest

from archgym.errors import ConfigError
from archgym.simulators.accelerator import energy


def test_sram_anchors_at_32nm_and_45nm():
    read, write = energy.memory_access_energy_pj("SRAM", 16384, 64, 32.0, banks=32)
    assert (read, write) == (pytest.approx(18.16, rel=1e-3), pytest.approx(14.11, rel=1e-3))
    read, write = energy.memory_access_energy_pj("SRAM", 64, 16, 32.0)
    assert (read, write) == (pytest.approx(0.228, rel=1e-3), pytest.approx(0.383, rel=1e-3))
    # the 45 nm value of the large SRAM is the node-scaling anchor
    read45, _ = energy.memory_access_energy_pj("SRAM", 16384, 64, 45.0, banks=32)
    assert read45 == pytest.approx(32.29, rel=1e-3)
    assert energy.memory_area_um2("SRAM", 16384, 64, 32.0, banks=1) == pytest.approx(
        217000, rel=1e-3
    )


def test_smartbuffer_rf_matches_reference_ert():
    # eyeriss_like ERT at 32 nm: psum spad 16 x 16 bit, weights spad 192 x 16 bit
    assert energy.memory_access_energy_pj("smartbuffer_RF", 16, 16)[0] == pytest.approx(0.2513)
    assert energy.memory_access_energy_pj("smartbuffer_RF", 192, 16)[1] == pytest.approx(1.8817)
    # ifmap spad (12 x 16) is not an anchor: within 10% of the ERT's 0.2024 pJ
    assert energy.memory_access_energy_pj("smartbuffer_RF", 12, 16)[0] == pytest.approx(
        0.2024, rel=0.10
    )


def test_mac_and_dram():
    assert energy.mac_energy_pj(8, 32.0) == pytest.approx(0.2077, rel=1e-3)
    assert energy.mac_energy_pj(16, 32.0) > 3.5 * energy.mac_energy_pj(8, 32.0)
    assert energy.dram_energy_pj_per_bit("LPDDR4") == 8.0
    with pytest.raises(ConfigError, match="unknown DRAM type"):
        energy.dram_energy_pj_per_bit("GDDR9")


@pytest.mark.parametrize("cls", ["regfile", "smartbuffer_RF", "smartbuffer_SRAM", "SRAM"])
def test_energy_and_area_grow_with_depth_and_shrink_with_node(cls):
    small = energy.memory_access_energy_pj(cls, 64, 16)[0]
    big = energy.memory_access_energy_pj(cls, 4096, 16)[0]
    assert big > small
    assert energy.memory_area_um2(cls, 4096, 16) > energy.memory_area_um2(cls, 64, 16)
    assert energy.memory_access_energy_pj(cls, 64, 16, 22.0)[0] < small


def test_register_files_lose_to_sram_when_deep():
    rf = energy.memory_access_energy_pj("regfile", 65536, 16)[0]
    sram = energy.memory_access_energy_pj("SRAM", 65536, 16)[0]
    assert rf > 10 * sram


def test_bad_inputs_raise():
    with pytest.raises(ConfigError, match="unknown memory class"):
        energy.memory_access_energy_pj("flash", 16, 16)
    with pytest.raises(ConfigError, match="positive"):
        energy.memory_area_um2("SRAM", 0, 16)
    with pytest.raises(ConfigError, match="outside"):
        energy.mac_energy_pj(8, 3.0)
