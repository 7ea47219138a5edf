"""External simulators: a user's own command-line simulator, and adapters for the field's tools.

- :class:`CommandLineSimulator` (:mod:`.base`): wrap any simulator binary by declaring
  its design space, metrics, input files (templates or functions), command line and
  parser; each evaluation runs in a private work directory with a timeout
  (:mod:`.runner`); :mod:`.parsers` reads JSON, ``key = value``, regex and CSV outputs.
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
