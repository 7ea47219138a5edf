"""Run an agent's own numerical work on one thread.

The surrogates and policies of the agents work on small matrices (a GP over at most a few
thousand points, a 3-layer MLP). On such sizes extra BLAS or torch threads buy nothing,
and on a shared machine their spinning slowed a skopt GP fit 10-15x and an Optuna GP ask
about 4x (measured on the 2-core sandbox under load). The limit applies only inside the
``with`` block; the previous settings are restored after it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

_controller = None
_modules_seen = 0


@contextmanager
def single_threaded() -> Iterator[None]:
    """Limit BLAS/OpenMP pools (threadpoolctl) and torch (if imported) to one thread."""
    global _controller, _modules_seen
    # The controller lists the thread pools loaded when it is built; an import since then
    # (torch's OpenMP, say) may have loaded another, so rebuild it after new imports.
    if _controller is None or len(sys.modules) != _modules_seen:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
        _modules_seen = len(sys.modules)
    torch = sys.modules.get("torch")
    torch_threads = torch.get_num_threads() if torch is not None else None
    with _controller.limit(limits=1):
        if torch is not None:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if torch is not None and torch_threads is not None:
                torch.set_num_threads(torch_threads)
