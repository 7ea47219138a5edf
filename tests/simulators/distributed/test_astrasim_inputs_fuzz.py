"""ASTRA-sim input readers on random bytes and mutated ArchGym files."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.errors import ConfigError, WorkloadError
from archgym.simulators.distributed import (
    read_network_config,
    read_system_config,
    read_workload_config,
)
from tests.fuzzing import FUZZ_SETTINGS, check_reader, mutated
from tests.simulators.distributed.test_astrasim_inputs import NETWORK, SYSTEM


@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_workload_config(tmp_path, archgym_gpt3_workload, data):
    path = tmp_path / "workload.json"
    original = json.dumps(archgym_gpt3_workload, indent=1).encode()
    path.write_bytes(data.draw(mutated(original)))
    check_reader(read_workload_config, path, WorkloadError)


@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_network_config(tmp_path, data):
    path = tmp_path / "network.yml"
    path.write_bytes(data.draw(mutated(NETWORK.encode())))
    check_reader(read_network_config, path, ConfigError)


@pytest.mark.parametrize("dimensions", [1, 4])
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_system_config(tmp_path, dimensions, data):
    path = tmp_path / "system.json"
    path.write_bytes(data.draw(mutated(json.dumps(SYSTEM, indent=1).encode())))
    check_reader(lambda p: read_system_config(p, dimensions), path, ConfigError)


@pytest.mark.parametrize("value", ["1e999", "NaN", "-Infinity", "9" * 5000])
def test_non_finite_workload_numbers_name_file_and_field(tmp_path, archgym_gpt3_workload, value):
    path = tmp_path / "workload.json"
    path.write_text(json.dumps(archgym_gpt3_workload).replace('"dp": 8', f'"dp": {value}'))
    with pytest.raises(WorkloadError) as info:
        read_workload_config(path)
    assert str(path) in str(info.value)
