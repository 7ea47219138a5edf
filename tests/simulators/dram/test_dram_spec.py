"""Memspec and address-mapping loading and validation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from archgym.errors import ConfigError
from archgym.simulators.dram.mapping import builtin_mapping, get_mapping, load_mapping
from archgym.simulators.dram.spec import builtin_memspecs, get_memspec, load_memspec


def test_builtin_memspecs_match_references(ddr3, ddr4):
    assert {"DDR3-1600", "DDR4-2400"} <= set(builtin_memspecs())
    # REFERENCES.md s2, DDR3-1600 Micron 1Gb x8
    assert (ddr3.CL, ddr3.tRCD, ddr3.tRP, ddr3.tRAS, ddr3.tRC, ddr3.tFAW) == (
        10,
        10,
        10,
        28,
        38,
        24,
    )
    assert ddr3.tck_ns == pytest.approx(1.25)
    assert ddr3.capacity_bytes == 1 << 30
    assert ddr3.peak_bandwidth_gbps == pytest.approx(12.8)
    # REFERENCES.md s2, DDR4-2400 (x64 channel peak 19.2 GB/s)
    assert (ddr4.CL, ddr4.tCCD_S, ddr4.tCCD_L, ddr4.tWTR_S, ddr4.tWTR_L) == (16, 4, 6, 3, 9)
    assert ddr4.peak_bandwidth_gbps == pytest.approx(19.2)
    assert ddr4.banks == 16 and ddr4.bank_groups == 4


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("MICRON_1Gb_DDR3-1600_8bit_G.json", "DDR3-1600"),
        ("MICRON_4Gb_DDR4-2400_8bit_A.json", "DDR4-2400"),
        ("JEDEC_4Gb_DDR4-2400_8bit_A.json", "DDR4-2400-JEDEC"),
        ("JEDEC_8Gb_LPDDR4-3200_16bit.json", "LPDDR4-3200"),
    ],
)
def test_dramsys_memspec_gives_the_same_part(shared_data, file, name):
    from_dramsys = load_memspec(shared_data / "dram" / "memspecs" / file)
    builtin = get_memspec(name)
    assert from_dramsys.to_dict()["timing"] == builtin.to_dict()["timing"]
    assert from_dramsys.to_dict()["power"] == builtin.to_dict()["power"]
    assert from_dramsys.to_dict()["architecture"] == builtin.to_dict()["architecture"]


def test_lpddr4_rails_are_folded(shared_data):
    lp = get_memspec("LPDDR4-3200")
    raw = json.loads((shared_data / "dram/memspecs/JEDEC_8Gb_LPDDR4-3200_16bit.json").read_text())
    power = raw["memspec"]["mempowerspec"]
    assert lp.vdd == 1.0
    assert lp.idd3n == pytest.approx(
        power["vdd"] * power["idd3n"] + power["vdd2"] * power["idd3n2"]
    )
    assert (lp.tRP, lp.tRP_AB, lp.tRFC_PB, lp.tREFI_PB) == (29, 34, 224, 780)
    assert lp.access_bytes == 32 and lp.peak_bandwidth_gbps == pytest.approx(6.4)


def test_unsupported_dramsys_type_is_named(shared_data):
    with pytest.raises(ConfigError, match="HBM2"):
        load_memspec(shared_data / "dram" / "memspecs" / "HBM2.json")


def _own(tmp_path, mutate):
    data = get_memspec("DDR3-1600").to_dict()
    mutate(data)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data))
    return path


def test_own_format_round_trip(tmp_path):
    path = _own(tmp_path, lambda d: None)
    assert load_memspec(path) == get_memspec("DDR3-1600")
    assert get_memspec(str(path)) == get_memspec("DDR3-1600")


def test_unknown_field_is_named(tmp_path):
    path = _own(tmp_path, lambda d: d["timing"].update(tBOGUS=3))
    with pytest.raises(ConfigError, match="tBOGUS") as info:
        load_memspec(path)
    assert str(path) in str(info.value)


def test_missing_field_is_named(tmp_path):
    path = _own(tmp_path, lambda d: d["timing"].pop("tFAW"))
    with pytest.raises(ConfigError, match="missing field 'tFAW'"):
        load_memspec(path)


def test_out_of_range_field_is_named(tmp_path):
    path = _own(tmp_path, lambda d: d["timing"].update(tRCD=0))
    with pytest.raises(ConfigError, match="tRCD"):
        load_memspec(path)
    path = _own(tmp_path, lambda d: d["timing"].update(tRC=5))
    with pytest.raises(ConfigError, match="tRC must be >= tRAS"):
        load_memspec(path)


def test_dramsys_unknown_and_missing_fields(tmp_path, shared_data):
    data = json.loads((shared_data / "dram/memspecs/MICRON_1Gb_DDR3-1600_8bit_G.json").read_text())
    data["memspec"]["memtimingspec"]["FOO"] = 1
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="unknown field 'FOO'"):
        load_memspec(path)
    del data["memspec"]["memtimingspec"]["FOO"]
    del data["memspec"]["memtimingspec"]["RCD"]
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="missing field 'RCD'"):
        load_memspec(path)


def test_unknown_memspec_name():
    with pytest.raises(ConfigError, match="unknown memspec 'DDR9'"):
        get_memspec("DDR9")


def test_builtin_mappings_decode(ddr3, ddr4):
    rbc = builtin_mapping("rbc", ddr3)
    fields = rbc.decode(np.array([0x40, 1 << 13, 1 << 16], dtype=np.uint64))
    assert fields["column"].tolist() == [8, 0, 0]
    assert fields["bank"].tolist() == [0, 1, 0]
    assert fields["row"].tolist() == [0, 0, 1]
    brc = builtin_mapping("brc", ddr4)
    assert brc.row[0] == 13 and brc.bank_group[0] == 28  # row above column, banks on top
    xor = builtin_mapping("rbc_xor", ddr3)
    f = xor.decode(np.array([1 << 16], dtype=np.uint64))  # row 1 lands in bank 1
    assert f["bank"].tolist() == [1] and f["row"].tolist() == [1]


def test_dramsys_address_mappings(shared_data, ddr3, ddr4):
    am3 = get_mapping(shared_data / "dram" / "am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json", ddr3)
    ours = builtin_mapping("rbc", ddr3)
    assert (am3.bank, am3.row, am3.column) == (ours.bank, ours.row, ours.column)
    am4 = get_mapping(shared_data / "dram" / "am_ddr4_8x4Gbx8_dimm_p1KB_brc.json", ddr4)
    f = am4.decode(np.array([(1 << 28) | (1 << 30) | (5 << 13)], dtype=np.uint64))
    assert (f["bank_group"][0], f["bank"][0], f["row"][0]) == (1, 1, 5)
    with pytest.raises(ConfigError, match="bank"):
        get_mapping(shared_data / "dram" / "am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json", ddr4)


def test_bad_mappings(tmp_path, ddr3):
    path = tmp_path / "am.json"
    path.write_text(json.dumps({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [1]}}))
    with pytest.raises(ConfigError, match="bit 1 is used by both"):
        load_mapping(path)
    path.write_text(json.dumps({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [2], "DIMM_BIT": [3]}}))
    with pytest.raises(ConfigError, match="DIMM_BIT"):
        load_mapping(path)
    with pytest.raises(ConfigError, match="unknown address mapping"):
        get_mapping("zigzag", ddr3)


@pytest.mark.parametrize("xor", [5, {"FIRST": 1, "SECOND": 2}, "FIRST"])
def test_xor_that_is_not_a_list_names_the_field(tmp_path, xor):
    path = tmp_path / "am.json"
    path.write_text(json.dumps({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [2], "XOR": xor}}))
    with pytest.raises(ConfigError, match="XOR must be a list"):
        load_mapping(path)
