"""CommandLineSimulator: a Simulator that runs a user's own simulator binary per evaluation.

The user declares what archgym cannot guess, either as constructor arguments or as
class attributes / method overrides of a subclass:

- the design space and the metrics (``design_space``, ``metric_specs``);
- the input files (``inputs``: file name -> a :class:`string.Template` text, whose
  ``$knob`` / ``${knob}`` placeholders take the design's values, or a function
  ``(design, workload) -> str | bytes``); override :meth:`write_inputs` for anything else;
- the command line after the executable (``command``: tokens, templates too);
- the parser (``parser``: ``ToolOutput -> metrics``, see
  :mod:`archgym.simulators.external.parsers`);
- optionally ``rejections``: regular expressions that, found in what the tool prints,
  mean "this design is infeasible" (they become InvalidDesignError, not a tool failure).

Every evaluation runs in a new private work directory (see
:mod:`archgym.simulators.external.runner`): nothing is shared between runs, so two
sweeps or ``--jobs N`` workers in one checkout cannot step on each other. The directory
is deleted after a successful run and kept after a failure, with ``command.txt``,
``stdout.txt`` and ``stderr.txt`` in it; the error names the design, the command, the
directory and the tail of the tool's output. Results go through the env's evaluation
cache like any simulator's; :meth:`config` (the executable, the declarations and the
subclass's :meth:`options`) is part of the cache key.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from string import Template
from types import MappingProxyType
from typing import Any

from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulator import Metrics, MetricSpec, Simulator
from archgym.simulators.external.parsers import Parser, number
from archgym.simulators.external.runner import (
    COMMAND_FILE,
    ToolOutput,
    ToolOutputError,
    ToolRunError,
    describe_exit,
    find_binary,
    make_work_directory,
    remove_directory,
    run_command,
)
from archgym.spaces import Design, DesignSpace

logger = logging.getLogger(__name__)

InputFile = str | Callable[[Design, Any], str | bytes]

KEEP_WORK_DIRS = ("failed", "all", "none")
NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})


class CommandLineSimulator(Simulator):
    """Runs an external simulator binary; see the module docstring for what to declare.

    Args:
        binary: the executable (a path, or a name looked up on PATH). None: the
            ``binary_env_var`` environment variable, else ``binary_names`` on PATH.
        design_space, metric_specs, inputs, command, parser, rejections: the
            declarations (each overrides the class attribute of the same name).
        name, tool: the simulator's name and the tool's display name in messages
            (default: the name).
        timeout_s: seconds one run may take before it is killed (ToolTimeoutError).
        environment: variables set for the tool on top of a copy of ours.
        work_root: where work directories are made (default: the system temp dir).
        keep_work_dirs: "failed" (default), "all" (for debugging) or "none".
        jobs: concurrent runs in :meth:`evaluate_many` (threads, one process each).

    Raises ToolNotFoundError when the executable cannot be found, ConfigError for a
    declaration that is missing or malformed.
    """

    name = "external"
    tool = "tool"
    #: Executable names tried on PATH, and the environment variable that may name it.
    binary_names: tuple[str, ...] = ()
    binary_env_var: str | None = None
    #: The release or commit the adapter's formats were written against (for messages).
    written_against = ""
    default_timeout_s = 600.0

    inputs: Mapping[str, InputFile] = {}
    command: Sequence[str] = ()
    parser: Parser | None = None
    rejections: Sequence[str] = ()

    def __init__(
        self,
        binary: str | os.PathLike[str] | None = None,
        *,
        design_space: DesignSpace | None = None,
        metric_specs: Sequence[MetricSpec] | None = None,
        inputs: Mapping[str, InputFile] | None = None,
        command: Sequence[str] | None = None,
        parser: Parser | None = None,
        rejections: Sequence[str] | None = None,
        name: str | None = None,
        tool: str | None = None,
        timeout_s: float | None = None,
        environment: Mapping[str, str] | None = None,
        work_root: str | os.PathLike[str] | None = None,
        keep_work_dirs: str = "failed",
        jobs: int = 1,
    ) -> None:
        if name is not None:
            self.name = name
        if tool is not None:
            self.tool = tool
        elif name is not None and type(self).tool == CommandLineSimulator.tool:
            self.tool = name
        self._design_space = design_space
        self._metric_specs = tuple(metric_specs) if metric_specs is not None else None
        if inputs is not None:
            self.inputs = dict(inputs)
        if command is not None:
            self.command = tuple(command)
        if parser is not None:
            self.parser = parser
        if rejections is not None:
            self.rejections = tuple(rejections)
        self._rejection_patterns = [re.compile(p, re.MULTILINE) for p in self.rejections]
        self.timeout_s = float(timeout_s if timeout_s is not None else self.default_timeout_s)
        if not self.timeout_s > 0:
            raise ConfigError(f"{self.tool}: timeout_s must be positive, got {timeout_s!r}")
        if keep_work_dirs not in KEEP_WORK_DIRS:
            raise ConfigError(
                f"keep_work_dirs {keep_work_dirs!r} is not one of {', '.join(KEEP_WORK_DIRS)}"
            )
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ConfigError(f"{self.tool}: jobs must be a positive integer, got {jobs!r}")
        self.environment = {str(k): str(v) for k, v in (environment or {}).items()}
        self.work_root = Path(work_root) if work_root is not None else None
        self.keep_work_dirs = keep_work_dirs
        self.jobs = jobs
        names = self.binary_names or ((os.fspath(binary),) if binary is not None else ())
        if not names and not (self.binary_env_var and os.environ.get(self.binary_env_var)):
            raise ConfigError(f"{self.tool}: no executable given; pass binary='/path/to/tool'")
        self.binary = find_binary(
            self.tool, binary, names, self.binary_env_var, self.written_against
        )

    # Declarations ------------------------------------------------------------------
    @property
    def design_space(self) -> DesignSpace:
        if self._design_space is None:
            raise ConfigError(f"{self.tool}: no design_space declared")
        return self._design_space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        if self._metric_specs is None:
            raise ConfigError(f"{self.tool}: no metric_specs declared")
        return self._metric_specs

    def options(self) -> dict[str, Any]:
        """The adapter's own settings that change results (override in subclasses)."""
        return {}

    def config(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "binary": str(self.binary),
            "inputs": {
                name: text if isinstance(text, str) else getattr(text, "__qualname__", repr(text))
                for name, text in self.inputs.items()
            },
            "command": list(self.command),
            "options": self.options(),
        }

    # Hooks -------------------------------------------------------------------------
    def template_values(
        self, design: Design, workload: Any, context: Mapping[str, Any] = NO_CONTEXT
    ) -> dict[str, Any]:
        """Values the templates may use: ``workload`` (its name), the run context, the knobs."""
        return {"workload": getattr(workload, "name", str(workload)), **context, **design}

    def write_inputs(
        self,
        directory: Path,
        design: Design,
        workload: Any,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> None:
        """Write the input files of one run into ``directory`` (default: ``inputs``)."""
        values = self.template_values(design, workload, context)
        for file_name, source in self.inputs.items():
            content = (
                self._substitute(source, values, file_name)
                if isinstance(source, str)
                else source(design, workload)
            )
            path = directory / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)

    def command_line(
        self, design: Design, workload: Any, context: Mapping[str, Any] = NO_CONTEXT
    ) -> list[str]:
        """The full command: the executable, then ``command`` with templates filled."""
        values = self.template_values(design, workload, context)
        return [str(self.binary)] + [
            self._substitute(token, values, "command") for token in self.command
        ]

    def parse(self, output: ToolOutput, design: Design, workload: Any) -> Metrics:
        """Metrics from the run's output (default: the declared ``parser``)."""
        if self.parser is None:
            raise ConfigError(f"{self.tool}: no parser declared")
        return self.parser(output)

    def rejection(self, output: ToolOutput) -> str | None:
        """Why the tool rejected the design, if it did (default: the ``rejections`` patterns)."""
        text = output.stdout + "\n" + output.stderr
        for pattern in self._rejection_patterns:
            match = pattern.search(text)
            if match:
                start = text.rfind("\n", 0, match.start()) + 1
                end = text.find("\n", match.end())
                return text[start : end if end >= 0 else len(text)].strip()
        return None

    # Evaluation --------------------------------------------------------------------
    def evaluate(self, design: Design, workload: Any) -> Metrics:
        """Run the tool once on ``design`` and ``workload`` and return its metrics.

        Raises InvalidDesignError for a design outside the space or one the tool
        rejects; ToolRunError (ToolTimeoutError, ToolOutputError) when the run fails.
        """
        return self.run(self.design_space.validate(design), workload)

    def evaluate_many(
        self, designs: Sequence[Design], workload: Any
    ) -> list[Metrics | InvalidDesignError]:
        """Evaluate designs ``jobs`` at a time; an infeasible one yields its error."""
        if self.jobs == 1 or len(designs) < 2:
            return super().evaluate_many(designs, workload)

        def one(design: Design) -> Metrics | InvalidDesignError:
            try:
                return self.evaluate(design, workload)
            except InvalidDesignError as error:
                return error

        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            return list(pool.map(one, designs))

    def run(self, design: Design, workload: Any, **context: Any) -> Metrics:
        """One run in a fresh work directory: write inputs, execute, check, parse.

        ``context`` is passed to :meth:`write_inputs`, :meth:`command_line` and the
        templates, for adapters that run the tool more than once per evaluation (a
        longer simulation, one run per layer; see DRAMsim3Simulator).
        """
        directory = make_work_directory(self.name, self.work_root)
        command: list[str] = []
        keep = self.keep_work_dirs == "all"

        def failure(kind: type[ToolRunError], what: str, tail: str) -> ToolRunError:
            kept = self.keep_work_dirs != "none"
            message = (
                f"{self.tool} failed on design {describe_design(design)}: {what}\n"
                f"  command: {shlex.join(command) if command else '(not built)'}\n"
                f"  work directory: {directory if kept else '(deleted: keep_work_dirs=none)'}"
            )
            return kind(message, tail, directory if kept else None)

        try:
            self.write_inputs(directory, design, workload, context)
            command = self.command_line(design, workload, context)
            logger.debug("[%s] %s (in %s)", self.tool, shlex.join(command), directory)
            try:
                output = run_command(
                    command, directory, timeout_s=self.timeout_s, environment=self.environment
                )
            except ToolRunError as error:
                raise failure(type(error), error.reason, error.output) from None
            reason = self.rejection(output)
            if reason is not None:
                raise InvalidDesignError(f"{self.tool} rejected the design: {reason}")
            if output.returncode != 0:
                raise failure(ToolRunError, describe_exit(output.returncode), output.tail())
            try:
                metrics = self._checked(self.parse(output, design, workload))
            except ToolOutputError as error:
                tail = error.output or output.tail()
                raise failure(ToolOutputError, error.reason, tail) from None
            except (InvalidDesignError, ConfigError, ToolRunError):
                raise
            except (KeyError, ValueError, TypeError, IndexError) as error:
                what = f"its output could not be parsed ({type(error).__name__}: {error})"
                raise failure(ToolOutputError, what, output.tail()) from error
        except ToolRunError:
            keep = self.keep_work_dirs != "none"
            if keep:
                self._write_command_file(directory, command, design)
            raise
        finally:
            if not keep:
                remove_directory(directory)
        return metrics

    def _checked(self, metrics: Mapping[str, float]) -> Metrics:
        missing = [name for name in self.metric_names if name not in metrics]
        if missing:
            raise ToolOutputError(f"the parser returned no value for {', '.join(missing)}")
        return {name: number(metrics[name], f"metric {name}") for name in self.metric_names}

    def _write_command_file(self, directory: Path, command: Sequence[str], design: Design) -> None:
        text = (
            f"# {self.tool}, run by archgym ({type(self).__qualname__}); rerun from this folder:\n"
            f"{shlex.join(command) if command else '(the command was not built)'}\n"
            f"# design: {describe_design(design)}\n# timeout: {self.timeout_s:g} s\n"
        )
        (directory / COMMAND_FILE).write_text(text)
        logger.warning("%s run failed; its work directory is kept: %s", self.tool, directory)

    def _substitute(self, template: str, values: Mapping[str, Any], where: str) -> str:
        try:
            return Template(template).substitute(values)
        except KeyError as error:
            raise ConfigError(
                f"{self.tool}: template {where!r} uses ${error.args[0]}, which is neither a "
                f"knob nor a template value; known: {', '.join(sorted(values))}"
            ) from None
        except ValueError as error:
            raise ConfigError(f"{self.tool}: template {where!r} is malformed: {error}") from None


def describe_design(design: Mapping[str, Any]) -> str:
    """``{a=1, b='x'}``: a design in one line for messages."""
    return "{" + ", ".join(f"{k}={v!r}" for k, v in design.items()) + "}"
