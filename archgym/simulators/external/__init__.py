"""External simulators: a user's own command-line simulator, and adapters for the field's tools.

- :class:`CommandLineSimulator` (:mod:`.base`): wrap any simulator binary by declaring
  its design space, metrics, input files (templates or functions), command line and
  parser; each evaluation runs in a private work directory with a timeout
  (:mod:`.runner`); :mod:`.parsers` reads JSON, ``key = value``, regex and CSV outputs.
- Adapters of the field's tools, each a subclass: :mod:`.dramsim3` (DRAMsim3),
  :mod:`.ramulator2` (Ramulator 2.0), :mod:`.dramsys` (DRAMSys 5), sharing
  :mod:`.dram_common`; :mod:`.timeloop` (``timeloop-model``); :mod:`.astrasim` (ASTRA-sim 2
  analytical, with its Chakra trace writer :mod:`.chakra`). Their envs are in
  :mod:`archgym.envs.external`.
- :mod:`.validation`: a native model against a tool on the same designs (``archgym
  validate``).

Importing this package imports no adapter; an adapter finds its executable when it is
built and raises ToolNotFoundError (saying where it looked) when it cannot.
"""

from __future__ import annotations

from archgym.simulators.external.base import CommandLineSimulator, describe_design
from archgym.simulators.external.parsers import (
    combine,
    csv_values,
    json_values,
    key_values,
    regex_values,
)
from archgym.simulators.external.runner import (
    ToolNotFoundError,
    ToolOutput,
    ToolOutputError,
    ToolRunError,
    ToolTimeoutError,
    find_binary,
)

__all__ = [
    "CommandLineSimulator",
    "ToolNotFoundError",
    "ToolOutput",
    "ToolOutputError",
    "ToolRunError",
    "ToolTimeoutError",
    "combine",
    "csv_values",
    "describe_design",
    "find_binary",
    "json_values",
    "key_values",
    "regex_values",
]
