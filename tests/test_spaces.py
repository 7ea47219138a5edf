from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.errors import ConfigError, InvalidDesignError
from archgym.spaces import Categorical, Constraint, DesignSpace, Integer, Ordinal, Real


@st.composite
def parameters(draw, name: str):
    kind = draw(st.sampled_from(["categorical", "ordinal", "pow2", "integer", "real", "logreal"]))
    if kind == "categorical":
        labels = draw(
            st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=6, unique=True)
        )
        return Categorical(name, labels)
    if kind == "ordinal":
        values = draw(
            st.lists(st.integers(-1000, 1000), min_size=1, max_size=8, unique=True).map(sorted)
        )
        return Ordinal(name, values)
    if kind == "pow2":
        low = draw(st.integers(0, 5))
        return Ordinal.powers_of_two(name, 2**low, 2 ** draw(st.integers(low, 10)))
    if kind == "integer":
        low = draw(st.integers(-50, 50))
        return Integer(name, low, low + draw(st.integers(0, 40)))
    low = draw(st.floats(0.001, 10.0))
    high = low * draw(st.floats(1.01, 1000.0))
    return Real(name, low, high, log=kind == "logreal", levels=draw(st.integers(2, 20)))


@st.composite
def spaces_and_designs(draw):
    count = draw(st.integers(1, 6))
    space = DesignSpace([draw(parameters(f"k{i}")) for i in range(count)])
    indices = [draw(st.integers(0, int(n) - 1)) for n in space.nvec]
    return space, space.from_indices(indices), np.array(indices)


@settings(max_examples=150, deadline=None)
@given(spaces_and_designs())
def test_index_encoding_round_trips(case):
    space, design, indices = case
    assert np.array_equal(space.to_indices(design), indices)
    assert space.from_indices(space.to_indices(design)) == design
    assert space.validate(design) == design


@settings(max_examples=150, deadline=None)
@given(spaces_and_designs(), st.data())
def test_unit_encoding_round_trips(case, data):
    space, design, _ = case
    unit = space.to_unit(design)
    assert np.all((unit >= 0) & (unit <= 1))
    back = space.from_unit(unit)
    for p in space:
        if isinstance(p, Real):
            assert back[p.name] == pytest.approx(design[p.name], rel=1e-9)
        else:
            assert back[p.name] == design[p.name]
    # Any point of the unit cube decodes to a valid design.
    point = data.draw(st.lists(st.floats(0, 1), min_size=len(space), max_size=len(space)))
    space.validate_values(space.from_unit(point))


@settings(max_examples=100, deadline=None)
@given(spaces_and_designs())
def test_out_of_space_value_names_the_knob(case):
    space, design, _ = case
    p = space.parameters[-1]
    bad = "no-such-label" if isinstance(p, Categorical) else 10**9
    with pytest.raises(InvalidDesignError, match=repr(p.name)) as error:
        space.validate({**design, p.name: bad})
    assert repr(bad) in str(error.value)


@settings(max_examples=60, deadline=None)
@given(spaces_and_designs())
def test_gymnasium_spaces_match_encodings(case):
    space, design, _ = case
    assert space.multidiscrete_space().contains(space.to_indices(design))
    assert space.box_space().contains(space.to_unit(design).astype(np.float32))


def test_error_lists_allowed_values():
    space = DesignSpace([Categorical("Scheduler", ["Fifo", "FrFcfs"])])
    with pytest.raises(InvalidDesignError) as error:
        space.validate({"Scheduler": "Lifo"})
    assert "'Scheduler'" in str(error.value) and "'Fifo', 'FrFcfs'" in str(error.value)


def test_missing_and_unknown_knobs_are_named():
    space = DesignSpace([Integer("a", 0, 3), Integer("b", 0, 3)])
    with pytest.raises(InvalidDesignError, match="missing knob.*'b'"):
        space.validate({"a": 1})
    with pytest.raises(InvalidDesignError, match="unknown knob.*'c'"):
        space.validate({"a": 1, "b": 2, "c": 3})


def test_out_of_range_index_names_the_knob():
    space = DesignSpace([Integer("a", 0, 3), Integer("b", 0, 3)])
    with pytest.raises(InvalidDesignError, match="'b': index 4"):
        space.from_indices([0, 4])


def test_powers_of_two_and_size():
    width = Ordinal.powers_of_two("width", 2, 128)
    assert width.values == (2, 4, 8, 16, 32, 64, 128)
    space = DesignSpace([width, Categorical("c", "xyz"), Integer("i", 1, 8)])
    assert space.size == 7 * 3 * 8
    assert math.isinf(DesignSpace([Real("r", 0, 1)]).size)
    with pytest.raises(ConfigError, match="'w'.*not a power of two"):
        Ordinal.powers_of_two("w", 3, 8)


def test_sampling_is_seeded_and_respects_constraints():
    space = DesignSpace(
        [Integer("a", 0, 9), Integer("b", 0, 9)],
        constraints=[Constraint("a < b", lambda d: d["a"] < d["b"])],
    )
    first = space.sample(np.random.default_rng(7), 50)
    assert first == space.sample(np.random.default_rng(7), 50)
    assert all(d["a"] < d["b"] for d in first)
    with pytest.raises(InvalidDesignError, match="violates a < b"):
        space.validate({"a": 5, "b": 5})


def test_unsatisfiable_constraints_raise():
    space = DesignSpace([Integer("a", 0, 1)], [Constraint("never", lambda d: False)])
    with pytest.raises(InvalidDesignError, match="no feasible design"):
        space.sample(np.random.default_rng(0))


def test_neighbours_change_one_knob_by_one_step():
    space = DesignSpace(
        [Categorical("c", ["x", "y", "z"]), Integer("i", 0, 5), Ordinal("o", [1, 10, 100])]
    )
    design = {"c": "x", "i": 0, "o": 10}
    neighbours = space.neighbours(design)
    assert {"c": "y", "i": 0, "o": 10} in neighbours
    assert {"c": "z", "i": 0, "o": 10} in neighbours
    assert {"c": "x", "i": 1, "o": 10} in neighbours
    assert {"c": "x", "i": 0, "o": 1} in neighbours
    assert {"c": "x", "i": 0, "o": 100} in neighbours
    assert len(neighbours) == 5


def test_real_log_grid():
    r = Real("f", 1.0, 1000.0, log=True, levels=4)
    assert [r.value_at(i) for i in range(4)] == pytest.approx([1, 10, 100, 1000])
    assert r.index_of(12.0) == 1
    with pytest.raises(ConfigError, match="log-scaled range needs low > 0"):
        Real("g", 0.0, 1.0, log=True)


def test_schema_describes_every_knob():
    space = DesignSpace([Categorical("c", ["a", "b"], unit="", doc="d"), Integer("i", 0, 2)])
    assert space.schema() == [
        {"name": "c", "kind": "Categorical", "unit": "", "values": ["a", "b"]},
        {"name": "i", "kind": "Integer", "unit": "", "low": 0, "high": 2},
    ]


def test_booleans_are_not_numbers():
    with pytest.raises(InvalidDesignError):
        Integer("i", 0, 3).validate(True)


def test_fractional_index_is_refused():
    space = DesignSpace([Integer("a", 0, 3)])
    assert space.from_indices(np.array([2.0])) == {"a": 2}
    with pytest.raises(InvalidDesignError, match="'a': index 1.5 is not an integer"):
        space.from_indices([1.5])


def test_sample_unseen_finds_the_one_design_left_and_repeats_once_exhausted():
    space = DesignSpace([Integer("a", 0, 3), Categorical("b", ["x", "y"])])
    everything = [{"a": a, "b": b} for a in range(4) for b in "xy"]
    left = {"a": 2, "b": "y"}
    seen = {space.key(d) for d in everything if d != left}
    rng = np.random.default_rng(0)
    picked = space.sample_unseen(rng, lambda d: space.key(d) in seen, len(seen))
    assert picked == left
    # with every design seen, the first draw comes back without further draws
    first = space.sample(np.random.default_rng(1))
    again = space.sample_unseen(np.random.default_rng(1), lambda d: True, space.size)
    assert again == first
    # with no unseen design but a wrong count, it gives up after 1 + tries draws
    calls = []
    space.sample_unseen(rng, lambda d: calls.append(d) or True, 0, tries=5)
    assert len(calls) == 5
