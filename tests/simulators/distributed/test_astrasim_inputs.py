"""Readers of ArchGym's ASTRA-sim 2 inputs: the files it ships, and every kind of bad input.

The valid files hold the values of ArchGym's ``astrasim_220_example`` inputs (the
workload is the suite's ``archgym_gpt3_workload`` fixture; ``NEW_network_input_1.1.yml``
and ``NEW_system_input_1.1.json`` with the roofline of ``NEW_system_input_4.3.json``
below).
"""

from __future__ import annotations

import json

import pytest

from archgym.errors import ConfigError, WorkloadError
from archgym.simulators.distributed import (
    read_network_config,
    read_system_config,
    read_workload_config,
)

NETWORK = """# Analytical Network Input File

topology: [ Ring, FullyConnected, Ring, Switch ]

npus_count: [ 4, 8, 4, 8 ]  # number of NPUs

bandwidth: [ 187.5, 25, 75, 100 ]  # GB/s

latency: [ 20, 700, 700, 1700 ]  # ns
"""
SYSTEM = {
    "scheduling-policy": "LIFO",
    "endpoint-delay": 10,
    "active-chunks-per-dimension": 1,
    "preferred-dataset-splits": 4,
    "all-reduce-implementation": ["ring", "direct", "ring", "halvingDoubling"],
    "all-gather-implementation": ["ring", "direct", "ring", "halvingDoubling"],
    "reduce-scatter-implementation": ["ring", "direct", "ring", "halvingDoubling"],
    "all-to-all-implementation": ["ring", "direct", "ring", "halvingDoubling"],
    "collective-optimization": "localBWAware",
    "boost-mode": 0,
    "roofline-enabled": 1,
    "peak-perf": 459,
    "local-mem-bw": 2765,
    "local-mem-size": 24000000000,
}


def changed(data: dict, change: dict) -> dict:
    """``data`` with the fields of ``change`` set (None: removed)."""
    out = {k: v for k, v in data.items() if change.get(k, 0) is not None}
    out.update({k: v for k, v in change.items() if v is not None})
    return out


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1))
    return path


def test_reads_archgyms_gpt3_training_config(tmp_path, archgym_gpt3_workload):
    config = read_workload_config(write(tmp_path, "gpt3.json", archgym_gpt3_workload))
    assert (config.phase, config.tokens, config.batch, config.npus) == (
        "training",
        2048,
        2048,
        1024,
    )
    assert (config.model.layers, config.model.hidden, config.model.heads) == (4, 12288, 96)
    assert (config.model.ffn_hidden, config.model.vocab) == (49152, 12288)
    layout = config.layout
    # ArchGym's conf_file_tools: mp = num_npus // (dp * sp * pp)
    assert (layout.dp, layout.tp, layout.pp, layout.sp, layout.weight_sharded) == (8, 4, 4, 8, True)


@pytest.mark.parametrize(("field", "phase"), [("prefilling", "prefill"), ("decoding", "decode")])
def test_reads_archgyms_serving_configs(tmp_path, archgym_gpt3_workload, field, phase):
    data = {k: v for k, v in archgym_gpt3_workload.items() if k != "seq"} | {
        field: 1100,
        "batch": 256,
    }
    config = read_workload_config(write(tmp_path, "qa.json", data))
    assert (config.phase, config.tokens, config.batch) == (phase, 1100, 256)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dp": None}, "missing field 'dp'"),
        ({"dp": "8"}, "field 'dp' must be a positive integer, got '8'"),
        ({"head": 0}, "field 'head' must be a positive integer"),
        ({"weight_sharded": 2}, "field 'weight_sharded' must be 0 or 1"),
        ({"prefilling": 100}, "exactly one of the fields 'seq', 'prefilling', 'decoding'"),
        ({"seq": None}, "exactly one of the fields"),
        ({"dout": 51200}, "fields 'din' \\(12288\\) and 'dout' \\(51200\\) differ"),
        ({"dp": 3}, "dp x pp x sp = 96 does not divide num_npus 1024"),
    ],
)
def test_bad_workload_fields_name_the_file_and_field(
    tmp_path, archgym_gpt3_workload, change, message
):
    path = write(tmp_path, "bad.json", changed(archgym_gpt3_workload, change))
    with pytest.raises(WorkloadError, match=message) as error:
        read_workload_config(path)
    assert str(path) in str(error.value)


def test_unreadable_workload_files(tmp_path):
    with pytest.raises(WorkloadError, match="cannot be read"):
        read_workload_config(tmp_path / "missing.json")
    with pytest.raises(WorkloadError, match=":1: byte 0x89 at column 1 is not UTF-8"):
        read_workload_config(write(tmp_path, "binary.json", b"\x89PNG\r\n\x1a\n\xff\x00"))
    with pytest.raises(WorkloadError, match="broken.json:3: not valid JSON"):
        read_workload_config(write(tmp_path, "broken.json", '{\n"dp": 8,\n"pp": ,\n}'))
    with pytest.raises(WorkloadError, match="expected a JSON mapping"):
        read_workload_config(write(tmp_path, "list.json", "[1, 2]"))


def test_reads_archgyms_network(tmp_path):
    network = read_network_config(write(tmp_path, "network.yml", NETWORK))
    assert [d.topology for d in network.dimensions] == ["Ring", "FullyConnected", "Ring", "Switch"]
    assert [d.npus for d in network.dimensions] == [4, 8, 4, 8]
    assert network.dimensions[0].bandwidth_gbs == 187.5
    assert network.dimensions[3].latency_ns == 1700.0
    assert network.npus == 1024


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (NETWORK.replace("latency:", "latencies:"), "field 'latency' must be a non-empty list"),
        (NETWORK.replace("FullyConnected", "Torus"), "'topology' entry 1 is 'Torus'"),
        (NETWORK.replace("[ 4, 8, 4, 8 ]", "[ 4, 8.5, 4, 8 ]"), "'npus_count' entry 1 must be"),
        (NETWORK.replace("187.5", "fast"), "'bandwidth' entry 0 must be a float"),
        (NETWORK.replace("[ 20, 700, 700, 1700 ]", "[ 20 ]"), "same number of dimensions"),
        (NETWORK.replace("topology: [", "topology: [[ "), "network.yml:5: not valid YAML"),
        (NETWORK.replace("187.5", "1.0e+999"), "'bandwidth' entry 0 must be a float, got inf"),
        (NETWORK.replace("[ 4, 8, 4, 8 ]", "[ 4, .inf, 4, 8 ]"), "'npus_count' entry 1 must"),
        ("just text", "expected a YAML mapping"),
    ],
)
def test_bad_networks_name_the_file_and_field(tmp_path, text, message):
    path = write(tmp_path, "network.yml", text)
    with pytest.raises(ConfigError, match=message) as error:
        read_network_config(path)
    assert str(path) in str(error.value)


def test_reads_archgyms_system_and_its_roofline(tmp_path):
    read = read_system_config(write(tmp_path, "system.json", SYSTEM), dimensions=4)
    system = read.system
    assert system.implementations["all_reduce"] == ("ring", "direct", "ring", "halvingDoubling")
    assert (system.scheduling_policy, system.preferred_dataset_splits) == ("LIFO", 4)
    assert system.collective_optimization == "localBWAware"
    assert (read.device.peak_tflops, read.device.memory_bandwidth_gbs) == (459.0, 2765.0)
    assert read.device.memory_gb == 24.0


def test_a_single_implementation_applies_to_every_dimension(tmp_path):
    data = SYSTEM | {f"{c}-implementation": ["ring"] for c in ("all-reduce", "all-gather")}
    data |= {"all-to-all-implementation": ["ring", "direct"]}
    data |= {"reduce-scatter-implementation": "direct", "roofline-enabled": 0}
    read = read_system_config(write(tmp_path, "system.json", data), dimensions=2)
    assert read.system.implementations["all_gather"] == ("ring", "ring")
    assert read.system.implementations["reduce_scatter"] == ("direct", "direct")
    assert read.device is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"all-reduce-implementation": ["ring", "tree"]}, "entry 1 is 'tree'"),
        ({"all-gather-implementation": ["ring", "ring"]}, "lists 2 algorithms for a network of 4"),
        ({"all-to-all-implementation": None}, "'all-to-all-implementation' must be a list"),
        ({"scheduling-policy": "SJF"}, "'scheduling-policy' is 'SJF'"),
        ({"preferred-dataset-splits": 0}, "'preferred-dataset-splits' must be a positive integer"),
        ({"peak-perf": None}, "missing field 'peak-perf'"),
        ({"endpoint-delay": "10"}, "'endpoint-delay' must be a non-negative number"),
    ],
)
def test_bad_systems_name_the_file_and_field(tmp_path, change, message):
    path = write(tmp_path, "system.json", changed(SYSTEM, change))
    with pytest.raises(ConfigError, match=message) as error:
        read_system_config(path, dimensions=4)
    assert str(path) in str(error.value)
