"""Networks defined in the package: AlexNet, VGG-16, ResNet-18, ResNet-50, MobileNetV2, BERT-base.

Shapes are the published architectures at batch 1 and 224 x 224 input (AlexNet's
convolutions as in TimeloopGym's layer files, 55 x 55 first-layer output). ResNet-50 lists
its 53 convolutions (projection shortcuts included) and the final classifier, 54 layers as
TimeloopGym's files do; MobileNetV2's depthwise convolutions use groups.
"""

from __future__ import annotations

from collections.abc import Callable

from archgym.errors import WorkloadError
from archgym.simulators.accelerator.workload import Layer, Network, conv, gemm


def alexnet() -> Network:
    """AlexNet's five convolutions (TimeloopGym's workload)."""
    return Network(
        "alexnet",
        (
            conv("conv1", 96, 3, 55, R=11, stride=4),
            conv("conv2", 256, 96, 27, R=5),
            conv("conv3", 384, 256, 13, R=3),
            conv("conv4", 384, 384, 13, R=3),
            conv("conv5", 256, 384, 13, R=3),
        ),
    )


def vgg16() -> Network:
    """VGG-16: 13 convolutions (3 x 3, padding 1) and 3 fully connected layers."""
    layers: list[Layer] = []
    plan = [(64, 224), (64, 224), (128, 112), (128, 112)]
    plan += [(256, 56)] * 3 + [(512, 28)] * 3 + [(512, 14)] * 3
    channels = 3
    for i, (k, size) in enumerate(plan, start=1):
        layers.append(conv(f"conv{i}", k, channels, size, R=3))
        channels = k
    layers.append(gemm("fc6", 1, 4096, 512 * 7 * 7))
    layers.append(gemm("fc7", 1, 4096, 4096))
    layers.append(gemm("fc8", 1, 1000, 4096))
    return Network("vgg16", tuple(layers))


def resnet18() -> Network:
    """ResNet-18: stem, 8 basic blocks (3 projection shortcuts) and the classifier."""
    layers = [conv("conv1", 64, 3, 112, R=7, stride=2)]
    channels, size = 64, 56
    for stage, (k, blocks) in enumerate([(64, 2), (128, 2), (256, 2), (512, 2)], start=2):
        for block in range(blocks):
            stride = 2 if (block == 0 and stage > 2) else 1
            out = size // stride
            tag = f"layer{stage}.{block}"
            layers.append(conv(f"{tag}.conv1", k, channels, out, R=3, stride=stride))
            layers.append(conv(f"{tag}.conv2", k, k, out, R=3))
            if stride != 1 or channels != k:
                layers.append(conv(f"{tag}.downsample", k, channels, out, stride=stride))
            channels, size = k, out
    layers.append(gemm("fc", 1, 1000, 512))
    return Network("resnet18", tuple(layers))


def resnet50() -> Network:
    """ResNet-50 (v1.5: stride on the 3 x 3), 53 convolutions and the classifier."""
    layers = [conv("conv1", 64, 3, 112, R=7, stride=2)]
    channels, size = 64, 56
    for stage, (width, blocks) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)], start=2):
        out_ch = 4 * width
        for block in range(blocks):
            stride = 2 if (block == 0 and stage > 2) else 1
            out = size // stride
            tag = f"layer{stage}.{block}"
            layers.append(conv(f"{tag}.conv1", width, channels, size))
            layers.append(conv(f"{tag}.conv2", width, width, out, R=3, stride=stride))
            layers.append(conv(f"{tag}.conv3", out_ch, width, out))
            if block == 0:
                layers.append(conv(f"{tag}.downsample", out_ch, channels, out, stride=stride))
            channels, size = out_ch, out
    layers.append(gemm("fc", 1, 1000, 2048))
    return Network("resnet50", tuple(layers))


def mobilenet_v2() -> Network:
    """MobileNetV2 (width 1.0): stem, 17 inverted residual blocks, 1 x 1 head, classifier."""
    layers = [conv("conv1", 32, 3, 112, R=3, stride=2)]
    channels, size = 32, 112
    # (expansion t, output channels c, repeats n, first stride s), from the MobileNetV2 paper
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2)]
    settings += [(6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    index = 0
    for t, c, n, s in settings:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = channels * t
            out = size // stride
            index += 1
            tag = f"block{index}"
            if t != 1:
                layers.append(conv(f"{tag}.expand", hidden, channels, size))
            layers.append(
                conv(f"{tag}.depthwise", hidden, hidden, out, R=3, stride=stride, groups=hidden)
            )
            layers.append(conv(f"{tag}.project", c, hidden, out))
            channels, size = c, out
    layers.append(conv("conv_last", 1280, channels, size))
    layers.append(gemm("fc", 1, 1000, 1280))
    return Network("mobilenet_v2", tuple(layers))


def bert_base(seq_len: int = 512) -> Network:
    """The GEMMs of one BERT-base encoder layer (hidden 768, 12 heads of 64, FFN 3072).

    Attention score and context products are one GEMM per head, listed as batch N = 12.
    """
    if seq_len < 1:
        raise WorkloadError(f"bert_base: seq_len must be positive, got {seq_len}")
    heads, d_head, hidden, ffn = 12, 64, 768, 3072  # BERT-base (Devlin et al. 2019)
    layers = [
        gemm("q_proj", seq_len, hidden, hidden),
        gemm("k_proj", seq_len, hidden, hidden),
        gemm("v_proj", seq_len, hidden, hidden),
        Layer("attn_scores", N=heads, K=seq_len, C=d_head, P=seq_len, kind="gemm"),
        Layer("attn_context", N=heads, K=d_head, C=seq_len, P=seq_len, kind="gemm"),
        gemm("out_proj", seq_len, hidden, hidden),
        gemm("ffn1", seq_len, ffn, hidden),
        gemm("ffn2", seq_len, hidden, ffn),
    ]
    return Network(f"bert_base_s{seq_len}" if seq_len != 512 else "bert_base", tuple(layers))


NETWORKS: dict[str, Callable[[], Network]] = {
    "alexnet": alexnet,
    "vgg16": vgg16,
    "resnet18": resnet18,
    "resnet50": resnet50,
    "mobilenet_v2": mobilenet_v2,
    "bert_base": bert_base,
}


def _norm(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


_ALIASES = {"bert": "bert_base", "vgg": "vgg16"}


def is_network_name(name: str) -> bool:
    """True when ``name`` names a network of the package (case, '-' and '_' ignored)."""
    key = _norm(name)
    return key in _ALIASES or any(_norm(n) == key for n in NETWORKS)


def get_network(name: str) -> Network:
    """A network defined in the package by name; raises WorkloadError listing the names."""
    key = _norm(name)
    key = _norm(_ALIASES.get(key, key))
    for known, factory in NETWORKS.items():
        if _norm(known) == key:
            return factory()
    raise WorkloadError(f"unknown network {name!r}; expected one of {sorted(NETWORKS)}")
