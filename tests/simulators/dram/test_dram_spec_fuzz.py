"""Memspec and address-mapping readers on random bytes and mutated real files."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.errors import ConfigError
from archgym.simulators.dram import MemSpec, load_memspec
from archgym.simulators.dram.mapping import AddressMapping, load_mapping
from tests.fuzzing import FUZZ_SETTINGS, check_reader, mutated

BUILTIN = sorted(
    p.name for p in (resources.files("archgym.simulators.dram") / "memspecs").iterdir()
)
DRAMSYS = [
    "MICRON_1Gb_DDR3-1600_8bit_G.json",
    "MICRON_4Gb_DDR4-2400_8bit_A.json",
    "JEDEC_8Gb_LPDDR4-3200_16bit.json",
]
MAPPINGS = ["am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json", "am_ddr4_8x4Gbx8_dimm_p1KB_brc.json"]


def _check_memspec(path):
    spec = check_reader(load_memspec, path, ConfigError)
    assert spec is None or isinstance(spec, MemSpec)


@pytest.mark.parametrize("name", BUILTIN)
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_archgym_memspec(tmp_path, name, data):
    original = (resources.files("archgym.simulators.dram") / "memspecs" / name).read_bytes()
    path = tmp_path / "mutated.json"
    path.write_bytes(data.draw(mutated(original)))
    _check_memspec(path)


@pytest.mark.parametrize("name", DRAMSYS)
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_dramsys_memspec(shared_data, tmp_path, name, data):
    path = tmp_path / "mutated.json"
    path.write_bytes(data.draw(mutated((shared_data / "dram/memspecs" / name).read_bytes())))
    _check_memspec(path)


@pytest.mark.parametrize("name", MAPPINGS)
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_address_mapping(shared_data, tmp_path, name, data):
    path = tmp_path / "mutated.json"
    path.write_bytes(data.draw(mutated((shared_data / "dram" / name).read_bytes())))
    mapping = check_reader(load_mapping, path, ConfigError)
    assert mapping is None or isinstance(mapping, AddressMapping)


def _ddr3(**timing) -> dict:
    text = (resources.files("archgym.simulators.dram") / "memspecs" / "DDR3-1600.json").read_text()
    spec = json.loads(text)
    spec["timing"].update(timing)
    return spec


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"tREFI": 1e400}, "timing.tREFI: expected a finite number, got inf"),
        ({"CL": "10"}, "timing.CL: expected a finite number, got '10'"),
        ({"CL": None}, "timing.CL"),
        ({"tRFC": 2**80}, "field 'tRFC' must be a number in 1..2147483647"),
        ({"CL": 10.5}, "field 'CL' must be an integer"),
    ],
)
def test_bad_memspec_values_name_file_and_field(tmp_path, change, expected):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_ddr3(**change)).replace("Infinity", "1e400"))
    with pytest.raises(ConfigError) as info:
        load_memspec(path)
    assert str(path) in str(info.value) and expected in str(info.value)


def test_integral_float_organisation_is_read_as_integers(tmp_path):
    spec = _ddr3()
    spec["architecture"]["rows"] = float(spec["architecture"]["rows"])  # power-of-two check
    path = tmp_path / "floaty.json"
    path.write_text(json.dumps(spec))
    assert load_memspec(path).rows == spec["architecture"]["rows"]


def test_json_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "name": "x",\n  "memory_type": DDR3\n}\n')
    with pytest.raises(ConfigError, match=rf"{path}:3: not valid JSON"):
        load_memspec(path)
