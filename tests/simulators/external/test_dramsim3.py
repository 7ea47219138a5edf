"""DRAMsim3 adapter: ini rendering, address mapping, trace conversion, epoch-windowed stats."""

from __future__ import annotations

import configparser
import dataclasses

import pytest

from archgym.errors import ConfigError, WorkloadError
from archgym.simulators.dram import get_mapping, get_memspec, read_dramsim3_config
from archgym.simulators.external import ToolNotFoundError, ToolOutputError
from archgym.simulators.external.dramsim3 import (
    DRAMsim3Simulator,
    address_mapping_code,
    render_ini,
)
from tests.simulators.external.standins import write_script

OPEN = {
    "PagePolicy": "Open",
    "SchedulerBuffer": "Bankwise",
    "RequestBufferSize": 8,
    "RefreshPolicy": "AllBank",
    "TransactionQueueSize": 32,
}
CLOSED = {**OPEN, "PagePolicy": "Closed", "SchedulerBuffer": "Shared", "RequestBufferSize": 2}


def test_address_mapping_codes_stack_the_fields_from_the_column_up():
    ddr3, ddr4 = get_memspec("DDR3-1600"), get_memspec("DDR4-2400")
    # rbc: column, bank (group), row from the lowest bits; empty fields on top
    assert address_mapping_code(get_mapping("rbc", ddr3)) == "rachbgrobaco"
    assert address_mapping_code(get_mapping("rbc", ddr4)) == "rachrobabgco"
    # brc: column, row, bank group, bank
    assert address_mapping_code(get_mapping("brc", ddr4)) == "rachbabgroco"
    with pytest.raises(ConfigError, match="XORs bits"):
        address_mapping_code(get_mapping("rbc_xor", ddr4))
    with pytest.raises(ConfigError, match="column bits .* not one contiguous run"):
        address_mapping_code(get_mapping("rbc_bg", ddr4))


def test_ini_renders_the_memspec_and_the_design_in_dramsim3_keys():
    spec = get_memspec("DDR3-1600")
    ini = configparser.ConfigParser()
    ini.read_string(render_ini(spec, "rachbgrobaco", CLOSED, epoch_period=64))
    structure, timing, power, system = (
        ini[s] for s in ("dram_structure", "timing", "power", "system")
    )
    assert (structure["protocol"], structure["banks_per_group"], structure["rows"]) == (
        "DDR3",
        "8",
        "16384",
    )
    assert (timing["tCK"], timing["CL"], timing["tRAS"], timing["tREFI"]) == (
        "1.25",
        "10",
        "28",
        "6240",
    )
    assert (power["VDD"], power["IDD5AB"]) == ("1.5", "170.0")
    # 8 banks x 16384 rows x 1024 columns x 8 bytes = 1 GiB in one rank
    assert (system["channel_size"], system["bus_width"]) == ("1024", "64")
    assert (system["row_buf_policy"], system["queue_structure"]) == ("CLOSE_PAGE", "PER_RANK")
    assert (system["cmd_queue_size"], system["trans_queue_size"]) == ("2", "32")
    assert ini["other"]["epoch_period"] == "64"
    no_refresh = configparser.ConfigParser()
    no_refresh.read_string(render_ini(spec, "x" * 12, {**OPEN, "RefreshPolicy": "NoRefresh"}, 64))
    assert no_refresh["timing"]["tREFI"] == str(1 << 30)


@pytest.mark.parametrize("name", ["DDR3-1600", "DDR4-2400"])
def test_the_rendered_ini_reads_back_as_the_same_part_mapping_and_controller(name, tmp_path):
    # archgym's independent reader of DRAMsim3's configs gets back what was rendered
    spec = get_memspec(name)
    mapping = get_mapping("rbc", spec)
    path = tmp_path / "rendered.ini"
    path.write_text(render_ini(spec, address_mapping_code(mapping), CLOSED, epoch_period=64))
    system = read_dramsim3_config(path)
    rendered, read = dataclasses.asdict(spec), dataclasses.asdict(system.memspec)
    for field, value in rendered.items():
        if field != "name":
            assert read[field] == (pytest.approx(value) if isinstance(value, float) else value)
    assert dataclasses.replace(system.address_mapping, name="rbc") == mapping
    controller = system.controller
    assert (controller.page_policy, controller.scheduler_buffer) == ("Closed", "Shared")
    assert (controller.request_buffer_size, controller.transaction_queue_size) == (2, 32)


def test_a_dramsim3_ini_gives_its_part_and_mapping(standins, tmp_path):
    spec = get_memspec("DDR4-2400")
    ini = tmp_path / "system.ini"
    ini.write_text(render_ini(spec, "rachbabgroco", OPEN, epoch_period=64))  # brc
    simulator = DRAMsim3Simulator(standins["dramsim3"], memspec=ini)
    assert simulator.memspec.tRCD == spec.tRCD and simulator.mapping_code == "rachbabgroco"
    assert simulator.native_counterpart().env_options["memspec"] is simulator.memspec


def test_metrics_are_cut_at_the_last_epoch_that_served_a_request(standins, small_trace):
    simulator = DRAMsim3Simulator(standins["dramsim3"])
    metrics = simulator.evaluate(OPEN, small_trace)
    # 2256 cycles in epochs of 16; request k done at 4k: the last at 400 = end of epoch 25
    assert metrics["sim_time_ns"] == pytest.approx(400 * 1.25)
    # 25 epochs x 16 cycles x 100 + 100 requests x 50, in V*mA*cycles, times tCK = pJ
    energy_pj = (25 * 16 * 100 + 100 * 50) * 1.25
    assert metrics["energy_nj"] == pytest.approx(energy_pj / 1000)
    assert metrics["power_mw"] == pytest.approx(energy_pj / 500)
    assert metrics["bandwidth_gbps"] == pytest.approx(100 * 64 / 500)
    assert metrics["read_latency_ns"] == pytest.approx((10 + 32 + 8) * 1.25)
    assert metrics["row_hit_rate"] == pytest.approx(94 / 100)
    assert metrics["refresh_count"] == 0


def test_a_trace_not_served_in_time_runs_again_four_times_longer(standins, small_trace):
    metrics = DRAMsim3Simulator(standins["dramsim3"]).evaluate(CLOSED, small_trace)
    # 2256 cycles serve 75 of 100 at 30 cycles each; the rerun has 9036 cycles in epochs
    # of 18, and the last request (cycle 3000) is in epoch 167
    assert metrics["sim_time_ns"] == pytest.approx(167 * 18 * 1.25)
    assert metrics["energy_nj"] == pytest.approx((167 * 18 * 100 + 100 * 50) * 1.25 / 1000)


def test_a_tool_that_never_serves_the_trace_gives_a_clear_error(tmp_path, small_trace):
    never = write_script(
        tmp_path,
        "never",
        "import json\n"
        'final = {"0": {"num_reads_done": 0, "num_writes_done": 0}}\n'
        'json.dump(final, open("dramsim3.json", "w"))\n'
        'json.dump([], open("dramsim3epoch.json", "w"))\n',
    )
    with pytest.raises(
        ToolOutputError, match=r"did not serve the 100 requests .* in 144896 cycles \(4 attempts\)"
    ):
        DRAMsim3Simulator(never).evaluate(OPEN, small_trace)


def test_a_missing_binary_names_the_option_the_variable_and_the_version(monkeypatch):
    monkeypatch.delenv("ARCHGYM_DRAMSIM3", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ToolNotFoundError) as error:
        DRAMsim3Simulator()
    message = str(error.value)
    assert "dramsim3main" in message and "$ARCHGYM_DRAMSIM3" in message
    assert "binary=" in message and "2981759" in message


def test_the_environment_variable_names_the_binary(monkeypatch, standins):
    monkeypatch.setenv("ARCHGYM_DRAMSIM3", str(standins["dramsim3"]))
    assert DRAMsim3Simulator().binary == standins["dramsim3"].resolve()


def test_the_workload_must_be_a_trace(standins):
    with pytest.raises(WorkloadError, match="DRAMsim3 needs a DRAM Trace"):
        DRAMsim3Simulator(standins["dramsim3"]).evaluate(OPEN, "stream")


def test_counterpart_is_dram_v0_on_the_same_part_with_the_queue_held(standins):
    simulator = DRAMsim3Simulator(standins["dramsim3"], memspec="DDR4-2400")
    counterpart = simulator.native_counterpart()
    assert counterpart.env_id == "archgym/DRAM-v0"
    options = counterpart.env_options
    assert (options["memspec"].name, options["address_mapping"].name) == ("DDR4-2400", "rbc")
    assert counterpart.tool_knobs == {"TransactionQueueSize": 32}
