"""Fixtures of the third-party backend tests: skip cleanly when the extra is absent."""

from __future__ import annotations

import pytest

from archgym.simulators.accelerator.workload import Layer, conv


@pytest.fixture(scope="session")
def zigzag_installed() -> None:
    """Skip unless zigzag-dse (the ``thirdparty`` extra) is importable."""
    from archgym.simulators.thirdparty.zigzag import zigzag_available

    if not zigzag_available():
        pytest.skip("zigzag-dse is not installed (pip install 'archgym[thirdparty]')")


@pytest.fixture(scope="session")
def scalesim_installed() -> None:
    """Skip unless scalesim (the ``thirdparty`` extra) is importable."""
    from archgym.simulators.thirdparty.scalesim import scalesim_available

    if not scalesim_available():
        pytest.skip("scalesim is not installed (pip install 'archgym[thirdparty]')")


@pytest.fixture
def tiny_layer() -> Layer:
    """A 3 x 3 convolution small enough for both tools to run in milliseconds."""
    return conv("tiny", K=16, C=8, P=8, R=3)
