"""Ramulator 2 adapter: YAML rendering, trace conversion, stats parsing."""

from __future__ import annotations

import pytest
import yaml

from archgym.errors import ConfigError
from archgym.simulators.external import ToolOutputError
from archgym.simulators.external.ramulator2 import Ramulator2Simulator, statistics

OPEN = {
    "PagePolicy": "Open",
    "RefreshPolicy": "AllBank",
    "WriteHighWatermark": 0.8,
    "WriteLowWatermark": 0.2,
}


def test_config_follows_ramulators_example_layout(standins):
    simulator = Ramulator2Simulator(standins["ramulator2"])
    config = simulator.render_config({**OPEN, "PagePolicy": "Closed", "RefreshPolicy": "NoRefresh"})
    memory = config["MemorySystem"]
    assert config["Frontend"]["impl"] == "LoadStoreTrace"
    # 4 Gb x8 devices, 8 of them on a 64-bit rank: 4 GiB of addresses
    assert config["Frontend"]["Translation"] == {"impl": "NoTranslation", "max_addr": 4 << 30}
    assert memory["DRAM"]["org"] == {"preset": "DDR4_4Gb_x8", "channel": 1, "rank": 1}
    assert memory["DRAM"]["timing"] == {"preset": "DDR4_2400R", "nREFI": 1 << 30}
    assert memory["Controller"]["RowPolicy"] == {"impl": "ClosedRowPolicy", "cap": 1}
    assert memory["Controller"]["wr_high_watermark"] == 0.8
    assert memory["AddrMapper"] == {"impl": "RoBaRaCoCh"}
    assert yaml.safe_load(yaml.safe_dump(config)) == config


def test_metrics_from_the_stats_lines(standins, small_trace):
    simulator = Ramulator2Simulator(standins["ramulator2"])
    metrics = simulator.evaluate(OPEN, small_trace)
    tck = 833 / 1000  # Ramulator's integer tCK_ps for 2400 MT/s
    assert metrics["sim_time_ns"] == pytest.approx(300 * tck)
    # read_latency_0 over the reads that reached the DRAM, not Ramulator's own average
    assert metrics["read_latency_ns"] == pytest.approx(20 * tck)
    assert metrics["row_hit_rate"] == pytest.approx(94 / 100)
    # 2 nJ per request per device, 8 devices
    assert metrics["energy_nj"] == pytest.approx(1600.0)
    assert metrics["power_mw"] == pytest.approx(1000 * 1600 / (300 * tck))
    assert metrics["bandwidth_gbps"] == pytest.approx(100 * 64 / (300 * tck))
    closed = simulator.evaluate({**OPEN, "PagePolicy": "Closed"}, small_trace)
    assert closed["sim_time_ns"] == pytest.approx(900 * tck)


def test_statistics_sum_over_channels_and_skip_log_lines():
    text = (
        "[Ramulator::LoadStoreTrace] [info] Loaded 8 lines.\n"
        "MemorySystem:\n  memory_system_cycles: 40\n  Controller:\n    row_hits_0: 3\n"
        "  Controller:\n    row_hits_1: 4\n    avg_read_latency_1: 1.5e+01\n"
    )
    stats = statistics(text)
    assert stats == {
        "memory_system_cycles": [40.0],
        "row_hits_0": [3.0],
        "row_hits_1": [4.0],
        "avg_read_latency_1": [15.0],
    }


def test_a_report_without_cycles_is_an_output_error(tmp_path, small_trace):
    from tests.simulators.external.standins import write_script

    silent = write_script(tmp_path, "silent", "print('nothing to report')\n")
    with pytest.raises(ToolOutputError, match="printed no 'memory_system_cycles'"):
        Ramulator2Simulator(silent).evaluate(OPEN, small_trace)


def test_presets_and_mapping_are_checked(standins):
    with pytest.raises(ConfigError, match="DDR4 ones"):
        Ramulator2Simulator(standins["ramulator2"], org_preset="DDR3_4Gb_x8")
    with pytest.raises(ConfigError, match="address_mapping 'xor'"):
        Ramulator2Simulator(standins["ramulator2"], address_mapping="xor")


def test_counterpart_holds_the_watermarks_at_ramulators_defaults(standins):
    counterpart = Ramulator2Simulator(standins["ramulator2"]).native_counterpart()
    assert counterpart.env_options == {"memspec": "DDR4-2400", "address_mapping": "rbc"}
    assert counterpart.tool_knobs == {"WriteHighWatermark": 0.8, "WriteLowWatermark": 0.2}
    with pytest.raises(ConfigError, match="default presets"):
        Ramulator2Simulator(standins["ramulator2"], ranks=2).native_counterpart()
