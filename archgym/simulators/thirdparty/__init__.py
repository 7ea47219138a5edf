"""Third-party simulators as archgym backends (the ``thirdparty`` extra).

- :mod:`archgym.simulators.thirdparty.zigzag`: ZigZag (``zigzag-dse``), an analytical
  accelerator cost model with a temporal-mapping search; :class:`ZigZagSimulator`
  (archgym/ZigZag-v0) and :func:`run_zigzag` for any ZigZag accelerator YAML;
  :mod:`archgym.simulators.thirdparty.zigzag_inputs` writes its accelerator, layer and
  mapping descriptions.
- :mod:`archgym.simulators.thirdparty.scalesim`: SCALE-Sim (``scalesim``), a cycle-level
  systolic-array simulator; :class:`ScaleSimSimulator` (archgym/ScaleSim-v0) and
  :func:`run_scalesim`.
- :mod:`archgym.simulators.thirdparty.sandbox`: :func:`contained_run`, which gives each
  tool call a private temporary directory and contains its output, logging and exits.
- :mod:`archgym.simulators.thirdparty.crosscheck`: the native accelerator model against
  both tools (same layers, equivalent mappings).

Importing this package is cheap: the tools are imported when a simulator is built or a
run starts; without them :class:`~archgym.errors.MissingExtraError` names
``pip install 'archgym[thirdparty]'``.
"""

from __future__ import annotations

from archgym.simulators.thirdparty.sandbox import ToolError, contained_run
from archgym.simulators.thirdparty.scalesim import ScaleSimConfig, ScaleSimSimulator, run_scalesim
from archgym.simulators.thirdparty.zigzag import ZigZagHardware, ZigZagSimulator, run_zigzag

__all__ = [
    "ScaleSimConfig",
    "ScaleSimSimulator",
    "ToolError",
    "ZigZagHardware",
    "ZigZagSimulator",
    "contained_run",
    "run_scalesim",
    "run_zigzag",
]
