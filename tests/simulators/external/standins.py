"""Stand-in binaries for the external-simulator tests: small Python scripts written to disk.

Each stand-in reads the input files an adapter renders, checks their format the way the
real tool would (failing loudly otherwise), and writes output in the real tool's format
from a simple closed-form model, so that tests can compute the expected metrics by hand:

- ``dramsim3``: request k (1-based) completes at cycle k * c, c = 4 (OPEN_PAGE) or 30
  (CLOSE_PAGE); an epoch's energy is 100 per cycle plus 50 per completion (DRAMsim3's
  V*mA*cycle units); read latency 10 + trans_queue_size + cmd_queue_size cycles.
- ``ramulator2``: 3 (open row) or 9 (closed row) memory cycles per request; energy 2 nJ per
  request per device; read latency 20 cycles; a sixteenth of the requests miss.
- ``dramsys``: 5 ns (Open) or 12 ns per request; 1 nJ per request.
- ``timeloop``: cycles = MACs / spatial factors; 2 pJ per MAC; rejects a register file
  smaller than its tile ("couldn't map level") and a mapping whose factors do not
  multiply to the layer's bounds (as timeloop-model does).
- ``astrasim``: step time = compute + all-reduce bytes / dim1 bandwidth (+ dim2's share).
"""

from __future__ import annotations

import sys
from pathlib import Path

DRAMSIM3 = r"""
import configparser, json, math, re, sys
args = sys.argv[1:]
config_path = args[0]
cycles = int(args[args.index("-c") + 1])
trace_path = args[args.index("-t") + 1]
ini = configparser.ConfigParser()
ini.read(config_path)
for section in ("dram_structure", "timing", "power", "system", "other"):
    assert section in ini, f"missing [{section}]"
system = ini["system"]
lines = open(trace_path).read().split("\n")
assert lines[-1] == "", "the trace must end with a newline"
requests = []
for line in lines[:-1]:
    m = re.fullmatch(r"0x([0-9A-F]+) (READ|WRITE) (\d+)", line)
    assert m, f"bad trace line {line!r}"
    requests.append(m.group(2) == "WRITE")
n = len(requests)
cost = 4 if system["row_buf_policy"] == "OPEN_PAGE" else 30
period = int(ini["other"]["epoch_period"])
served = min(n, cycles // cost)
writes_before = [0]
for write in requests:
    writes_before.append(writes_before[-1] + write)
epochs = []
for e in range(1, cycles // period + 1):
    first, last = min(served, (e - 1) * period // cost), min(served, e * period // cost)
    writes = writes_before[last] - writes_before[first]
    epochs.append({"channel": 0, "epoch_num": e, "num_cycles": period,
                   "num_reads_done": last - first - writes, "num_writes_done": writes,
                   "total_energy": 100.0 * period + 50.0 * (last - first),
                   "num_ref_cmds": 0, "num_refb_cmds": 0})
reads = served - sum(requests[:served])
latency = 10 + int(system["trans_queue_size"]) + int(system["cmd_queue_size"])
hits = served - served // 16 if cost == 4 else 0
final = {"0": {"num_reads_done": reads, "num_writes_done": served - reads,
               "average_read_latency": latency, "num_read_cmds": served, "num_write_cmds": 0,
               "num_read_row_hits": hits, "num_write_row_hits": 0}}
json.dump(final, open("dramsim3.json", "w"))
json.dump(epochs, open("dramsim3epoch.json", "w"))
print("simulated", cycles, "cycles")
"""

RAMULATOR2 = r"""
import sys, yaml
config = yaml.safe_load(open(sys.argv[sys.argv.index("-f") + 1]))
frontend, memory = config["Frontend"], config["MemorySystem"]
assert frontend["impl"] == "LoadStoreTrace" and memory["impl"] == "GenericDRAM"
controller = memory["Controller"]
for key in ("Scheduler", "RefreshManager", "RowPolicy"):
    assert "impl" in controller[key], key
lines = open(frontend["path"]).read().splitlines()
assert all(l.split()[0] in ("LD", "ST") and l.split()[1].startswith("0x") for l in lines)
n = len(lines)
reads = sum(l.startswith("LD") for l in lines)
per = 3 if controller["RowPolicy"]["impl"] == "OpenRowPolicy" else 9
misses = n // 16
print("[Ramulator::LoadStoreTrace] [info] Loaded %d lines." % n)
print("Frontend:\n  impl: LoadStoreTrace\nMemorySystem:\n  impl: GenericDRAM")
print("  memory_system_cycles: %d\n  total_num_read_requests: %d" % (n * per, reads))
print("  DRAM:\n    impl: DDR4\n    total_energy: %g" % (2.0 * n))
print("  Controller:\n    impl: Generic\n    id: Channel 0")
print("    row_hits_0: %d\n    row_misses_0: %d\n    row_conflicts_0: 0" % (n - misses, misses))
print("    read_row_hits_0: %d\n    read_row_misses_0: %d" % (reads - misses, misses))
print("    read_row_conflicts_0: 0\n    read_latency_0: %d" % (20 * reads))
print("    num_read_reqs_0: %d" % (3 * reads))  # refused sends count too, as in Ramulator
print("    avg_read_latency_0: %g" % (20 / 3))
"""

DRAMSYS = r"""
import json, sys
config = json.load(open(sys.argv[1]))["simulation"]
for key in ("simconfig", "memspec", "addressmapping", "mcconfig", "tracesetup"):
    assert key in config, key
assert config["simconfig"]["PowerAnalysis"] is True
player = config["tracesetup"][0]
assert player["type"] == "player"
lines = [l for l in open(player["name"]).read().splitlines() if l]
for line in lines:
    cycle, command, address = line.split("\t")
    assert cycle.endswith(":") and command in ("read", "write") and address.startswith("0x")
n = len(lines)
ns = n * (5 if config["mcconfig"]["PagePolicy"] == "Open" else 12)
print("DRAMSys.controller0       Total Time:     %d ps" % (ns * 1000))
print("DRAMSys.controller0       AVG BW:          8.00 Gb/s |   1.00 GB/s |  50.00 %")
print("DRAMSys.controller0       MAX BW:         16.00 Gb/s |   2.00 GB/s | 100.00 %")
print("DRAMSys.dram0  Total Energy:   %g J" % (n * 1e-9))
print("DRAMSys.dram0  Average Power:  %g W" % (n * 1e-9 / (ns * 1e-9)))
"""

TIMELOOP = r"""
import math, re, sys, yaml
arch = yaml.safe_load(open(sys.argv[1]))["arch"]
problem = yaml.safe_load(open(sys.argv[2]))["problem"]
mapping = yaml.safe_load(open(sys.argv[3]))["mapping"]
dims = problem["shape"]["dimensions"]
product = dict.fromkeys(dims, 1)
spatial = 1
tiles = {}
for directive in mapping:
    if directive["type"] in ("temporal", "spatial"):
        factors = {d: int(v) for d, v in re.findall(r"([A-Z])(\d+)", directive["factors"])}
        assert sorted(directive["permutation"]) == sorted(dims), directive
        for d, v in factors.items():
            product[d] *= v
        if directive["type"] == "spatial":
            spatial = math.prod(factors.values())
        if directive["target"] == "RegisterFile":
            tiles = factors
for d in dims:
    if product[d] != problem[d]:
        print("ERROR: parsing mapping: product of all factors of dimension %s is %d, which is "
              "not equal to the dimension size of the workload %d." % (d, product[d], problem[d]),
              file=sys.stderr)
        sys.exit(1)
rf = arch["storage"][0]
keep = [d for d in mapping if d["type"] == "datatype" and d["target"] == "RegisterFile"][0]["keep"]
need = tiles["R"] * tiles["S"] if keep == ["Weights"] else 1
if need > rf["entries"]:
    print("ERROR: couldn't map level RegisterFile: mapped tile size %d exceeds buffer capacity %d"
          % (need, rf["entries"]), file=sys.stderr)
    sys.exit(1)
macs = math.prod(problem[d] for d in dims)
cycles = macs // spatial
area = 0.01 * arch["arithmetic"]["instances"] + 0.005 * arch["storage"][1]["sizeKB"]
with open("timeloop-model.stats.txt", "w") as out:
    out.write("Summary Stats\n-------------\nGFLOPs (@1GHz): 1.0\nUtilization: 0.5\n")
    out.write("Cycles: %d\nEnergy: %g uJ\nEDP(J*cycle): 1.0e+00\nArea: %g mm^2\n"
              % (cycles, macs * 2e-6, area))
print("Utilization = 0.50 | pJ/Compute =    2.000")
"""

ASTRASIM = r"""
import glob, json, sys, yaml
args = dict(a[2:].split("=", 1) for a in sys.argv[1:])
network = yaml.safe_load(open(args["network-configuration"]))
system = json.load(open(args["system-configuration"]))
json.load(open(args["remote-memory-configuration"]))
for key in ("topology", "npus_count", "bandwidth", "latency"):
    assert len(network[key]) == len(network["topology"]), key
assert len(system["all-reduce-implementation"]) == len(network["topology"])
npus = 1
for count in network["npus_count"]:
    npus *= count
files = sorted(glob.glob(args["workload-configuration"] + ".*.et"))
assert len(files) == npus, (len(files), npus)

def varint(data, i):
    value = shift = 0
    while True:
        byte = data[i]; i += 1
        value |= (byte & 0x7F) << shift; shift += 7
        if byte < 0x80:
            return value, i

def fields(message):
    i, out = 0, []
    while i < len(message):
        key, i = varint(message, i)
        if key & 7 == 0:
            value, i = varint(message, i)
        else:
            length, i = varint(message, i)
            value, i = message[i:i + length], i + length
        out.append((key >> 3, value))
    return out

data = open(files[0], "rb").read()
i, messages = 0, []
while i < len(data):
    length, i = varint(data, i)
    messages.append(data[i:i + length]); i += length
assert dict(fields(messages[0]))[1] == b"0.0.4"
compute_ns = comm_bytes = 0
for node in messages[1:]:
    for number, value in fields(node):
        if number == 7:
            compute_ns += 1000 * value
        if number == 10:
            attribute = dict(fields(value))
            if attribute[1] == b"comm_size":
                comm_bytes += attribute[9]
bandwidth = network["bandwidth"][0] + network["bandwidth"][-1] / 2
exposed = int(comm_bytes / bandwidth)
for npu in range(npus):
    print("[workload] [info] sys[%d] finished, %d cycles, exposed communication %d cycles."
          % (npu, compute_ns + exposed, exposed))
"""

#: The registered envs that run each stand-in (for the registration tests).
EXTERNAL_ENVS = {
    "archgym/DRAMsim3-v0": "dramsim3",
    "archgym/Ramulator2-v0": "ramulator2",
    "archgym/DRAMSys-v0": "dramsys",
    "archgym/Timeloop-v0": "timeloop",
    "archgym/AstraSim-v0": "astrasim",
}

SOURCES = {
    "dramsim3": DRAMSIM3,
    "ramulator2": RAMULATOR2,
    "dramsys": DRAMSYS,
    "timeloop": TIMELOOP,
    "astrasim": ASTRASIM,
}


def write_script(directory: Path, name: str, source: str) -> Path:
    """An executable Python script ``directory/name`` running ``source``."""
    path = Path(directory) / name
    path.write_text(f"#!{sys.executable}\n{source.lstrip()}")
    path.chmod(0o755)
    return path


def write_standin(directory: Path, tool: str) -> Path:
    """The stand-in binary of ``tool`` (a key of :data:`SOURCES`) in ``directory``."""
    return write_script(directory, f"fake-{tool}", SOURCES[tool])
