"""DNN layer and network workloads, and readers for Timeloop problem YAML and GAMMA CSV.

A :class:`Layer` is a grouped, strided, dilated convolution in the Timeloop dimension
names (N, G, K, C, P, Q, R, S; ``K`` is Timeloop's ``M``, output channels per group; ``C``
is input channels per group). A GEMM ``(M x K) @ (K x N)`` is the convolution with
``P = M``, ``K = N``, ``C = K`` and every other dimension 1 (:func:`gemm`).
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archgym.errors import WorkloadError
from archgym.parsing import INT64_MAX, parse_int, read_text, read_yaml

#: Loop dimensions, in the order every array in this package uses.
DIMS: tuple[str, ...] = ("N", "G", "K", "C", "P", "Q", "R", "S")


@dataclass(frozen=True)
class Layer:
    """One convolution (or GEMM) layer; sizes are per group, outputs are P x Q.

    Raises :class:`WorkloadError` when a size is not a positive integer.
    """

    name: str
    N: int = 1
    G: int = 1
    K: int = 1
    C: int = 1
    P: int = 1
    Q: int = 1
    R: int = 1
    S: int = 1
    stride_h: int = 1
    stride_w: int = 1
    dilation_h: int = 1
    dilation_w: int = 1
    kind: str = "conv"  # "conv" or "gemm"

    def __post_init__(self) -> None:
        for attr in (*DIMS, "stride_h", "stride_w", "dilation_h", "dilation_w"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise WorkloadError(
                    f"layer {self.name!r}: {attr} must be a positive integer, got {value!r}"
                )
        if self.kind not in ("conv", "gemm"):
            raise WorkloadError(f"layer {self.name!r}: kind must be 'conv' or 'gemm'")

    @property
    def dims(self) -> tuple[int, ...]:
        """The eight loop bounds in :data:`DIMS` order."""
        return (self.N, self.G, self.K, self.C, self.P, self.Q, self.R, self.S)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the layer."""
        return math.prod(self.dims)

    @property
    def input_h(self) -> int:
        """Input rows the outputs touch (padding included): (P-1)*stride + (R-1)*dilation + 1."""
        return (self.P - 1) * self.stride_h + (self.R - 1) * self.dilation_h + 1

    @property
    def input_w(self) -> int:
        """Input columns the outputs touch (padding included)."""
        return (self.Q - 1) * self.stride_w + (self.S - 1) * self.dilation_w + 1

    @property
    def weight_words(self) -> int:
        """Words of weights (all groups)."""
        return self.G * self.K * self.C * self.R * self.S

    @property
    def input_words(self) -> int:
        """Words of input activations, padding included (all images and groups)."""
        return self.N * self.G * self.C * self.input_h * self.input_w

    @property
    def output_words(self) -> int:
        """Words of output activations (all images and groups)."""
        return self.N * self.G * self.K * self.P * self.Q

    def shape_key(self) -> tuple[int, ...]:
        """Everything that determines the cost of the layer (its name excluded)."""
        return (*self.dims, self.stride_h, self.stride_w, self.dilation_h, self.dilation_w)


def conv(
    name: str,
    K: int,
    C: int,
    P: int,
    Q: int | None = None,
    R: int = 1,
    S: int | None = None,
    *,
    stride: int = 1,
    dilation: int = 1,
    groups: int = 1,
    N: int = 1,
) -> Layer:
    """A convolution with K output and C input channels in total (divided by ``groups``).

    Raises :class:`WorkloadError` when the channels do not divide by ``groups``.
    """
    Q = P if Q is None else Q
    S = R if S is None else S
    if groups < 1 or K % groups or C % groups:
        raise WorkloadError(f"layer {name!r}: K={K} and C={C} must divide by groups={groups}")
    return Layer(
        name,
        N=N,
        G=groups,
        K=K // groups,
        C=C // groups,
        P=P,
        Q=Q,
        R=R,
        S=S,
        stride_h=stride,
        stride_w=stride,
        dilation_h=dilation,
        dilation_w=dilation,
    )


def gemm(name: str, M: int, N: int, K: int) -> Layer:
    """The GEMM (M x K) @ (K x N) as a layer: P = M rows, K = N output columns, C = K."""
    return Layer(name, K=N, C=K, P=M, kind="gemm")


@dataclass(frozen=True)
class Network:
    """A named sequence of layers (the workload of archgym/Accelerator-v0)."""

    name: str
    layers: tuple[Layer, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.layers:
            raise WorkloadError(f"network {self.name!r} has no layers")

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    @property
    def macs(self) -> int:
        """MACs of all layers."""
        return sum(layer.macs for layer in self.layers)

    def fingerprint(self) -> str:
        """Stable hash of the layer shapes (names excluded)."""
        text = ";".join(",".join(map(str, layer.shape_key())) for layer in self.layers)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def as_network(workload: Layer | Network | Sequence[Layer], name: str = "custom") -> Network:
    """Wrap a layer or a list of layers as a :class:`Network` (a Network passes through)."""
    if isinstance(workload, Network):
        return workload
    if isinstance(workload, Layer):
        return Network(workload.name, (workload,))
    layers = tuple(workload)
    if not all(isinstance(layer, Layer) for layer in layers):
        raise WorkloadError(f"workload {name!r}: expected Layer objects")
    return Network(name, layers)


# ---------------------------------------------------------------- Timeloop problem YAML

_TIMELOOP_KEYS = {"N": "N", "M": "K", "C": "C", "P": "P", "Q": "Q", "R": "R", "S": "S", "G": "G"}


def read_timeloop_problem(path: str | Path, name: str | None = None) -> Layer:
    """Read a Timeloop problem YAML (``problem: instance: {C, M, N, P, Q, R, S, ...}``).

    Timeloop's ``Hstride``/``Wstride`` are the strides along Q/S and P/R respectively
    (its Inputs projection pairs R with Wstride and S with Hstride). Raises
    :class:`WorkloadError` naming the file when it is missing or malformed.
    """
    path = Path(path)
    doc = read_yaml(path, "Timeloop problem YAML", WorkloadError)
    problem = doc.get("problem") if isinstance(doc, dict) else None
    instance = problem.get("instance") if isinstance(problem, dict) else None
    if not isinstance(instance, dict):
        raise WorkloadError(f"{path}: no 'problem: instance:' mapping")
    sizes: dict[str, int] = {}
    wanted = (*_TIMELOOP_KEYS, "Wstride", "Hstride", "Wdilation", "Hdilation")
    for key, value in instance.items():
        if key not in wanted:
            continue  # padding, input sizes, densities: not part of the loop nest
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise WorkloadError(f"{path}: problem instance {key}={value!r} is not a positive int")
        sizes[key] = value
    for key in ("C", "M", "P", "Q", "R", "S"):
        if key not in sizes:
            raise WorkloadError(f"{path}: problem instance lacks dimension {key}")
    kwargs = {ours: sizes[theirs] for theirs, ours in _TIMELOOP_KEYS.items() if theirs in sizes}
    return Layer(
        name or path.stem,
        **kwargs,
        stride_h=sizes.get("Wstride", 1),
        stride_w=sizes.get("Hstride", 1),
        dilation_h=sizes.get("Wdilation", 1),
        dilation_w=sizes.get("Hdilation", 1),
    )


def read_timeloop_directory(path: str | Path, name: str | None = None) -> Network:
    """Read every ``*.yaml`` of a directory as a network, in natural (layer-number) order."""
    path = Path(path)
    files = sorted(path.glob("*.yaml"), key=_natural_key)
    if not files:
        raise WorkloadError(f"{path}: no Timeloop problem YAML files")
    return Network(name or path.name, tuple(read_timeloop_problem(f) for f in files))


def _natural_key(path: Path) -> tuple:
    import re

    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.stem))


# ---------------------------------------------------------------- GAMMA / MAESTRO CSV

#: GAMMA's layer type codes (column T).
GAMMA_TYPES = {0: "fc", 1: "conv", 2: "dsconv", 3: "gemm"}


def read_gamma_csv(path: str | Path, name: str | None = None) -> Network:
    """Read a GAMMA/MAESTRO model table: header then rows ``K,C,Y,X,R,S,T``.

    T = 1 convolution (Y, X are input rows/columns; stride 1, no padding as in MAESTRO,
    so P = Y - R + 1), 2 depthwise convolution (C channels, K = 1), 3 GEMM (columns read
    as M, N, K), 0 fully connected (columns O, I). Raises :class:`WorkloadError` naming the
    file and line of a malformed row.
    """
    path = Path(path)
    text = read_text(path, "GAMMA CSV")
    layers: list[Layer] = []
    try:
        rows = list(csv.reader(text.split("\n")))
    except csv.Error as exc:  # a NUL byte, or a quoted field that never closes
        raise WorkloadError(f"{path}: not a readable CSV file: {exc}") from None
    if not rows:
        raise WorkloadError(f"{path}: empty file")
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        layers.append(_gamma_row(path, lineno, row, f"{name or path.stem}_{len(layers) + 1}"))
    return Network(name or path.stem, tuple(_check_nonempty(path, layers)))


def _check_nonempty(path: Path, layers: list[Layer]) -> list[Layer]:
    if not layers:
        raise WorkloadError(f"{path}: no layer rows after the header")
    return layers


def _gamma_row(path: Path, lineno: int, row: list[str], layer_name: str) -> Layer:
    where = f"{path}, line {lineno}"
    if len(row) != 7:
        raise WorkloadError(f"{where}: expected 7 columns K,C,Y,X,R,S,T, got {len(row)}: {row}")
    values = [
        parse_int(cell.strip(), where, f"column {column}", maximum=INT64_MAX)
        for column, cell in zip("KCYXRST", row, strict=True)
    ]
    a, b, c, d, r, s, kind = values
    if kind not in GAMMA_TYPES:
        raise WorkloadError(f"{where}: unknown layer type T={kind} (expected 0, 1, 2 or 3)")
    try:
        if kind == 3:
            return gemm(layer_name, M=a, N=b, K=c)
        if kind == 0:
            return gemm(layer_name, M=1, N=a, K=b)
        if c < r or d < s:
            raise WorkloadError(f"{where}: input {c}x{d} is smaller than the filter {r}x{s}")
        if kind == 2:
            return Layer(layer_name, G=b, P=c - r + 1, Q=d - s + 1, R=r, S=s)
        return Layer(layer_name, K=a, C=b, P=c - r + 1, Q=d - s + 1, R=r, S=s)
    except WorkloadError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise WorkloadError(f"{where}: {exc}") from None


def unique_layers(layers: Iterable[Layer]) -> dict[tuple[int, ...], Layer]:
    """The first layer of each distinct shape, keyed by :meth:`Layer.shape_key`."""
    out: dict[tuple[int, ...], Layer] = {}
    for layer in layers:
        out.setdefault(layer.shape_key(), layer)
    return out
