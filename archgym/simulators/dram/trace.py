"""Memory traces (the DRAM workload): readers, synthetic generators and named presets.

A :class:`Trace` is three equally long numpy arrays: ``arrival_cycle`` (int64, memory
clock cycles at which the request is issued, non-decreasing), ``address`` (uint64 byte
address) and ``is_write`` (bool). Every request moves one burst (64 bytes on a 64-bit
DDR3/DDR4 DIMM).

File formats (one request a line; blank lines and lines starting with ``#`` are skipped):

* DRAMSys STL: ``<cycle>:<tab>read|write<tab>0x<hex address>`` (trailing data ignored)
* DRAMsim3: ``0x<hex address> READ|WRITE <cycle>``
* Ramulator: ``0x<hex address> R|W`` (no time stamp: request k is issued at cycle k)

Presets (generated here, never read from disk), modelled on ArchGym's four DRAMGym
traces: reads only, one request per cycle, 64-byte aligned, over a 1 GiB address space:

* ``stream``: sequential addresses 0, 64, 128, ...
* ``random``: uniformly random 64-byte lines
* ``cloud-1`` / ``cloud-2``: blocks of 50 requests, each block sequential or random
  with probability 1/2, both sequences continuing where they stopped; ``cloud-1``
  starts with a sequential block, ``cloud-2`` with a random one.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archgym.errors import WorkloadError
from archgym.parsing import UINT64_MAX, parse_int, read_text

logger = logging.getLogger(__name__)

FORMATS = ("stl", "dramsim3", "ramulator")
PRESETS = ("stream", "random", "cloud-1", "cloud-2")
#: Default length of a preset trace: ArchGym's traces have 10,000 requests.
DEFAULT_PRESET_LENGTH = 10_000
#: Address space of the presets: 1 GiB, the capacity of ArchGym's DDR3-1600 DIMM
#: (8 x 1 Gb devices) and the span of its random trace.
PRESET_ADDRESS_SPACE = 1 << 30
LINE_BYTES = 64
#: Requests per block in the cloud presets (as in ArchGym's cloud-1/cloud-2 traces).
CLOUD_BLOCK = 50
#: Latest arrival cycle of a request: the simulator's int64 cycle arithmetic needs the
#: headroom (near 2**62 it stops working). 2**48 cycles are 78 hours of a 1 GHz clock.
MAX_ARRIVAL_CYCLE = 2**48


@dataclass(frozen=True, eq=False)
class Trace:
    """A memory trace; see the module docstring for the array contract."""

    name: str
    arrival_cycle: np.ndarray
    address: np.ndarray
    is_write: np.ndarray

    def __post_init__(self) -> None:
        arrival = np.ascontiguousarray(self.arrival_cycle, dtype=np.int64)
        address = np.ascontiguousarray(self.address, dtype=np.uint64)
        is_write = np.ascontiguousarray(self.is_write, dtype=np.bool_)
        if not arrival.ndim == address.ndim == is_write.ndim == 1:
            raise WorkloadError(f"trace {self.name!r}: arrays must be one-dimensional")
        if not len(arrival) == len(address) == len(is_write):
            raise WorkloadError(
                f"trace {self.name!r}: arrival_cycle, address and is_write differ in length "
                f"({len(arrival)}, {len(address)}, {len(is_write)})"
            )
        if len(arrival) == 0:
            raise WorkloadError(f"trace {self.name!r} has no requests")
        if arrival[0] < 0 or np.any(np.diff(arrival) < 0):
            raise WorkloadError(
                f"trace {self.name!r}: arrival_cycle must be non-negative and non-decreasing"
            )
        if arrival[-1] > MAX_ARRIVAL_CYCLE:
            raise WorkloadError(
                f"trace {self.name!r}: arrival cycle {arrival[-1]} is beyond the latest the "
                f"simulator handles, {MAX_ARRIVAL_CYCLE} (2**48)"
            )
        for array in (arrival, address, is_write):
            array.setflags(write=False)
        object.__setattr__(self, "arrival_cycle", arrival)
        object.__setattr__(self, "address", address)
        object.__setattr__(self, "is_write", is_write)

    def __len__(self) -> int:
        return len(self.arrival_cycle)

    def __repr__(self) -> str:
        return f"Trace({self.name!r}, {len(self)} requests, {self.write_fraction:.0%} writes)"

    @property
    def write_fraction(self) -> float:
        """Share of the requests that are writes."""
        return float(self.is_write.mean())

    def fingerprint(self) -> str:
        """SHA-256 (16 hex digits) of the arrays' content; the name does not enter it."""
        # Computed once: the arrays are read-only, and the simulator keys its decoded
        # addresses by this on every evaluation.
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            digest = hashlib.sha256()
            for array in (self.arrival_cycle, self.address, self.is_write):
                digest.update(array.tobytes())
            cached = self.__dict__["_fingerprint"] = digest.hexdigest()[:16]
        return cached

    def head(self, n: int) -> Trace:
        """The first ``n`` requests."""
        return Trace(self.name, self.arrival_cycle[:n], self.address[:n], self.is_write[:n])


# Readers --------------------------------------------------------------------------------


def _cycle(text: str, path: Path, line_no: int) -> int:
    return parse_int(text, f"{path}:{line_no}", "cycle", maximum=MAX_ARRIVAL_CYCLE)


def _address(text: str, path: Path, line_no: int) -> int:
    return parse_int(text, f"{path}:{line_no}", "address", base=0, maximum=UINT64_MAX)


def _op(text: str, reads: tuple[str, ...], writes: tuple[str, ...], path: Path, n: int) -> bool:
    low = text.lower()
    if low in reads:
        return False
    if low in writes:
        return True
    raise WorkloadError(
        f"{path}:{n}: unknown command {text!r}; expected {' or '.join(reads[:1] + writes[:1])}"
    )


def _parse_stl(tokens: list[str], path: Path, n: int) -> tuple[int, int, bool]:
    if len(tokens) < 3 or not tokens[0].endswith(":"):
        raise WorkloadError(f"{path}:{n}: expected '<cycle>: read|write 0x<address>'")
    cycle = _cycle(tokens[0][:-1], path, n)
    write = _op(tokens[1], ("read",), ("write",), path, n)
    return cycle, _address(tokens[2], path, n), write


def _parse_dramsim3(tokens: list[str], path: Path, n: int) -> tuple[int, int, bool]:
    if len(tokens) != 3:
        raise WorkloadError(f"{path}:{n}: expected '0x<address> READ|WRITE <cycle>'")
    write = _op(tokens[1], ("read", "r"), ("write", "w"), path, n)
    return _cycle(tokens[2], path, n), _address(tokens[0], path, n), write


def _parse_ramulator(tokens: list[str], path: Path, n: int) -> tuple[int, int, bool]:
    if len(tokens) != 2:
        raise WorkloadError(f"{path}:{n}: expected '0x<address> R|W'")
    write = _op(tokens[1], ("r", "read"), ("w", "write"), path, n)
    return -1, _address(tokens[0], path, n), write


_PARSERS = {"stl": _parse_stl, "dramsim3": _parse_dramsim3, "ramulator": _parse_ramulator}


def _sniff(path: Path, first: str) -> str:
    if path.suffix.lower() == ".stl":
        return "stl"
    tokens = first.split()
    if tokens and tokens[0].endswith(":"):
        return "stl"
    if len(tokens) == 3:
        return "dramsim3"
    if len(tokens) == 2:
        return "ramulator"
    raise WorkloadError(f"{path}: cannot tell the trace format; pass format= one of {FORMATS}")


def read_trace(path: str | Path, format: str = "auto", name: str | None = None) -> Trace:
    """Read a trace file in one of :data:`FORMATS` (``"auto"`` guesses from the content).

    Raises WorkloadError naming the file and line of the first malformed line (a number
    that is not decimal or ``0x`` hexadecimal, a cycle beyond :data:`MAX_ARRIVAL_CYCLE`,
    an address beyond 64 bits, bytes that are not UTF-8), or the file if it cannot be read
    or is empty.
    """
    path = Path(path)
    if format != "auto" and format not in FORMATS:
        raise WorkloadError(f"unknown trace format {format!r}; expected auto or one of {FORMATS}")
    # Split on newlines only: str.splitlines also splits on form feeds and other
    # separators, which would shift the line numbers the errors report.
    lines = read_text(path, "trace").split("\n")
    body = [
        (i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not body:
        raise WorkloadError(f"trace file {str(path)!r} has no requests")
    fmt = _sniff(path, body[0][1]) if format == "auto" else format
    parse = _PARSERS[fmt]
    n = len(body)
    arrival = np.empty(n, dtype=np.int64)
    address = np.empty(n, dtype=np.uint64)
    is_write = np.empty(n, dtype=np.bool_)
    previous = 0
    for k, (line_no, line) in enumerate(body):
        cycle, addr, write = parse(line.split(), path, line_no)
        if cycle < 0:
            cycle = k
        if cycle < previous:
            raise WorkloadError(
                f"{path}:{line_no}: cycle {cycle} is earlier than the previous request's {previous}"
            )
        previous = cycle
        arrival[k] = cycle
        address[k] = addr
        is_write[k] = write
    logger.debug("read %d requests from %s (%s)", n, path, fmt)
    return Trace(name or path.stem, arrival, address, is_write)


def write_trace(trace: Trace, path: str | Path, format: str = "stl") -> None:
    """Write ``trace`` to ``path`` in one of :data:`FORMATS`."""
    if format not in FORMATS:
        raise WorkloadError(f"unknown trace format {format!r}; expected one of {FORMATS}")
    rows = zip(
        trace.arrival_cycle.tolist(), trace.address.tolist(), trace.is_write.tolist(), strict=True
    )
    if format == "stl":
        lines = [f"{c}:\t{'write' if w else 'read'}\t0x{a:X}" for c, a, w in rows]
    elif format == "dramsim3":
        lines = [f"0x{a:X} {'WRITE' if w else 'READ'} {c}" for c, a, w in rows]
    else:
        lines = [f"0x{a:X} {'W' if w else 'R'}" for c, a, w in rows]
    Path(path).write_text("\n".join(lines) + "\n")


# Generators -----------------------------------------------------------------------------


def arrivals(n: int, rate: float = 1.0, burst: int = 1) -> np.ndarray:
    """Arrival cycles of ``n`` requests at ``rate`` requests per cycle on average.

    With ``burst`` > 1, requests come in groups of ``burst`` in one cycle followed by idle
    cycles, at the same average rate (a burstier stream). Raises WorkloadError for
    rate <= 0 or burst < 1.
    """
    if not rate > 0:
        raise WorkloadError(f"arrival rate must be positive, got {rate}")
    if burst < 1:
        raise WorkloadError(f"burst must be >= 1, got {burst}")
    group = np.arange(n, dtype=np.int64) // burst
    return np.floor(group * burst / rate).astype(np.int64)


def _writes(n: int, read_ratio: float, rng: np.random.Generator) -> np.ndarray:
    if not 0.0 <= read_ratio <= 1.0:
        raise WorkloadError(f"read_ratio must be in [0, 1], got {read_ratio}")
    if read_ratio == 1.0:
        return np.zeros(n, dtype=np.bool_)
    return rng.random(n) >= read_ratio


def _check_n(n: int) -> None:
    if int(n) != n or n < 1:
        raise WorkloadError(f"a trace needs at least one request, got length {n!r}")


def stream_trace(
    n: int,
    *,
    start: int = 0,
    stride: int = LINE_BYTES,
    read_ratio: float = 1.0,
    rate: float = 1.0,
    burst: int = 1,
    address_space: int = PRESET_ADDRESS_SPACE,
    seed: int = 0,
    name: str = "stream",
) -> Trace:
    """Sequential (or, with ``stride`` != 64, strided) addresses, wrapping at ``address_space``."""
    _check_n(n)
    rng = np.random.default_rng(seed)
    addr = (start + np.arange(n, dtype=np.uint64) * np.uint64(stride)) % np.uint64(address_space)
    return Trace(name, arrivals(n, rate, burst), addr, _writes(n, read_ratio, rng))


def strided_trace(n: int, stride: int, **options) -> Trace:
    """A stream with a fixed stride in bytes (see :func:`stream_trace` for the options)."""
    options.setdefault("name", f"strided-{stride}")
    return stream_trace(n, stride=stride, **options)


def random_trace(
    n: int,
    *,
    read_ratio: float = 1.0,
    rate: float = 1.0,
    burst: int = 1,
    address_space: int = PRESET_ADDRESS_SPACE,
    seed: int = 0,
    name: str = "random",
) -> Trace:
    """Uniformly random 64-byte lines in ``[0, address_space)``."""
    _check_n(n)
    rng = np.random.default_rng(seed)
    lines = rng.integers(0, address_space // LINE_BYTES, size=n, dtype=np.int64)
    addr = lines.astype(np.uint64) * np.uint64(LINE_BYTES)
    return Trace(name, arrivals(n, rate, burst), addr, _writes(n, read_ratio, rng))


def hotspot_trace(
    n: int,
    *,
    hot_bytes: int = 1 << 20,
    hot_probability: float = 0.9,
    read_ratio: float = 1.0,
    rate: float = 1.0,
    burst: int = 1,
    address_space: int = PRESET_ADDRESS_SPACE,
    seed: int = 0,
    name: str = "hotspot",
) -> Trace:
    """Random lines, a ``hot_probability`` share of them inside the first ``hot_bytes``."""
    _check_n(n)
    if not 0.0 <= hot_probability <= 1.0:
        raise WorkloadError(f"hot_probability must be in [0, 1], got {hot_probability}")
    if not 0 < hot_bytes <= address_space:
        raise WorkloadError(f"hot_bytes must be in (0, address_space], got {hot_bytes}")
    rng = np.random.default_rng(seed)
    hot = rng.random(n) < hot_probability
    span = np.where(hot, hot_bytes // LINE_BYTES, address_space // LINE_BYTES)
    lines = (rng.random(n) * span).astype(np.int64)
    addr = lines.astype(np.uint64) * np.uint64(LINE_BYTES)
    return Trace(name, arrivals(n, rate, burst), addr, _writes(n, read_ratio, rng))


def phased_trace(
    n: int,
    *,
    block: int = CLOUD_BLOCK,
    stream_probability: float = 0.5,
    first: str = "stream",
    read_ratio: float = 1.0,
    rate: float = 1.0,
    burst: int = 1,
    address_space: int = PRESET_ADDRESS_SPACE,
    seed: int = 0,
    name: str = "phased",
) -> Trace:
    """Blocks of ``block`` requests, each sequential or random (see the cloud presets)."""
    _check_n(n)
    if first not in ("stream", "random"):
        raise WorkloadError(f"first must be 'stream' or 'random', got {first!r}")
    if isinstance(block, bool) or int(block) != block or block < 1:
        raise WorkloadError(f"block must be a positive number of requests, got {block!r}")
    if not 0.0 <= stream_probability <= 1.0:
        raise WorkloadError(f"stream_probability must be in [0, 1], got {stream_probability}")
    rng = np.random.default_rng(seed)
    n_blocks = -(-n // block)
    is_stream = rng.random(n_blocks) < stream_probability
    is_stream[0] = first == "stream"
    per_request = np.repeat(is_stream, block)[:n]
    stream_rank = np.cumsum(per_request) - 1
    lines = rng.integers(0, address_space // LINE_BYTES, size=n, dtype=np.int64)
    sequential = (stream_rank * LINE_BYTES) % address_space
    addr = np.where(per_request, sequential, lines * LINE_BYTES).astype(np.uint64)
    return Trace(name, arrivals(n, rate, burst), addr, _writes(n, read_ratio, rng))


def preset_trace(name: str, length: int = DEFAULT_PRESET_LENGTH, seed: int = 0) -> Trace:
    """One of :data:`PRESETS`, ``length`` requests long (see the module docstring)."""
    if name == "stream":
        return stream_trace(length, name="stream", seed=seed)
    if name == "random":
        return random_trace(length, name="random", seed=seed)
    if name == "cloud-1":
        return phased_trace(length, first="stream", seed=seed + 1, name="cloud-1")
    if name == "cloud-2":
        return phased_trace(length, first="random", seed=seed + 2, name="cloud-2")
    raise WorkloadError(f"unknown trace preset {name!r}; expected one of {', '.join(PRESETS)}")
