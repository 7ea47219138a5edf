"""read_dramsim3_config: DRAMsim3 .ini systems as MemSpec, AddressMapping, ControllerConfig.

The .ini files are written here, in DRAMsim3's format, with made-up but consistent
numbers (a DDR4 part of 16 banks, 32768 rows, 1024 columns, x8; 8192 MB per channel).
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from archgym.errors import ConfigError
from archgym.simulators.dram import read_dramsim3_config

DDR4 = """\
[dram_structure]
protocol = DDR4
bankgroups = 4
banks_per_group = 4
rows = 32768
columns = 1024
device_width = 8
BL = 8

[timing]
tCK = 0.83
AL = 0
CL = 17
CWL = 12
tRCD = 17
tRP = 17
tRAS = 39
tRFC = 312
tREFI = 9360
tRRD_S = 4
tRRD_L = 6
tWTR_S = 3
tWTR_L = 9
tFAW = 26
tWR = 18
tRTP = 9
tCCD_S = 4
tCCD_L = 6
tCKE = 6
tXP = 8
tRTRS = 1

[power]
VDD = 1.2
IDD0 = 60
IDD2P = 29
IDD2N = 45
IDD3P = 40
IDD3N = 60
IDD4W = 175
IDD4R = 145
IDD5AB = 175
IDD6x = 20

[system]
channel_size = 8192 ; MB
channels = 1
bus_width = 64
address_mapping = rochrababgco
queue_structure = PER_BANK
row_buf_policy = OPEN_PAGE
cmd_queue_size = 8
trans_queue_size = 32
"""


def _write(tmp_path, text, name="part.ini"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_memspec_organisation_timing_and_power(tmp_path):
    config = read_dramsim3_config(_write(tmp_path, DDR4))
    spec = config.memspec
    # 1 KB pages x 32 Ki rows x 16 banks x 8 devices = 4 GB a rank: 8192 MB is two ranks
    assert (spec.ranks, spec.devices, spec.bank_groups, spec.banks_per_group) == (2, 8, 4, 4)
    assert spec.tck_ns == pytest.approx(0.83)
    assert spec.tRC == 39 + 17  # DRAMsim3 computes tRC = tRAS + tRP
    assert (spec.CL, spec.CWL, spec.tWTR_L, spec.tCCD_L) == (17, 12, 9, 6)
    assert (spec.idd5, spec.idd6, spec.vdd) == (175.0, 20.0, 1.2)
    assert spec.capacity_bytes == 8192 << 20
    assert spec.name == "part"


def test_address_mapping_follows_the_field_string(tmp_path):
    config = read_dramsim3_config(_write(tmp_path, DDR4))
    # rochrababgco from the most significant bit down, above 6 bits of burst offset:
    # column 7 bits at 6, bank group 2 at 13, bank 2 at 15, rank 1 at 17, row above
    address = np.array([(5 << 6) | (3 << 13) | (2 << 15) | (1 << 17) | (77 << 18)], np.uint64)
    fields = config.address_mapping.decode(address)
    assert fields["column"][0] == 5 << 3  # the column counts device words: 8 per burst
    assert (fields["bank_group"][0], fields["bank"][0], fields["rank"][0]) == (3, 2, 1)
    assert fields["row"][0] == 77


def test_controller_settings_mirror_dramsim3(tmp_path):
    controller = read_dramsim3_config(_write(tmp_path, DDR4)).controller
    assert (controller.scheduler_buffer, controller.request_buffer_size) == ("Bankwise", 8)
    assert controller.transaction_queue_size == controller.write_buffer_size == 32
    assert (controller.write_high_watermark, controller.write_low_watermark) == (32, 0)
    assert (controller.cmd_mux, controller.page_policy) == ("RoundRobin", "Open")
    assert controller.refresh_max_postponed == 0
    closed = DDR4.replace("OPEN_PAGE", "CLOSE_PAGE").replace("PER_BANK", "PER_RANK")
    controller = read_dramsim3_config(_write(tmp_path, closed)).controller
    assert controller.page_policy == "Closed"
    assert (controller.scheduler_buffer, controller.request_buffer_size) == ("Shared", 16)


def test_ddr3_without_bank_groups_uses_the_short_timings(tmp_path):
    text = DDR4.replace("protocol = DDR4", "protocol = DDR3")
    text = text.replace("bankgroups = 4", "bankgroups = 1").replace(
        "banks_per_group = 4", "banks_per_group = 8"
    )
    for key in ("tRRD_L = 6\n", "tWTR_L = 9\n", "tCCD_L = 6\n"):
        text = text.replace(key, "")
    spec = read_dramsim3_config(_write(tmp_path, text)).memspec
    assert (spec.tCCD_L, spec.tRRD_L, spec.tWTR_L) == (spec.tCCD_S, spec.tRRD_S, spec.tWTR_S)
    assert spec.ranks == 4  # 8 banks: 2 GB a rank


def test_missing_refresh_interval_takes_dramsim3s_default(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        spec = read_dramsim3_config(_write(tmp_path, DDR4.replace("tREFI = 9360\n", ""))).memspec
    assert spec.tREFI == 7800
    assert "tREFI" in caplog.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("tRCD = 17\n", ""), r"\[timing\] tRCD is missing"),
        (("CL = 17", "CL = fast"), r"\[timing\] CL = 'fast' is not a number"),
        (("protocol = DDR4", "protocol = HBM2"), "protocol = 'HBM2' is not supported"),
        (("rochrababgco", "rochrababg"), "address_mapping 'rochrababg'"),
        (("channel_size = 8192", "channel_size = 1024"), "smaller than one rank"),
        (
            ("queue_structure = PER_BANK", "queue_structure = PER_BANK\nunified_queue = True"),
            "unified_queue",
        ),
        (("[timing]", "[timing\n"), "not valid .ini"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path, change, message):
    path = _write(tmp_path, DDR4.replace(*change))
    with pytest.raises(ConfigError, match=message) as error:
        read_dramsim3_config(path)
    assert "part.ini" in str(error.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        read_dramsim3_config(tmp_path / "absent.ini")
