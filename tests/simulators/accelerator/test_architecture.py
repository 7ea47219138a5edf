"""Architecture specs: validation names the bad field; templates build the right hierarchy."""

from __future__ import annotations

import math

import pytest

from archgym.errors import ConfigError
from archgym.simulators.accelerator import (
    Architecture,
    MemoryLevel,
    Port,
    eyeriss_like,
    systolic,
    timeloop_reference,
)
from archgym.simulators.accelerator.templates import Buffer, level_roles

ALL = ((1, "fh"), (1, "tl"), (0, "fh"), (0, "tl"), (2, "fh"), (2, "tl"), (2, "fl"), (2, "th"))


def dram() -> MemoryLevel:
    return MemoryLevel(
        "dram", (0, 1, 2), math.inf, 64.0, 64.0, (Port("rw", "read_write", 64, 64, 64.0, ALL),)
    )


def test_ports_check_directions_and_sizes():
    with pytest.raises(ConfigError, match="a read port cannot serve fh"):
        Port("r", "read", 8, 8, 8.0, ((0, "fh"),))
    with pytest.raises(ConfigError, match="granularity_bits 16 exceeds width_bits 8"):
        Port("r", "read", 8, 16, 8.0, ((0, "tl"),))
    with pytest.raises(ConfigError, match="kind 'duplex'"):
        Port("r", "duplex", 8, 8, 8.0, ())


def test_levels_and_architectures_check_structure():
    with pytest.raises(ConfigError, match="serves Inputs, which the level does not hold"):
        MemoryLevel("rf", (0,), 64, 1, 1, (Port("r", "read", 8, 8, 8.0, ((1, "tl"),)),))
    rf = MemoryLevel("rf", (0,), 64, 1, 1, (Port("r", "read", 8, 8, 8.0, ((0, "tl"),)),))
    with pytest.raises(ConfigError, match="level 'rf' has no port for Weights fh"):
        Architecture("a", (4,), (rf, dram()), 0.1)
    with pytest.raises(ConfigError, match="outermost\\) level must hold all three"):
        Architecture("a", (4,), (dram(), rf), 0.1)
    with pytest.raises(ConfigError, match="serves unknown dims \\[3\\]"):
        Architecture(
            "a", (4,), (MemoryLevel("d", (0, 1, 2), 1e9, 1, 1, dram().ports, frozenset({3})),), 0.1
        )
    arch = Architecture("a", (4, 2), (dram(),), 0.1)
    assert arch.n_pes == 8 and arch.chains == ((0,), (0,), (0,))


def test_eyeriss_template_structure_and_bypass():
    arch = eyeriss_like()
    names = [lv.name for lv in arch.levels]
    assert names == [
        "weights_spad",
        "ifmap_spad",
        "psum_spad",
        "dummy_buffer",
        "shared_glb",
        "dram",
    ]
    # weights bypass the global buffer; the dummy buffer stores nothing but has area
    assert [names[i] for i in arch.chains[0]] == ["weights_spad", "dram"]
    assert [names[i] for i in arch.chains[2]] == ["psum_spad", "shared_glb", "dram"]
    assert arch.level("dummy_buffer").operands == ()
    assert arch.instances(arch.level("dummy_buffer")) == 14  # one per column
    assert arch.instances(arch.level("psum_spad")) == 168
    assert arch.area_breakdown["dummy_buffer"] > 0
    assert level_roles(arch) == ("pe", "pe", "pe", "none", "glb", "dram")


def test_template_energies_follow_the_buffer_tables():
    arch = timeloop_reference()
    glb = arch.level("shared_glb")
    read, write = Buffer("g", "smartbuffer_SRAM", 16384, 8, 8, 16, 16, 32).access_energy_pj(32.0)
    assert (glb.read_pj, glb.write_pj) == (read, write)
    port = glb.port_for(1, "tl")
    # 8 words of 8 bits per access, word granularity, 16 words per cycle
    assert (port.width_bits, port.granularity_bits, port.bandwidth_bits) == (64, 8, 128.0)
    ws = systolic(8, 8, "ws")
    assert ws.pipeline_fill_cycles == 2 * 8 + 8 - 2
    assert [ws.levels[i].name for i in ws.chains[0]] == ["weights_reg", "shared_glb", "dram"]
