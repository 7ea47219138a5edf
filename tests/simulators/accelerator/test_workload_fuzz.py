"""Timeloop problem and mapping YAML and GAMMA CSV readers on random and mutated files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.errors import InvalidDesignError, WorkloadError
from archgym.simulators.accelerator.mapping import Mapping, read_timeloop_map
from archgym.simulators.accelerator.workload import (
    Layer,
    Network,
    conv,
    read_gamma_csv,
    read_timeloop_problem,
)
from tests.fuzzing import FUZZ_SETTINGS, check_reader, head, mutated

# The reference layer of the Timeloop eyeriss_like run (REFERENCES.md s3).
REFERENCE_LAYER = conv("reference", K=32, C=3, P=112, R=3, stride=2)


@pytest.mark.parametrize("layer", ["AlexNet/AlexNet_layer1.yaml", "resnet50/resnet50_layer2.yaml"])
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_timeloop_problem(shared_data, tmp_path, layer, data):
    original = (shared_data / "accelerator/timeloop_layer_shapes" / layer).read_bytes()
    path = tmp_path / "mutated.yaml"
    path.write_bytes(data.draw(mutated(original)))
    result = check_reader(read_timeloop_problem, path, WorkloadError)
    assert result is None or isinstance(result, Layer)


@pytest.mark.parametrize("model", ["resnet18.csv", "mobilenet_v2.csv", "BERT_m.csv"])
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_gamma_csv(shared_data, tmp_path, model, data):
    original = head((shared_data / "accelerator/gamma_models" / model).read_bytes(), 12)
    path = tmp_path / "mutated.csv"
    path.write_bytes(data.draw(mutated(original)))
    result = check_reader(read_gamma_csv, path, WorkloadError)
    assert result is None or isinstance(result, Network)


@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_timeloop_mapping(shared_data, tmp_path, data):
    reference = shared_data / "accelerator/timeloop_eyeriss_like_reference"
    path = tmp_path / "mutated.map.yaml"
    path.write_bytes(data.draw(mutated((reference / "timeloop-mapper.map.yaml").read_bytes())))
    result = check_reader(
        lambda p: read_timeloop_map(p, REFERENCE_LAYER), path, (WorkloadError, InvalidDesignError)
    )
    assert result is None or isinstance(result, Mapping)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("problem:\n  instance:\n    3\n", "no 'problem: instance:' mapping"),
        ("problem:\n  instance: {C: 3, M: 2, P: 1, Q: 1, R: 1, S: 1, N: 1.5}\n", "N=1.5"),
        ("problem: [\n", ":2: not valid YAML"),
        ("problem:\n  date: 2001-13-45\n", "not valid YAML (ValueError"),
        ("a: &a [*a]\n", "an anchor refers to itself"),
    ],
)
def test_malformed_timeloop_problem_names_the_file(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(WorkloadError) as info:
        read_timeloop_problem(path)
    assert str(path) in str(info.value) and expected in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mapping:\n  - just text\n", "mapping[0]: expected a mapping of target"),
        ("mapping:\n  - {target: DRAM, type: temporal, factors: M1" + "9" * 30 + "}\n", "factor"),
        ("mapping:\n  - {target: DRAM, type: spatial, factors: M2, split: x}\n", "split"),
        ("mapping: []\n", "mapping covers K=1 of the layer's K=32"),
    ],
)
def test_malformed_timeloop_mapping_names_the_file(tmp_path, text, expected):
    path = tmp_path / "bad.map.yaml"
    path.write_text(text)
    with pytest.raises((WorkloadError, InvalidDesignError)) as info:
        read_timeloop_map(path, REFERENCE_LAYER)
    assert str(path) in str(info.value) and expected in str(info.value)
