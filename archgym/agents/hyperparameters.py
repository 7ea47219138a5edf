"""Declarative hyperparameter specs shared by every agent.

Each agent lists its hyperparameters as :class:`HyperParameter` entries. The base class
resolves constructor keywords against that list once: unknown names and bad values raise
:class:`archgym.errors.ConfigError` naming the agent and the parameter.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from archgym.errors import ConfigError

#: A check returns ``None`` for a valid value, else a phrase "must be ..." describing it.
Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class HyperParameter:
    """One agent hyperparameter.

    ``check`` returns ``None`` when a value is acceptable, else a short phrase such as
    ``"a positive integer"`` naming what was expected. ``archgym`` names the
    counterpart in the ArchGym reference implementation (empty when there is none).
    """

    name: str
    default: Any
    doc: str
    check: Check = field(default=lambda value: None, repr=False, compare=False)
    archgym: str = ""


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def positive_int(value: Any) -> str | None:
    return None if _is_int(value) and value > 0 else "a positive integer"


def non_negative_int(value: Any) -> str | None:
    return None if _is_int(value) and value >= 0 else "a non-negative integer"


def optional_positive_int(value: Any) -> str | None:
    return None if value is None or (_is_int(value) and value > 0) else "None or a positive integer"


def probability(value: Any) -> str | None:
    return None if _is_real(value) and 0.0 <= value <= 1.0 else "a number in [0, 1]"


def positive_float(value: Any) -> str | None:
    return None if _is_real(value) and value > 0 else "a positive number"


def non_negative_float(value: Any) -> str | None:
    return None if _is_real(value) and value >= 0 else "a non-negative number"


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "True or False"


def one_of(*options: Any) -> Check:
    """A check accepting exactly the given options."""

    def check(value: Any) -> str | None:
        return None if value in options else "one of " + ", ".join(repr(o) for o in options)

    return check


def resolve(agent: str, specs: Sequence[HyperParameter], given: dict[str, Any]) -> dict[str, Any]:
    """Merge ``given`` keywords over the defaults of ``specs`` and validate every value.

    Raises ConfigError naming ``agent`` and the offending parameter for an unknown name or
    a value its check rejects.
    """
    known = {spec.name: spec for spec in specs}
    unknown = sorted(set(given) - set(known))
    if unknown:
        expected = ", ".join(known) or "none"
        raise ConfigError(
            f"agent {agent!r}: unknown hyperparameter {unknown[0]!r} (expected one of: {expected})"
        )
    values = {name: spec.default for name, spec in known.items()}
    values.update(given)
    for name, value in values.items():
        problem = known[name].check(value)
        if problem is not None:
            raise ConfigError(
                f"agent {agent!r}: hyperparameter {name!r} must be {problem}, got {value!r}"
            )
    return values
