"""Loop nests: validation, Timeloop-style construction, template conversion."""

from __future__ import annotations

import pytest

from archgym.errors import InvalidDesignError
from archgym.simulators.accelerator import (
    Layer,
    LoopNest,
    Mapping,
    evaluate,
    eyeriss_like,
    timeloop_reference,
)


def test_nests_drop_unit_loops_and_check_cuts():
    nest = LoopNest(((("K", 2), ("C", 1)), ()), (("P", 1), ("C", 4)), ((0, 1), (1, 1), (1, 1)))
    assert nest.spatial == ((("K", 2),), ()) and nest.temporal == (("C", 4),)
    with pytest.raises(InvalidDesignError, match="must be non-decreasing"):
        LoopNest(((),), (("C", 4), ("P", 2)), ((2, 1), (2,), (2,)))
    with pytest.raises(InvalidDesignError, match="end at 2"):
        LoopNest(((),), (("C", 4), ("P", 2)), ((1,), (2,), (2,)))
    with pytest.raises(InvalidDesignError, match="unknown loop dim 'Z'"):
        LoopNest(((),), (("Z", 4),), ((1,), (1,), (1,)))


def test_check_against_layer_and_arch():
    arch = eyeriss_like()
    layer = Layer("l", K=4, C=4, P=4)
    cuts = tuple((0,) * (len(c) - 1) + (2,) for c in arch.chains)
    short = LoopNest(((("K", 4),),), (("C", 4), ("P", 2)), cuts)
    with pytest.raises(InvalidDesignError, match="unrolls 1 array dimensions"):
        short.check(layer, arch)
    uncovered = LoopNest(((("K", 4),), ()), (("C", 4), ("P", 2)), cuts)
    with pytest.raises(InvalidDesignError, match="covers P=2 of the layer's P=4"):
        evaluate(layer, arch, uncovered)
    wrong_dim = LoopNest(((("C", 4),), ()), (("K", 4), ("P", 4)), cuts)
    with pytest.raises(InvalidDesignError, match="may unroll \\['K', 'Q'\\], not \\['C'\\]"):
        evaluate(layer, arch, wrong_dim)


def test_template_mapping_equals_its_loop_nest_and_level_loops():
    arch = timeloop_reference()
    layer = Layer("l", K=8, C=3, P=14, Q=14, R=3, S=3)
    mapping = Mapping.from_levels(
        layer,
        pe={"R": 3, "K": 2},
        x={"Q": 14},
        y={"C": 3, "S": 3},
        glb={"P": 14},
        glb_order="PNGKCQRS",
    )
    nest = mapping.loop_nest(layer, arch)
    assert nest.temporal == (("K", 2), ("R", 3), ("P", 14), ("K", 4))
    assert nest.spatial == ((("Q", 14),), (("C", 3), ("S", 3)))
    # inputs: ifmap spad holds the PE loops, the glb adds P14; weights bypass the glb
    assert nest.cuts == ((2, 4), (2, 3, 4), (2, 3, 4))
    by_level = LoopNest.from_level_loops(
        arch,
        nest.spatial,
        {"weights_spad": [("K", 2), ("R", 3)], "shared_glb": [("P", 14)], "dram": [("K", 4)]},
    )
    assert by_level == nest
    assert evaluate(layer, arch, mapping).energy_pj == evaluate(layer, arch, nest).energy_pj
    text = nest.describe(arch)
    assert "shared_glb: I: P14; O: P14" in text and "spatial D2: C3 S3" in text
