"""Run a third-party tool contained: private temp directory, captured output, restored logging.

Third-party simulators are written as programs, not libraries: they write files next to
the working directory, print progress, configure the root logger and call ``exit()``.
:func:`contained_run` gives one call of such a tool a private temporary directory (also
its working directory for the duration), captures what it prints, routes its loggers
into ours at DEBUG, puts the root logger back exactly as it was, and turns a
``SystemExit`` into :class:`ToolError`. The directory and everything the tool wrote in it
are removed afterwards.

Changing the working directory is process-wide, so contained runs are serialised with a
lock; run tools in parallel with processes, not threads.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archgym.errors import ToolError

logger = logging.getLogger(__name__)

_LOCK = threading.RLock()

#: Captured output kept in an error message (characters, from the end).
_OUTPUT_TAIL = 2000


@dataclass
class ToolRun:
    """The state of one contained run: its directory and, afterwards, what it printed."""

    tool: str
    directory: Path
    output: str = ""
    log_records: list[logging.LogRecord] = field(default_factory=list)


class _Forward(logging.Handler):
    """Keeps a tool's log records and re-emits them through our logger at DEBUG."""

    def __init__(self, run: ToolRun) -> None:
        super().__init__(logging.DEBUG)
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        self.run.log_records.append(record)
        logger.debug("[%s] %s: %s", self.run.tool, record.name, record.getMessage())


@contextlib.contextmanager
def contained_run(tool: str, logger_names: Sequence[str] = ()) -> Iterator[ToolRun]:
    """Context for one call of ``tool``; yields a :class:`ToolRun` whose ``directory`` is private.

    Inside the block the working directory is that directory, stdout and stderr are
    captured (into ``ToolRun.output``, and logged at DEBUG) and so are warnings; records of
    the loggers named in ``logger_names`` go only to our logger at DEBUG; on exit the root
    logger's level, handlers and filters are restored and the directory deleted.
    ``SystemExit`` raised by the tool becomes :class:`ToolError` naming the tool and its
    last output.
    """
    with _LOCK:
        root = logging.getLogger()
        root_state = (root.level, list(root.handlers), list(root.filters))
        tool_loggers = [logging.getLogger(name) for name in logger_names]
        tool_states = [(lg.level, lg.propagate, list(lg.handlers)) for lg in tool_loggers]
        old_cwd = os.getcwd()
        buffer = io.StringIO()
        with tempfile.TemporaryDirectory(prefix=f"archgym-{tool}-") as tmp:
            run = ToolRun(tool, Path(tmp))
            forward = _Forward(run)
            for lg in tool_loggers:
                lg.handlers = [forward]
                lg.propagate = False
                lg.setLevel(logging.DEBUG if logger.isEnabledFor(logging.DEBUG) else logging.INFO)
            try:
                os.chdir(tmp)
                with (
                    contextlib.redirect_stdout(buffer),
                    contextlib.redirect_stderr(buffer),
                    warnings.catch_warnings(record=True) as caught,
                ):
                    warnings.simplefilter("default")
                    try:
                        yield run
                    finally:
                        for warning in caught:
                            logger.debug("[%s] warning: %s", tool, warning.message)
            except SystemExit as exc:
                tail = buffer.getvalue()[-_OUTPUT_TAIL:].strip()
                raise ToolError(f"{tool} exited (exit code {exc.code!r})", tail) from None
            finally:
                os.chdir(old_cwd)
                run.output = buffer.getvalue()
                if run.output.strip():
                    logger.debug("[%s] output:\n%s", tool, run.output[-_OUTPUT_TAIL:])
                for lg, (level, propagate, handlers) in zip(tool_loggers, tool_states, strict=True):
                    lg.setLevel(level)
                    lg.propagate = propagate
                    lg.handlers = handlers
                root.setLevel(root_state[0])
                root.handlers = root_state[1]
                root.filters = root_state[2]
