"""Run one command of an external tool in a private work directory, with a timeout.

:func:`run_command` starts the tool in its own process group (so a timeout kills the
tool and everything it started), with stdin closed, stdout and stderr written to files
in the work directory, and an environment of its own: a copy of ours plus the caller's
overrides, with ``TMPDIR`` pointing into the work directory so that the tool's own
temporary files cannot collide with another run's. :func:`find_binary` resolves the
tool's executable from an explicit option, an environment variable or ``PATH``.

Errors are :class:`~archgym.errors.ToolError` subclasses: :class:`ToolNotFoundError`
(no executable), :class:`ToolRunError` (non-zero exit; also the base of the next two),
:class:`ToolTimeoutError` and :class:`ToolOutputError` (the tool's output could not be
read as metrics). A run error names the design, the command, the kept work directory
and the tail of what the tool printed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from archgym.errors import ToolError

#: Characters of a tool's output quoted in an error message (from the end).
TAIL_CHARS = 2000

STDOUT_FILE = "stdout.txt"
STDERR_FILE = "stderr.txt"
COMMAND_FILE = "command.txt"


class ToolNotFoundError(ToolError):
    """The tool's executable is not where the adapter looked; the message says where."""


class ToolRunError(ToolError):
    """A run of the tool failed.

    ``reason`` is the message without the quoted output, ``directory`` the kept work
    directory (None when it was deleted).
    """

    def __init__(self, message: str, output: str = "", directory: Path | None = None) -> None:
        super().__init__(message, output)
        self.reason = message
        self.directory = directory


class ToolTimeoutError(ToolRunError):
    """The tool ran longer than its timeout and was killed."""


class ToolOutputError(ToolRunError):
    """The tool finished but what it wrote is missing or cannot be read as metrics."""


@dataclass(frozen=True)
class ToolOutput:
    """What one run left behind: exit status, printed text and the work directory."""

    command: tuple[str, ...]
    directory: Path
    returncode: int
    stdout: str
    stderr: str
    elapsed_s: float

    def text(self, source: str = "stdout") -> str:
        """``"stdout"``, ``"stderr"`` or the content of a file the tool wrote.

        A file name is relative to the work directory. Raises ToolOutputError when the
        file does not exist.
        """
        if source == "stdout":
            return self.stdout
        if source == "stderr":
            return self.stderr
        path = self.directory / source
        if not path.is_file():
            written = sorted(p.name for p in self.directory.iterdir())
            raise ToolOutputError(
                f"the tool did not write {source!r}; its work directory holds: "
                f"{', '.join(written) or 'nothing'}"
            )
        return path.read_text(errors="replace")

    def tail(self, chars: int = TAIL_CHARS) -> str:
        """The end of stderr, or of stdout when stderr is empty."""
        text = self.stderr if self.stderr.strip() else self.stdout
        return text[-chars:].strip()


def find_binary(
    tool: str,
    binary: str | os.PathLike[str] | None,
    names: Sequence[str],
    env_var: str | None,
    written_against: str = "",
) -> Path:
    """The executable of ``tool``: ``binary`` if given, else ``$env_var``, else ``names`` on PATH.

    A value with a path separator must name an executable file; a bare name is looked up
    on PATH. Raises ToolNotFoundError saying where it looked and how to point at it.
    """
    tried: list[str] = []
    candidates: list[str] = []
    if binary is not None:
        candidates.append(os.fspath(binary))
        tried.append(f"the binary option ({os.fspath(binary)!r})")
    elif env_var and os.environ.get(env_var):
        candidates.append(os.environ[env_var])
        tried.append(f"${env_var} ({os.environ[env_var]!r})")
    else:
        candidates.extend(names)
        tried.append(f"PATH (for {', '.join(names)})")
    for candidate in candidates:
        if os.sep in candidate or (os.altsep and os.altsep in candidate):
            path = Path(candidate).expanduser()
            if path.is_file() and os.access(path, os.X_OK):
                return path.resolve()
            continue
        found = shutil.which(candidate)
        if found:
            return Path(found).resolve()
    hint = f"binary='/path/to/{names[0]}'" if names else "binary='/path/to/tool'"
    where = f" or set ${env_var}" if env_var else ""
    version = f" The adapter was written against {written_against}." if written_against else ""
    raise ToolNotFoundError(
        f"{tool} executable not found: looked in {'; '.join(tried)}. Build or install "
        f"{tool} and pass {hint} (on the command line: --env-arg binary=...; in archgym "
        f"validate: --adapter-arg binary=...){where}.{version}"
    )


def make_work_directory(tool: str, root: str | os.PathLike[str] | None = None) -> Path:
    """A new, empty, uniquely named directory for one run (under ``root`` or the temp dir)."""
    if root is not None:
        Path(root).mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() else "-" for c in tool.lower())
    return Path(tempfile.mkdtemp(prefix=f"archgym-{safe}-", dir=root))


def run_command(
    command: Sequence[str],
    directory: Path,
    *,
    timeout_s: float | None,
    environment: Mapping[str, str] | None = None,
) -> ToolOutput:
    """Run ``command`` in ``directory``; returns its output whatever the exit status.

    stdout and stderr go to ``stdout.txt`` and ``stderr.txt`` in the directory. After
    ``timeout_s`` seconds the whole process group is killed and ToolTimeoutError raised
    (its message holds the output so far). Ctrl-C also kills the group before it
    propagates.
    """
    command = tuple(str(token) for token in command)
    env = {**os.environ, **(environment or {}), "TMPDIR": str(directory)}
    stdout_path, stderr_path = directory / STDOUT_FILE, directory / STDERR_FILE
    start = time.perf_counter()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        try:
            process = subprocess.Popen(
                command,
                cwd=directory,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        except OSError as error:
            raise ToolRunError(f"could not start {command[0]!r}: {error}") from error
        try:
            returncode = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            output = _collect(command, directory, -signal.SIGKILL, start)
            raise ToolTimeoutError(
                f"timed out after {timeout_s:g} s and was killed", output.tail()
            ) from None
        except BaseException:
            _kill_group(process)
            raise
    return _collect(command, directory, returncode, start)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _collect(
    command: tuple[str, ...], directory: Path, returncode: int, start: float
) -> ToolOutput:
    stdout = (directory / STDOUT_FILE).read_text(errors="replace")
    stderr = (directory / STDERR_FILE).read_text(errors="replace")
    return ToolOutput(command, directory, returncode, stdout, stderr, time.perf_counter() - start)


def describe_exit(returncode: int) -> str:
    """``"exit status 2"`` or ``"killed by signal SIGSEGV"``."""
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def remove_directory(directory: Path) -> None:
    """Delete a work directory, ignoring one that is already gone."""
    shutil.rmtree(directory, ignore_errors=True)
