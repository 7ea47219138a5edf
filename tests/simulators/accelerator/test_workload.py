from __future__ import annotations

import pytest

from archgym.errors import WorkloadError
from archgym.simulators.accelerator import (
    Layer,
    alexnet,
    bert_base,
    conv,
    gemm,
    get_network,
    mobilenet_v2,
    read_gamma_csv,
    read_timeloop_directory,
    read_timeloop_problem,
    resnet18,
    resnet50,
    vgg16,
)


def test_conv_groups_split_channels():
    layer = conv("dw", 32, 32, 112, R=3, stride=2, groups=32)
    assert (layer.G, layer.K, layer.C) == (32, 1, 1)
    assert layer.macs == 32 * 112 * 112 * 9
    assert layer.input_h == 111 * 2 + 2 + 1


def test_gemm_as_layer():
    layer = gemm("g", M=4, N=5, K=6)
    assert (layer.P, layer.K, layer.C, layer.Q) == (4, 5, 6, 1)
    assert layer.macs == 120
    assert layer.weight_words == 30 and layer.input_words == 24 and layer.output_words == 20


@pytest.mark.parametrize("bad", [{"K": 0}, {"C": -1}, {"stride_h": 0}, {"P": 1.5}])
def test_layer_rejects_bad_sizes(bad):
    with pytest.raises(WorkloadError, match="positive integer"):
        Layer("x", **bad)


def test_conv_rejects_indivisible_groups():
    with pytest.raises(WorkloadError, match="groups"):
        conv("x", 30, 32, 8, groups=4)


@pytest.mark.parametrize(
    ("factory", "layers", "gmacs"),
    [
        # published MAC counts at 224 x 224: ResNet-50 4.09 G, ResNet-18 1.81 G,
        # VGG-16 15.47 G, MobileNetV2 0.30 G
        (resnet50, 54, 4.09),
        (resnet18, 21, 1.81),
        (vgg16, 16, 15.47),
        (mobilenet_v2, 53, 0.30),
    ],
)
def test_network_mac_counts_match_published(factory, layers, gmacs):
    net = factory()
    assert len(net) == layers
    assert net.macs / 1e9 == pytest.approx(gmacs, rel=0.02)


def test_alexnet_and_bert():
    assert len(alexnet()) == 5
    bert = bert_base()
    # 4 projections + 2 FFN GEMMs + 12 heads of scores and context, seq 512, hidden 768
    expected = 4 * 512 * 768 * 768 + 2 * 512 * 768 * 3072 + 2 * 12 * 512 * 512 * 64
    assert bert.macs == expected


def test_get_network_names_and_error():
    assert get_network("ResNet-50").name == "resnet50"
    with pytest.raises(WorkloadError, match="unknown network"):
        get_network("lenet")


def test_fingerprint_ignores_names_but_not_shapes():
    a = alexnet()
    renamed = type(a)("other", tuple(Layer(f"l{i}", **_dims(x)) for i, x in enumerate(a)))
    assert renamed.fingerprint() == a.fingerprint()
    assert resnet50().fingerprint() != a.fingerprint()


def _dims(layer):
    names = ("N", "G", "K", "C", "P", "Q", "R", "S", "stride_h", "stride_w")
    return {k: getattr(layer, k) for k in names}


def test_read_timeloop_directory_matches_package_resnet50(accel_data):
    net = read_timeloop_directory(accel_data / "timeloop_layer_shapes" / "resnet50")
    assert len(net) == 54
    ours = resnet50()
    # same multiset of shapes (the files order the shortcut differently)
    assert sorted(x.shape_key() for x in net) == sorted(x.shape_key() for x in ours)


def test_read_timeloop_problem_alexnet_layer1(accel_data):
    layer = read_timeloop_problem(accel_data / "timeloop_layer_shapes/AlexNet/AlexNet_layer1.yaml")
    assert layer.shape_key() == alexnet().layers[0].shape_key()


def test_read_timeloop_problem_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("problem:\n  instance:\n    C: 3\n")
    with pytest.raises(WorkloadError, match="bad.yaml.*lacks dimension"):
        read_timeloop_problem(bad)
    with pytest.raises(WorkloadError, match="missing.yaml"):
        read_timeloop_problem(tmp_path / "missing.yaml")


def test_read_gamma_csv_conv_dsconv_gemm(accel_data):
    r18 = read_gamma_csv(accel_data / "gamma_models" / "resnet18.csv")
    first = r18.layers[0]  # 64,3,224,224,7,7,1: MAESTRO's valid convolution, stride 1
    assert (first.K, first.C, first.P, first.R) == (64, 3, 218, 7)
    mb = read_gamma_csv(accel_data / "gamma_models" / "mobilenet_v2.csv")
    dw = mb.layers[1]  # 1,32,112,112,3,3,2
    assert (dw.G, dw.K, dw.C, dw.P) == (32, 1, 1, 110)
    bert = read_gamma_csv(accel_data / "gamma_models" / "BERT_m.csv")
    assert (bert.layers[0].P, bert.layers[0].K, bert.layers[0].C) == (512, 768, 768)


def test_read_gamma_csv_names_file_and_line(accel_data):
    # the shipped example has a malformed row: "32,32,16,16.1,1,1" (6 columns)
    with pytest.raises(WorkloadError, match=r"example\.csv, line 2: expected 7 columns"):
        read_gamma_csv(accel_data / "gamma_models" / "example.csv")


def test_read_gamma_csv_bad_cell(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("K,C,Y,X,R,S,T\n4,4,8,8,3,3,1\n4,x,8,8,3,3,1\n")
    with pytest.raises(WorkloadError, match=r"m\.csv, line 3: column C 'x' is not an integer"):
        read_gamma_csv(path)
    path.write_text("K,C,Y,X,R,S,T\n4,4,8,8,3,3,9\n")
    with pytest.raises(WorkloadError, match="line 2: unknown layer type T=9"):
        read_gamma_csv(path)
