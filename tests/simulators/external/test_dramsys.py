"""DRAMSys adapter: mcconfig, memspec and address-mapping JSON, end-of-run report."""

from __future__ import annotations

import json

import pytest

from archgym.errors import ConfigError
from archgym.simulators.dram import AddressMapping, get_memspec
from archgym.simulators.external import ToolOutputError
from archgym.simulators.external.dramsys import (
    DRAMSysSimulator,
    mapping_json,
    mcconfig,
    metrics_from_stdout,
    render_ddr3_memspec,
)

DESIGN = {
    "PagePolicy": "OpenAdaptive",
    "Scheduler": "FrFcfsGrp",
    "SchedulerBuffer": "ReadWrite",
    "RequestBufferSize": 4,
    "RespQueue": "Reorder",
    "RefreshPolicy": "AllBank",
    "RefreshMaxPostponed": 2,
    "RefreshMaxPulledin": 3,
    "Arbiter": "Fifo",
    "MaxActiveTransactions": 64,
}


def test_mcconfig_carries_every_knob_and_the_read_write_buffer_sizes():
    config = mcconfig(DESIGN)
    assert {k: config[k] for k in DESIGN} == DESIGN
    assert config["RequestBufferSizeRead"] == config["RequestBufferSizeWrite"] == 4
    assert (config["CmdMux"], config["PowerDownPolicy"], config["RefreshManagement"]) == (
        "Oldest",
        "NoPowerDown",
        False,
    )
    assert "RequestBufferSizeRead" not in mcconfig({**DESIGN, "SchedulerBuffer": "Bankwise"})


def test_ddr3_memspec_has_dramsys_5_units():
    memspec = render_ddr3_memspec(get_memspec("DDR3-1600"))
    assert memspec["memoryType"] == "DDR3"
    assert memspec["memarchitecturespec"]["nbrOfBanks"] == 8
    assert memspec["mempowerspec"]["idd0"] == pytest.approx(0.070)  # 70 mA in A
    assert memspec["memtimingspec"]["tCK"] == pytest.approx(1.25e-9)
    assert (memspec["memtimingspec"]["RL"], memspec["memtimingspec"]["WL"]) == (10, 8)


def test_address_mapping_lists_bits_and_xor_pairs():
    mapping = AddressMapping(
        "m",
        byte=(0, 1),
        column=(2, 3),
        bank_group=(),
        bank=(4,),
        rank=(),
        row=(5, 6),
        xor=((4, 6),),
    )
    assert mapping_json(mapping) == {
        "BYTE_BIT": [0, 1],
        "COLUMN_BIT": [2, 3],
        "BANK_BIT": [[4, 6]],
        "ROW_BIT": [5, 6],
    }


def test_report_parsing_converts_systemc_time_units():
    text = (
        "DRAMSys.controller0       Total Time:     1.5 us\n"
        "DRAMSys.controller0       AVG BW:         87.23 Gb/s |  10.90 GB/s |  68.12 %\n"
        "DRAMSys.controller0.ra0   AVG BW:          1.00 Gb/s |   0.12 GB/s |   1.00 %\n"
        "DRAMSys.dram0  Total Energy:   2e-06 J\n"
    )
    metrics = metrics_from_stdout(text, bytes_moved=6400)
    assert metrics == pytest.approx(
        {
            "sim_time_ns": 1500.0,
            "bandwidth_gbps": 6400 / 1500,
            "energy_nj": 2000.0,
            "power_mw": 1000 * 2000 / 1500,
        }
    )
    with pytest.raises(ToolOutputError, match="PowerAnalysis"):
        metrics_from_stdout(text.replace("Total Energy", "Energy?"), 64)
    with pytest.raises(ToolOutputError, match="no controller 'Total Time'"):
        metrics_from_stdout("Simulation took 1 seconds.\n", 64)


def test_a_run_through_the_stand_in(standins, small_trace):
    simulator = DRAMSysSimulator(standins["dramsys"])
    design = {**DESIGN, "PagePolicy": "Open"}
    metrics = simulator.evaluate(design, small_trace)
    assert metrics["sim_time_ns"] == pytest.approx(500.0)  # 5 ns a request
    assert metrics["energy_nj"] == pytest.approx(100.0)
    config = simulator.render_config(design)["simulation"]
    assert config["tracesetup"] == [
        {"type": "player", "clkMhz": 800, "dataLength": 64, "name": "trace.stl"}
    ]
    assert simulator.native_counterpart().env_options == {
        "memspec": "DDR3-1600",
        "address_mapping": "rbc",
    }


def test_other_memory_types_need_a_dramsys_memspec_file(standins, tmp_path):
    with pytest.raises(ConfigError, match="DDR3 memspecs only"):
        DRAMSysSimulator(standins["dramsys"], memspec="DDR4-2400")
    memspec = tmp_path / "memspec.json"
    memspec.write_text(
        json.dumps(
            {
                "memspec": {
                    "memarchitecturespec": {"width": 16, "nbrOfDevices": 4, "burstLength": 8},
                    "memtimingspec": {"tCK": 0.625e-9},
                }
            }
        )
    )
    mapping = tmp_path / "am.json"
    mapping.write_text(json.dumps({"addressmapping": {"COLUMN_BIT": [3, 4]}}))
    simulator = DRAMSysSimulator(standins["dramsys"], memspec_file=memspec, address_mapping=mapping)
    assert (simulator.access_bytes, simulator.clock_mhz) == (64, pytest.approx(1600.0))
    assert simulator.mapping_json == {"COLUMN_BIT": [3, 4]}
    with pytest.raises(ConfigError, match="not a memspec file"):
        simulator.native_counterpart()
