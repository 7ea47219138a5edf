"""Cross-checks of a native model against an external tool on the same designs.

An adapter that has a native counterpart declares it as a :class:`NativeCounterpart`:
which archgym env, with which options (the same memory part, for instance), which native
knob values stand in for knobs the tool does not have, and which native metric each of
its metrics is compared with when the names differ. :func:`compare` evaluates designs on
both and returns a :class:`Comparison` with the per-metric error table and a scatter plot.

Errors are relative to the external tool (the reference): ``(native - tool) / tool``.
Pairs whose reference value is 0 are left out of the relative statistics and counted.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulator import Metrics, Simulator
from archgym.spaces import Design, DesignSpace

logger = logging.getLogger(__name__)

TABLE_COLUMNS = (
    "metric",
    "native_metric",
    "unit",
    "n",
    "tool_mean",
    "native_mean",
    "mean_abs_error_pct",
    "max_abs_error_pct",
    "bias_pct",
    "spearman",
)


@dataclass(frozen=True)
class NativeCounterpart:
    """The native env an adapter is validated against, and how designs and metrics map.

    ``env_options`` go to the native env's factory; ``fixed_knobs`` are the native
    values of knobs the adapter's designs do not set; ``metric_names`` maps an adapter
    metric to native metric names, the first one the native env has being used (a
    metric not listed is compared with the native metric of the same name, if any);
    ``tool_knobs`` are the adapter's knobs the native model does not have, with the
    value they are held at while validating.
    """

    env_id: str
    env_options: Mapping[str, Any] = field(default_factory=dict)
    fixed_knobs: Mapping[str, Any] = field(default_factory=dict)
    metric_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tool_knobs: Mapping[str, Any] = field(default_factory=dict)

    def native_design(self, design: Design, native_space: DesignSpace) -> Design:
        """The native design standing for an adapter design (ConfigError if it cannot)."""
        unknown = [n for n in design if n not in native_space and n not in self.tool_knobs]
        if unknown:
            raise ConfigError(
                f"{self.env_id} has no knob {', '.join(unknown)}; an adapter validated "
                "against it must use its knob names"
            )
        values = {name: design.get(name, self.fixed_knobs.get(name)) for name in native_space.names}
        missing = [name for name, value in values.items() if value is None]
        if missing:
            raise ConfigError(
                f"no value for the {self.env_id} knob(s) {', '.join(missing)}: add them to "
                "the adapter's fixed_knobs"
            )
        return native_space.validate(values)

    def metric_pairs(
        self, tool_metrics: Sequence[str], native_metrics: Sequence[str]
    ) -> list[tuple[str, str]]:
        """``(tool metric, native metric)`` for every tool metric that has a counterpart."""
        pairs = []
        for name in tool_metrics:
            for candidate in self.metric_names.get(name, (name,)):
                if candidate in native_metrics:
                    pairs.append((name, candidate))
                    break
            else:
                logger.info("%s has no counterpart of the metric %s", self.env_id, name)
        return pairs


@dataclass
class Comparison:
    """Both models' metrics on the designs both evaluated, one row per design."""

    tool: str
    native: str
    workload: str
    pairs: list[tuple[str, str]]
    units: dict[str, str]
    designs: list[Design]
    tool_metrics: pd.DataFrame
    native_metrics: pd.DataFrame
    skipped: list[tuple[Design, str]] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """One row per compared metric; columns :data:`TABLE_COLUMNS`."""
        rows = []
        for tool_name, native_name in self.pairs:
            reference = self.tool_metrics[tool_name].to_numpy(dtype=float)
            native = self.native_metrics[native_name].to_numpy(dtype=float)
            rows.append(
                {
                    "metric": tool_name,
                    "native_metric": native_name,
                    "unit": self.units.get(tool_name, ""),
                    "n": len(reference),
                    "tool_mean": float(np.mean(reference)) if len(reference) else math.nan,
                    "native_mean": float(np.mean(native)) if len(native) else math.nan,
                    **relative_errors(native, reference),
                    "spearman": spearman(native, reference),
                }
            )
        return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))

    def per_design(self) -> pd.DataFrame:
        """One row per design: its knobs, then ``tool:<metric>`` and ``native:<metric>``."""
        frame = pd.DataFrame(self.designs)
        for tool_name, native_name in self.pairs:
            frame[f"tool:{tool_name}"] = self.tool_metrics[tool_name].to_numpy()
            frame[f"native:{native_name}"] = self.native_metrics[native_name].to_numpy()
        return frame

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """A PNG with one scatter panel per metric: native on x, the tool on y, y = x dashed."""
        from archgym.proxy.plots import plot_predicted_vs_simulated

        native = pd.DataFrame({tool: self.native_metrics[nat] for tool, nat in self.pairs})
        return plot_predicted_vs_simulated(
            native,
            self.tool_metrics,
            [tool for tool, _ in self.pairs],
            path,
            units=self.units,
            title=f"{self.native} vs {self.tool} on {self.workload} ({len(self.designs)} designs)",
            x_name=self.native,
            y_name=self.tool,
            max_columns=4,
        )


def relative_errors(native: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """Mean and max |native - reference| / |reference| and the signed mean (bias), in %.

    Pairs with a zero reference are left out; all-zero references give NaN.
    """
    nonzero = reference != 0
    if not nonzero.any():
        nan = math.nan
        return {"mean_abs_error_pct": nan, "max_abs_error_pct": nan, "bias_pct": nan}
    error = (native[nonzero] - reference[nonzero]) / np.abs(reference[nonzero])
    return {
        "mean_abs_error_pct": float(100 * np.mean(np.abs(error))),
        "max_abs_error_pct": float(100 * np.max(np.abs(error))),
        "bias_pct": float(100 * np.mean(error)),
    }


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (do both models order the designs alike?); NaN if constant."""
    if len(x) < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return math.nan
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def sample_tool_designs(
    space: DesignSpace, counterpart: NativeCounterpart, n: int, seed: int | None = 0
) -> list[Design]:
    """``n`` designs of the tool's ``space`` (seeded, without repeats while possible) over
    the knobs it shares with the native model; its tool-only knobs take their held value."""
    from archgym.data.collect import sample_designs

    held = dict(counterpart.tool_knobs)
    shared = DesignSpace([p for p in space if p.name not in held])
    designs = sample_designs(shared, n, "random", seed, unique=True)
    return [space.validate({**design, **held}) for design in designs]


def compare(
    native: Simulator,
    tool: Simulator,
    designs: Sequence[Design],
    workload: Any,
    counterpart: NativeCounterpart,
    *,
    native_name: str | None = None,
    jobs: int = 1,
    progress: bool = False,
) -> Comparison:
    """Evaluate ``designs`` (in the tool's space) on both simulators and pair the metrics.

    A design either model finds infeasible is skipped and listed in ``skipped`` with the
    reason. ``jobs`` tool runs go at a time (threads, one process each). Raises
    ConfigError when the two have no metric in common.
    """
    pairs = counterpart.metric_pairs(tool.metric_names, native.metric_names)
    if not pairs:
        raise ConfigError(
            f"{tool.name} and {counterpart.env_id} have no metric in common "
            f"({', '.join(tool.metric_names)} vs {', '.join(native.metric_names)})"
        )
    native_designs = [counterpart.native_design(d, native.design_space) for d in designs]
    # the same bar `archgym collect` shows (a no-op stand-in without progress)
    from archgym.data.collect import _progress

    bar = _progress(progress, len(designs), f"{tool.name} runs")

    def run_tool(design: Design) -> Metrics | InvalidDesignError:
        try:
            return tool.evaluate(design, workload)
        except InvalidDesignError as error:
            return error
        finally:
            bar.update(1)

    try:
        with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
            tool_results = list(pool.map(run_tool, designs))
    finally:
        bar.close()
    kept, tool_rows, native_rows, skipped = [], [], [], []
    for design, native_design, tool_result in zip(
        designs, native_designs, tool_results, strict=True
    ):
        if isinstance(tool_result, InvalidDesignError):
            skipped.append((design, f"{tool.name}: {tool_result}"))
            continue
        try:
            native_result = native.evaluate(native_design, workload)
        except InvalidDesignError as error:
            skipped.append((design, f"native: {error}"))
            continue
        kept.append(design)
        tool_rows.append(tool_result)
        native_rows.append(native_result)
    units = {m.name: m.unit for m in tool.metric_specs}
    return Comparison(
        tool=getattr(tool, "tool", tool.name),
        native=native_name or native.name,
        workload=str(getattr(workload, "name", workload)),
        pairs=pairs,
        units=units,
        designs=kept,
        tool_metrics=pd.DataFrame(tool_rows, columns=list(tool.metric_names)),
        native_metrics=pd.DataFrame(native_rows, columns=list(native.metric_names)),
        skipped=skipped,
    )
