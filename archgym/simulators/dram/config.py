"""The memory-controller configuration: DRAMSys's ``mcconfig`` knobs as a frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from archgym.errors import ConfigError

PAGE_POLICIES = ("Open", "OpenAdaptive", "Closed", "ClosedAdaptive")
SCHEDULERS = ("Fifo", "FrFcfs", "FrFcfsGrp")
SCHEDULER_BUFFERS = ("Bankwise", "ReadWrite", "Shared")
RESP_QUEUES = ("Fifo", "Reorder")
REFRESH_POLICIES = ("NoRefresh", "AllBank", "PerBank")
#: ArchGym's value set of RefreshPolicy (PerBank needs a memspec that has it: LPDDR4).
ARCHGYM_REFRESH_POLICIES = ("NoRefresh", "AllBank")
ARBITERS = ("Simple", "Fifo", "Reorder")
POWER_DOWN_POLICIES = ("NoPowerDown", "Staggered")

#: DRAMSys knob name -> ControllerConfig field.
KNOB_FIELDS = {
    "PagePolicy": "page_policy",
    "Scheduler": "scheduler",
    "SchedulerBuffer": "scheduler_buffer",
    "RequestBufferSize": "request_buffer_size",
    "RespQueue": "resp_queue",
    "RefreshPolicy": "refresh_policy",
    "RefreshMaxPostponed": "refresh_max_postponed",
    "RefreshMaxPulledin": "refresh_max_pulledin",
    "Arbiter": "arbiter",
    "MaxActiveTransactions": "max_active_transactions",
    "PowerDownPolicy": "power_down_policy",
}

_CHOICES = {
    "page_policy": PAGE_POLICIES,
    "scheduler": SCHEDULERS,
    "scheduler_buffer": SCHEDULER_BUFFERS,
    "resp_queue": RESP_QUEUES,
    "refresh_policy": REFRESH_POLICIES,
    "arbiter": ARBITERS,
    "power_down_policy": POWER_DOWN_POLICIES,
}
_RANGES = {
    "request_buffer_size": (1, 1024),
    "refresh_max_postponed": (0, 8),
    "refresh_max_pulledin": (0, 8),
    "max_active_transactions": (1, 1 << 20),
}


@dataclass(frozen=True)
class ControllerConfig:
    """Controller knobs; the defaults are DRAMSys's ``fr_fcfs.json`` configuration.

    Raises ConfigError naming the field, its value and the allowed values.
    """

    page_policy: str = "Open"
    scheduler: str = "FrFcfs"
    scheduler_buffer: str = "Bankwise"
    request_buffer_size: int = 8
    resp_queue: str = "Fifo"
    refresh_policy: str = "AllBank"
    refresh_max_postponed: int = 0
    refresh_max_pulledin: int = 0
    arbiter: str = "Simple"
    max_active_transactions: int = 128
    power_down_policy: str = "NoPowerDown"

    def __post_init__(self) -> None:
        for name, choices in _CHOICES.items():
            if getattr(self, name) not in choices:
                raise ConfigError(
                    f"controller {name}: {getattr(self, name)!r} is not one of {', '.join(choices)}"
                )
        for name, (low, high) in _RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or not low <= value <= high:
                raise ConfigError(
                    f"controller {name}: {value!r} is not an integer in [{low}, {high}]"
                )
            object.__setattr__(self, name, int(value))

    @classmethod
    def from_design(
        cls, design: dict[str, Any], base: ControllerConfig | None = None
    ) -> ControllerConfig:
        """Override ``base`` (default: DRAMSys defaults) with the knobs of ``design``.

        Keys are DRAMSys knob names (``PagePolicy``...); other keys are ignored. Raises
        ConfigError for a knob value outside its allowed set.
        """
        overrides = {field: design[knob] for knob, field in KNOB_FIELDS.items() if knob in design}
        return replace(base or cls(), **overrides)

    def to_design(self) -> dict[str, Any]:
        """This config as a design dict keyed by DRAMSys knob names."""
        return {knob: getattr(self, field) for knob, field in KNOB_FIELDS.items()}
