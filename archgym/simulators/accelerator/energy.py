"""Accelergy-style energy-per-action and area tables, scaled by size, width and node.

Every function returns the cost of ONE access of the whole memory width (a "vector" of
``block_size`` words in Timeloop's terms); the model divides by the block size.
Units: pJ per access, um^2. Fits are anchored at 32 nm on the points of
REFERENCES.md section 3 and scaled to other nodes with power laws fitted to the
45 nm / 32 nm pairs of the same table.
"""

from __future__ import annotations

import math

from archgym.errors import ConfigError

MEMORY_CLASSES: tuple[str, ...] = ("regfile", "smartbuffer_RF", "smartbuffer_SRAM", "SRAM")

# --- SRAM (CACTI, REFERENCES.md s3): 64 x 16 bit read 0.228 / write 0.383 pJ, 268 um^2;
# 16384 x 64 bit read 18.16 / write 14.11 pJ, 0.217 mm^2 (32 nm). Energy per accessed bit
# follows a power law in capacity through the two points; area a power law in bits.
_SRAM_SMALL_BITS = 64 * 16
_SRAM_LARGE_BITS = 16384 * 64
_SRAM_READ_PJ_PER_BIT_SMALL = 0.228 / 16
_SRAM_WRITE_PJ_PER_BIT_SMALL = 0.383 / 16
_SRAM_READ_EXP = math.log((18.16 / 64) / _SRAM_READ_PJ_PER_BIT_SMALL) / math.log(1024)
_SRAM_WRITE_EXP = math.log((14.11 / 64) / _SRAM_WRITE_PJ_PER_BIT_SMALL) / math.log(1024)
_SRAM_AREA_SMALL_UM2 = 268.0
_SRAM_AREA_EXP = math.log(0.217e6 / _SRAM_AREA_SMALL_UM2) / math.log(1024)
# The CACTI grid point is the eyeriss_like global buffer, which has 32 banks (REFERENCES.md
# s3). Banking model (an assumption, documented in docs/envs/accelerator.md): smaller banks
# cost less per access (bitline length), each bank adds periphery area.
_REFERENCE_BANKS = 32
_BANK_ENERGY_EXP = 0.15
_BANK_AREA_FRACTION = 0.004  # of the array area per extra bank

# --- smartbuffer_RF (REFERENCES.md s3, eyeriss_like ERT/ART at 32 nm): psum spad 16 x 16 bit
# read 0.2513 / write 0.2191 pJ; weights spad 192 x 16 bit read 1.9766 / write 1.8817 pJ;
# ifmap spad 12 x 16 bit 70.09 um^2, weights 192 x 16 bit 5816.4 um^2. Linear in depth
# (one comparator and mux input per entry), per bit of width.
_RF_READ_SLOPE = (1.9766 - 0.2513) / (176 * 16)
_RF_READ_BASE = 0.2513 / 16 - 16 * _RF_READ_SLOPE
_RF_WRITE_SLOPE = (1.8817 - 0.2191) / (176 * 16)
_RF_WRITE_BASE = 0.2191 / 16 - 16 * _RF_WRITE_SLOPE
_RF_AREA_SLOPE = (5816.4 / 3072 - 70.09 / 192) / (192 - 12)  # um^2 per bit per entry
_RF_AREA_BASE = 70.09 / 192 - 12 * _RF_AREA_SLOPE

# --- regfile: flip-flop registers, 64-bit register 0.437 pJ and 256 um^2 at 32 nm
# (REFERENCES.md s3); read mux grows per entry as in the smartbuffer_RF fit.
_REG_PJ_PER_BIT = 0.437 / 64
_REG_UM2_PER_BIT = 256.0 / 64

# --- address generator of a "smartbuffer" (the eyeriss_like global buffer's ERT is
# 18.18 pJ against CACTI's 18.16 pJ for the bare SRAM, REFERENCES.md s3).
_ADDRESS_GEN_PJ = 0.02
_ADDRESS_GEN_UM2 = 50.0  # assumption: a small counter and adder

# --- MAC: the eyeriss_like reference run's intmac (8-bit multiplier, 16-bit adder) costs
# 0.208 pJ and 191.8 um^2 at 32 nm (REFERENCES.md s3); multiplier energy grows about as
# bits^2 (Horowitz ISSCC 2014: 8-bit multiply 0.2 pJ, 32-bit 3.1 pJ -> exponent 1.98).
_MAC_PJ_8BIT = 0.207692
_MAC_UM2_8BIT = 191.82
_MAC_BITS_EXP = math.log(3.1 / 0.2) / math.log(4)

# --- technology scaling, fitted to the 45 nm / 32 nm pairs of REFERENCES.md s3:
# SRAM 16384x64 read 32.29 -> 18.16 pJ, area 0.430 -> 0.217 mm^2; MAC 1.033 -> 0.681 pJ,
# 783 -> 358 um^2.
_REF_NODE_NM = 32.0
_MEM_ENERGY_NODE_EXP = math.log(32.29 / 18.16) / math.log(45 / 32)
_LOGIC_ENERGY_NODE_EXP = math.log(1.033 / 0.681) / math.log(45 / 32)
_MEM_AREA_NODE_EXP = math.log(0.430 / 0.217) / math.log(45 / 32)
_LOGIC_AREA_NODE_EXP = math.log(783 / 358) / math.log(45 / 32)

#: DRAM energy per bit (REFERENCES.md s3: Accelergy library; DDR4 from s2, 4.5 nJ per
#: 64-byte line, core only) and x64 peak bandwidth (s2: DDR4-2400 19.2 GB/s; LPDDR4-3200
#: and DDR3-1600 x64 and one HBM2 stack at 2 Gb/s/pin x 1024 from their JEDEC data rates).
DRAM_TYPES: dict[str, tuple[float, float]] = {
    "LPDDR4": (8.0, 25.6),
    "DDR4": (4500.0 / 512, 19.2),
    "DDR3": (70.0, 12.8),
    "HBM2": (6.25, 256.0),
}


def _node_factor(node_nm: float, exponent: float) -> float:
    if not 7 <= node_nm <= 130:
        raise ConfigError(f"technology node {node_nm} nm is outside 7..130 nm")
    return (node_nm / _REF_NODE_NM) ** exponent


def memory_access_energy_pj(
    memory_class: str, depth: int, width_bits: int, node_nm: float = 32.0, banks: int = 1
) -> tuple[float, float]:
    """(read, write) energy in pJ of one full-width access to a memory of depth x width bits.

    Raises ConfigError for an unknown class or non-positive size.
    """
    _check(memory_class, depth, width_bits, banks)
    if memory_class in ("SRAM", "smartbuffer_SRAM"):
        ratio = depth * width_bits / _SRAM_SMALL_BITS
        bank_factor = (_REFERENCE_BANKS / banks) ** _BANK_ENERGY_EXP if banks > 1 else 1.0
        read = width_bits * _SRAM_READ_PJ_PER_BIT_SMALL * ratio**_SRAM_READ_EXP * bank_factor
        write = width_bits * _SRAM_WRITE_PJ_PER_BIT_SMALL * ratio**_SRAM_WRITE_EXP * bank_factor
        if memory_class == "smartbuffer_SRAM":
            read += _ADDRESS_GEN_PJ
            write += _ADDRESS_GEN_PJ
    elif memory_class == "smartbuffer_RF":
        read = width_bits * (_RF_READ_BASE + _RF_READ_SLOPE * depth)
        write = width_bits * (_RF_WRITE_BASE + _RF_WRITE_SLOPE * depth)
    else:  # regfile
        read = width_bits * (_REG_PJ_PER_BIT + _RF_READ_SLOPE * (depth - 1))
        write = width_bits * (_REG_PJ_PER_BIT + _RF_WRITE_SLOPE * (depth - 1))
    scale = _node_factor(node_nm, _MEM_ENERGY_NODE_EXP)
    return read * scale, write * scale


def memory_area_um2(
    memory_class: str,
    depth: int,
    width_bits: int,
    node_nm: float = 32.0,
    banks: int = 1,
    ports: int = 1,
) -> float:
    """Area in um^2 of one memory instance.

    ``ports`` is 1 for the reference port configuration (MemoryLevel.ports); each extra
    port adds 50% of the array area (an assumption; Accelergy's tables have no ports).
    """
    _check(memory_class, depth, width_bits, banks)
    bits = depth * width_bits
    if memory_class in ("SRAM", "smartbuffer_SRAM"):
        area = _SRAM_AREA_SMALL_UM2 * (bits / _SRAM_SMALL_BITS) ** _SRAM_AREA_EXP
        area *= 1.0 + _BANK_AREA_FRACTION * (banks - 1)
        if memory_class == "smartbuffer_SRAM":
            area += _ADDRESS_GEN_UM2
    elif memory_class == "smartbuffer_RF":
        area = bits * (_RF_AREA_BASE + _RF_AREA_SLOPE * depth)
    else:
        area = bits * _REG_UM2_PER_BIT
    area *= 1.0 + 0.5 * (max(1, ports) - 1)
    return area * _node_factor(node_nm, _MEM_AREA_NODE_EXP)


def mac_energy_pj(bits: int, node_nm: float = 32.0) -> float:
    """Energy in pJ of one integer multiply-accumulate of ``bits``-bit operands."""
    if bits < 1:
        raise ConfigError(f"MAC precision must be positive, got {bits}")
    return (
        _MAC_PJ_8BIT * (bits / 8) ** _MAC_BITS_EXP * _node_factor(node_nm, _LOGIC_ENERGY_NODE_EXP)
    )


def mac_area_um2(bits: int, node_nm: float = 32.0) -> float:
    """Area in um^2 of one integer MAC unit."""
    if bits < 1:
        raise ConfigError(f"MAC precision must be positive, got {bits}")
    return _MAC_UM2_8BIT * (bits / 8) ** _MAC_BITS_EXP * _node_factor(node_nm, _LOGIC_AREA_NODE_EXP)


def dram_energy_pj_per_bit(dram_type: str) -> float:
    """Energy per bit transferred for a DRAM type (LPDDR4, DDR4, DDR3, HBM2).

    Raises ConfigError for another type."""
    return _dram_type(dram_type)[0]


def dram_bandwidth_gbps(dram_type: str) -> float:
    """Peak bandwidth in GB/s of a x64 channel (one stack for HBM2).

    Raises ConfigError for a type other than LPDDR4, DDR4, DDR3, HBM2."""
    return _dram_type(dram_type)[1]


def _dram_type(dram_type: str) -> tuple[float, float]:
    if dram_type not in DRAM_TYPES:
        raise ConfigError(f"unknown DRAM type {dram_type!r}; expected one of {sorted(DRAM_TYPES)}")
    return DRAM_TYPES[dram_type]


def _check(memory_class: str, depth: int, width_bits: int, banks: int) -> None:
    if memory_class not in MEMORY_CLASSES:
        raise ConfigError(
            f"unknown memory class {memory_class!r}; expected one of {list(MEMORY_CLASSES)}"
        )
    if depth < 1 or width_bits < 1 or banks < 1:
        raise ConfigError(
            f"memory depth, width and banks must be positive, got {depth}, {width_bits}, {banks}"
        )
