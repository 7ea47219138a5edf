"""The archgym exception hierarchy: every error the library raises derives from ArchGymError."""

from __future__ import annotations


class ArchGymError(Exception):
    """Base class of every error archgym raises on purpose."""


class ConfigError(ArchGymError, ValueError):
    """A configuration, hyperparameter or option is unknown or out of range."""


class InvalidDesignError(ArchGymError, ValueError):
    """A design lies outside its design space or is infeasible for the simulator."""


class InvalidActionError(ArchGymError, ValueError):
    """An env action lacks the action space's shape or dtype (a bug in the caller).

    ``DesignEnv.step`` raises it. An action of the right shape and dtype whose values lie
    outside the design space is no error: it is an invalid design, and gets the penalty.
    """


class WorkloadError(ArchGymError, ValueError):
    """A workload is unknown, or its file is missing or malformed."""


class MissingExtraError(ArchGymError, ImportError):
    """An optional dependency is not installed; the message names the pip extra."""

    def __init__(self, feature: str, extra: str, package: str) -> None:
        super().__init__(
            f"{feature} needs the optional package {package!r}: "
            f"install it with `pip install 'archgym[{extra}]'`"
        )
        self.extra = extra
        self.package = package


class DatasetError(ArchGymError, ValueError):
    """A trajectory dataset or saved model is missing, unreadable or does not match."""


class ToolError(ArchGymError, RuntimeError):
    """A third-party tool failed (it exited, or crashed on input we gave it).

    ``output`` holds the tail of what the tool printed before failing.
    """

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message if not output else f"{message}; tool output: {output}")
        self.output = output
