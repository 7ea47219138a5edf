"""The DRAMsim3 .ini reader on random bytes and mutated configs: a config or a ConfigError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.errors import ConfigError
from archgym.simulators.dram import read_dramsim3_config
from tests.fuzzing import FUZZ_SETTINGS, check_reader, mutated
from tests.simulators.dram.test_dram_dramsim3_config import DDR4


@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_dramsim3_config(tmp_path, data):
    path = tmp_path / "mutated.ini"
    path.write_bytes(data.draw(mutated(DDR4.encode())))
    check_reader(read_dramsim3_config, path, ConfigError)


def test_binary_and_infinite_values_name_file_and_key(tmp_path):
    path = tmp_path / "bad.ini"
    path.write_bytes(DDR4.encode().replace(b"CL = 17", b"CL = \xff"))
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: byte 0xff at column 6 is not UTF-8"):
        read_dramsim3_config(path)
    path.write_text(DDR4.replace("tREFI = 9360", "tREFI = inf"))
    with pytest.raises(ConfigError, match=r"\[timing\] tREFI = 'inf' is not a number"):
        read_dramsim3_config(path)
