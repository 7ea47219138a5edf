"""ZigZag hardware YAML reader: clear errors, and a hand-computed ZigZag-convention case."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from archgym.errors import ConfigError
from archgym.simulators.accelerator import Layer, LoopNest, evaluate
from archgym.simulators.accelerator.zigzag_hardware import read_zigzag_hardware


def _port(name, kind, bw_min, bw_max, allocation):
    return {
        "name": name,
        "type": kind,
        "bandwidth_min": bw_min,
        "bandwidth_max": bw_max,
        "allocation": allocation,
    }


def _memory(size, r, w, operands, ports, served):
    return {
        "size": size,
        "r_cost": r,
        "w_cost": w,
        "area": 0,
        "latency": 1,
        "operands": operands,
        "ports": ports,
        "served_dimensions": served,
    }


def tiny_doc() -> dict:
    """Two PEs (D1); per-PE weight and psum registers; an 8-bit-granular 64-bit SRAM for
    inputs and outputs spanning D1; DRAM."""
    return {
        "name": "tiny_zz",
        "memories": {
            "rf_w": _memory(
                64,
                1.0,
                2.0,
                ["I2"],
                [
                    _port("r_port_1", "read", 8, 8, ["I2, tl"]),
                    _port("w_port_1", "write", 8, 8, ["I2, fh"]),
                ],
                [],
            ),
            "rf_o": _memory(
                64,
                1.0,
                2.0,
                ["O"],
                [
                    _port("r_port_1", "read", 16, 16, ["O, tl", "O, th"]),
                    _port("w_port_1", "write", 16, 16, ["O, fh", "O, fl"]),
                ],
                [],
            ),
            "sram": _memory(
                4096,
                10.0,
                12.0,
                ["I1", "O"],
                [
                    _port(
                        "rw_port_1",
                        "read_write",
                        8,
                        64,
                        ["I1, fh", "I1, tl", "O, fh", "O, tl", "O, fl", "O, th"],
                    )
                ],
                ["D1"],
            ),
            "dram": _memory(
                10**10,
                100.0,
                100.0,
                ["I1", "I2", "O"],
                [
                    _port(
                        "rw_port_1",
                        "read_write",
                        64,
                        64,
                        [
                            "I1, fh",
                            "I1, tl",
                            "I2, fh",
                            "I2, tl",
                            "O, fh",
                            "O, tl",
                            "O, fl",
                            "O, th",
                        ],
                    )
                ],
                ["D1"],
            ),
        },
        "operational_array": {
            "unit_energy": 0.5,
            "unit_area": 1,
            "dimensions": ["D1"],
            "sizes": [2],
        },
    }


def write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "acc.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_reads_levels_chains_and_instances(tmp_path):
    arch = read_zigzag_hardware(write(tmp_path, tiny_doc()))
    assert arch.convention == "zigzag" and arch.array == (2,)
    assert [lv.name for lv in arch.levels] == ["rf_w", "rf_o", "sram", "dram"]
    assert arch.chains == ((0, 3), (2, 3), (1, 2, 3))  # weights, inputs, outputs
    assert arch.instances(arch.level("rf_w")) == 2 and arch.instances(arch.level("sram")) == 1
    port = arch.level("sram").port_for(1, "tl")
    assert (port.granularity_bits, port.width_bits, port.bandwidth_bits) == (8, 64, 64.0)


def test_zigzag_convention_energy_by_hand(tmp_path):
    # K2 on the two PEs; C4 then P3 in time. Weights stay in rf_w across P (irrelevant,
    # merged down); outputs accumulate C in rf_o, P in the SRAM; inputs in the SRAM.
    arch = read_zigzag_hardware(write(tmp_path, tiny_doc()))
    layer = Layer("t", K=2, C=4, P=3)  # 24 MACs, 12 cycles on 2 PEs
    nest = LoopNest(((("K", 2),),), (("C", 4), ("P", 3)), ((1, 2), (2, 2), (1, 2, 2)))
    r = evaluate(layer, arch, nest)
    e = r.energy_breakdown_pj
    assert e["mac"] == pytest.approx(24 * 0.5)
    # rf_w: 12 reads per PE (8-bit, one access each) at 1 pJ; its 4-weight tile written
    # once per PE: 4 accesses at 2 pJ -> 24 + 16
    assert e["rf_w"] == pytest.approx(24 + 16)
    # rf_o: every update reads the partial sum (ZigZag): 24 writes at 2, 24 reads at 1;
    # the 3 final sums per PE drained upward, 8 bit on a 16-bit port: 6 reads -> 78
    assert e["rf_o"] == pytest.approx(48 + 24 + 6)
    # SRAM, 8-bit granularity on a 64-bit access: inputs multicast 12 single-byte reads =
    # 1.5 accesses, the 12-byte tile written once = 1.5 accesses, each truncated to 1
    # (ZigZag's int()); the 2 + 6 bytes of outputs are 0.75 accesses each, truncated to 0
    assert e["sram"] == pytest.approx(10 + 12)
    # DRAM, 64-bit accesses: 8 weight bytes (1), 12 input bytes (2), 6 output bytes (1)
    assert e["dram"] == pytest.approx(100 + 200 + 100)
    assert r.energy_pj == pytest.approx(552)
    acc = r.accesses
    assert acc[("rf_o", "Outputs")] == {"reads": 24 + 6, "fills": 0, "updates": 24}
    assert acc[("rf_w", "Weights")] == {"reads": 24, "fills": 8, "updates": 0}
    assert r.compute_cycles == 12
    terms = r.latency_breakdown
    assert r.cycles == pytest.approx(12 + sum(terms.values()))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("memories"), r"accelerator: missing field 'memories'"),
        (lambda d: d["memories"]["rf_w"].pop("r_cost"), r"memories.rf_w: missing field 'r_cost'"),
        (
            lambda d: d["memories"]["rf_w"].update(size="big"),
            r"memories.rf_w: field 'size' must be int, got 'big'",
        ),
        (
            lambda d: d["memories"]["sram"].update(operands=["I3"]),
            r"memories.sram: operand 'I3' is not one of",
        ),
        (
            lambda d: d["memories"]["rf_w"]["ports"][0].update(allocation=["I2, up"]),
            r"memories.rf_w.ports\[0\]: allocation 'I2, up' is not",
        ),
        (
            lambda d: d["memories"]["rf_w"].update(served_dimensions=["D7"]),
            r"served_dimensions names 'D7'",
        ),
        (
            lambda d: d["operational_array"].update(sizes=[2, 2]),
            r"'dimensions' and 'sizes' must be non-empty lists of equal length",
        ),
        (
            lambda d: d["memories"]["rf_o"]["ports"].pop(0),
            r"level 'rf_o' has no port for Outputs tl",
        ),
        (lambda d: d["memories"].pop("dram"), r"last \(outermost\) level must hold all three"),
        (
            lambda d: d["memories"]["rf_w"].update(force_double_buffering="yes"),
            r"field 'force_double_buffering' must be bool, got 'yes'",
        ),
        (
            lambda d: d["operational_array"].update(is_imc=True),
            r"in-memory-compute arrays \(is_imc\) are not supported",
        ),
    ],
)
def test_bad_files_name_the_file_and_field(tmp_path, edit, message):
    doc = tiny_doc()
    edit(doc)
    path = write(tmp_path, doc)
    with pytest.raises(ConfigError, match=message) as info:
        read_zigzag_hardware(path)
    assert str(path) in str(info.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="ZigZag hardware file .*missing.yaml.* cannot be read"):
        read_zigzag_hardware(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("memories: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        read_zigzag_hardware(bad)
    bad.write_text("- just a list")
    with pytest.raises(ConfigError, match="accelerator: expected a mapping"):
        read_zigzag_hardware(bad)


def test_double_buffered_level_needs_room_for_two_tiles(tmp_path):
    from archgym.errors import InvalidDesignError

    layer = Layer("t", K=4, C=8, P=3)
    # an 8-weight tile fills the 64-bit rf_w; a second K tile is still to come above it
    nest = LoopNest(((("K", 2),),), (("C", 8), ("K", 2), ("P", 3)), ((1, 3), (3, 3), (1, 3, 3)))
    plain = read_zigzag_hardware(write(tmp_path, tiny_doc()))
    assert evaluate(layer, plain, nest).energy_pj > 0
    doc = tiny_doc()
    doc["memories"]["rf_w"]["force_double_buffering"] = True
    doubled = read_zigzag_hardware(write(tmp_path, doc))
    with pytest.raises(InvalidDesignError, match=r"rf_w \(Weights\) overflows by 64 bits"):
        evaluate(layer, doubled, nest)
