"""The memory-controller configuration: DRAMSys's ``mcconfig`` knobs plus the write path.

The ten ArchGym/DRAMSys knobs keep their DRAMSys names. The write path and the
transaction queue in front of the scheduler buffer follow DRAMsim3's controller
(``trans_queue_size`` 32 for reads and for writes, writes drained in batches): see
docs/envs/dram.md, "The request path".
"""

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
#: Command multiplexer: DRAMSys's CmdMux Oldest, or DRAMsim3's turn-taking bank queues.
CMD_MUXES = ("Oldest", "RoundRobin")

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
    "CmdMux": "cmd_mux",
    "TransactionQueueSize": "transaction_queue_size",
    "WriteBufferSize": "write_buffer_size",
    "WriteHighWatermark": "write_high_watermark",
    "WriteLowWatermark": "write_low_watermark",
}

_CHOICES = {
    "page_policy": PAGE_POLICIES,
    "scheduler": SCHEDULERS,
    "scheduler_buffer": SCHEDULER_BUFFERS,
    "resp_queue": RESP_QUEUES,
    "refresh_policy": REFRESH_POLICIES,
    "arbiter": ARBITERS,
    "power_down_policy": POWER_DOWN_POLICIES,
    "cmd_mux": CMD_MUXES,
}
#: The largest MaxActiveTransactions: more than any trace of up to a million requests has.
MAX_ACTIVE_TRANSACTIONS = 1 << 20

_RANGES = {
    "request_buffer_size": (1, 1024),
    "refresh_max_postponed": (0, 8),
    "refresh_max_pulledin": (0, 8),
    "max_active_transactions": (1, MAX_ACTIVE_TRANSACTIONS),
    "transaction_queue_size": (1, 1 << 16),
    "write_buffer_size": (1, 1 << 16),
    "write_high_watermark": (1, 1 << 16),
    "write_low_watermark": (0, 1 << 16),
}


@dataclass(frozen=True)
class ControllerConfig:
    """Controller knobs; the defaults are DRAMSys's ``fr_fcfs.json`` configuration, and
    for the request path DRAMsim3's: a 32-entry transaction queue for reads and a
    32-entry write buffer for posted writes, drained when full (high watermark 32)
    down to empty (low watermark 0), or whenever no read is waiting.

    Raises ConfigError naming the field, its value and the allowed values, or the
    watermarks when they do not satisfy low < high <= write_buffer_size.
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
    # DRAMsim3 trans_queue_size (configs/*.ini): reads wait here for the scheduler buffer.
    transaction_queue_size: int = 32
    # DRAMsim3 keeps writes in a second queue of trans_queue_size entries.
    write_buffer_size: int = 32
    # DRAMsim3 Controller::ScheduleTransaction drains when the write buffer is full...
    write_high_watermark: int = 32
    # ...and then empties it (the batch it held).
    write_low_watermark: int = 0
    cmd_mux: str = "Oldest"

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
        if not self.write_low_watermark < self.write_high_watermark <= self.write_buffer_size:
            raise ConfigError(
                f"controller write watermarks: need write_low_watermark "
                f"({self.write_low_watermark}) < write_high_watermark "
                f"({self.write_high_watermark}) <= write_buffer_size ({self.write_buffer_size})"
            )

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
