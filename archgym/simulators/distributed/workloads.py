"""Transformer models and the training and inference workloads run on them.

A :class:`TransformerModel` is a decoder-only transformer (GPT or LLaMA style);
:class:`TrainingWorkload` adds the global batch and sequence length of one training
step, :class:`InferenceWorkload` the batch, prompt and output lengths of one serving
request batch. Presets (:data:`MODELS`) carry the published shapes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

from archgym.errors import WorkloadError
from archgym.simulator import stable_hash

MLP_KINDS = ("gelu", "swiglu")


def _require_positive_int(where: str, attr: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise WorkloadError(f"{where}: {attr} must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class TransformerModel:
    """Shapes of a decoder-only transformer.

    ``hidden``: model width; ``heads`` attention heads (``kv_heads`` for grouped-query
    attention, default ``heads``); ``ffn_hidden``: MLP width; ``vocab``: vocabulary (input
    embedding rows and output logits); ``mlp``: "gelu" (two matrices) or "swiglu" (three);
    ``bias``: linear layers and norms have biases (GPT) or not (LLaMA); ``dropout``:
    attention and residual dropout are applied (GPT-3 trained with 0.1; LLaMA none);
    ``tied_embeddings``: the output projection reuses the input embedding;
    ``learned_positions``: a ``max_positions`` x ``hidden`` position table (GPT).
    Raises WorkloadError for a non-positive size or an unknown MLP kind.
    """

    name: str
    layers: int
    hidden: int
    heads: int
    ffn_hidden: int
    vocab: int
    kv_heads: int = 0
    mlp: str = "gelu"
    bias: bool = True
    dropout: bool = True
    tied_embeddings: bool = True
    learned_positions: bool = True
    max_positions: int = 2048

    def __post_init__(self) -> None:
        for attr in ("layers", "hidden", "heads", "ffn_hidden", "vocab", "max_positions"):
            _require_positive_int(f"model {self.name!r}", attr, getattr(self, attr))
        if self.kv_heads == 0:
            object.__setattr__(self, "kv_heads", self.heads)
        _require_positive_int(f"model {self.name!r}", "kv_heads", self.kv_heads)
        if self.kv_heads > self.heads or self.heads % self.kv_heads:
            raise WorkloadError(
                f"model {self.name!r}: kv_heads {self.kv_heads} must divide heads {self.heads}"
            )
        if self.mlp not in MLP_KINDS:
            raise WorkloadError(
                f"model {self.name!r}: mlp {self.mlp!r} is not one of {', '.join(MLP_KINDS)}"
            )

    @property
    def kv_hidden(self) -> float:
        """Width of the key (and of the value) projection: kv_heads x head size."""
        return self.hidden * self.kv_heads / self.heads

    @property
    def head_dim(self) -> float:
        return self.hidden / self.heads

    def kv_width(self, ranks: int) -> float:
        """Width of the keys (and of the values) each of ``ranks`` head-splitting ranks
        holds: its share of the KV heads, at least one head (replicated)."""
        return max(self.kv_hidden / ranks, self.head_dim)

    def qkv_width(self, ranks: int) -> float:
        """Width of the fused Q, K, V projection on each of ``ranks`` tensor ranks."""
        return self.hidden / ranks + 2 * self.kv_width(ranks)

    @property
    def mlp_matrices(self) -> int:
        return 3 if self.mlp == "swiglu" else 2

    @property
    def layer_params(self) -> float:
        """Parameters of one transformer layer (attention, MLP, two norms)."""
        h, f = self.hidden, self.ffn_hidden
        attention = h * (h + 2 * self.kv_hidden) + h * h
        mlp = self.mlp_matrices * h * f
        norms = 2 * (2 * h if self.bias else h)
        biases = (h + 2 * self.kv_hidden + h + f + h) if self.bias else 0.0
        return attention + mlp + norms + biases

    @property
    def embedding_params(self) -> float:
        """Input embedding (and position table); the output projection if untied."""
        table = self.vocab * self.hidden
        positions = self.max_positions * self.hidden if self.learned_positions else 0
        head = 0 if self.tied_embeddings else table
        return table + positions + head + (2 * self.hidden if self.bias else self.hidden)

    @property
    def params(self) -> float:
        """All parameters."""
        return self.layers * self.layer_params + self.embedding_params


@dataclass(frozen=True)
class TrainingWorkload:
    """One training step: ``global_batch`` sequences of ``seq_len`` tokens on ``model``."""

    model: TransformerModel
    global_batch: int
    seq_len: int
    name: str = ""

    def __post_init__(self) -> None:
        _require_positive_int("training workload", "global_batch", self.global_batch)
        _require_positive_int("training workload", "seq_len", self.seq_len)
        if not self.name:
            object.__setattr__(self, "name", self.model.name)

    @property
    def tokens(self) -> int:
        return self.global_batch * self.seq_len

    def fingerprint(self) -> str:
        return stable_hash(json.dumps(asdict(self), sort_keys=True))


@dataclass(frozen=True)
class InferenceWorkload:
    """Serving ``batch`` requests of ``prompt_tokens`` each, generating ``output_tokens``.

    Time to first token is the prefill of the prompts; each later token is one decode
    step over the KV cache.
    """

    model: TransformerModel
    batch: int
    prompt_tokens: int
    output_tokens: int
    name: str = ""

    def __post_init__(self) -> None:
        for attr in ("batch", "prompt_tokens", "output_tokens"):
            _require_positive_int("inference workload", attr, getattr(self, attr))
        if not self.name:
            object.__setattr__(self, "name", self.model.name)

    @property
    def mean_context(self) -> float:
        """Average KV-cache length over the decode steps.

        The prefill emits the first token; decode step k (1 .. output - 1) attends over
        prompt + k cached tokens, so the mean is prompt + output / 2 (ArchGym's decoding
        configs use this length: 1,100 for a 1,000-token prompt and 200 outputs).
        """
        return self.prompt_tokens + self.output_tokens / 2

    def fingerprint(self) -> str:
        return stable_hash(json.dumps(asdict(self), sort_keys=True))


# GPT-3: Brown et al. 2020, Table 2.1 (n_layers, d_model, n_heads; context 2048; GPT-2
# vocabulary of 50,257 tokens; d_ff = 4 d_model). LLaMA: Touvron et al. 2023, Table 2,
# with the MLP widths and 32,000-token vocabulary of the released checkpoints; LLaMA-70B
# is Llama 2 70B (Touvron et al. 2023b: grouped-query attention with 8 KV heads, MLP
# 28,672, context 4096).
_GPT = {"mlp": "gelu", "bias": True, "dropout": True, "tied_embeddings": True}
_LLAMA = {
    "mlp": "swiglu",
    "bias": False,
    "dropout": False,
    "tied_embeddings": False,
    "learned_positions": False,
}
MODELS: dict[str, TransformerModel] = {
    "gpt3-175b": TransformerModel("gpt3-175b", 96, 12288, 96, 49152, 50257, **_GPT),
    "gpt3-13b": TransformerModel("gpt3-13b", 40, 5140, 40, 20560, 50257, **_GPT),
    "llama-7b": TransformerModel("llama-7b", 32, 4096, 32, 11008, 32000, **_LLAMA),
    "llama-13b": TransformerModel("llama-13b", 40, 5120, 40, 13824, 32000, **_LLAMA),
    "llama-70b": TransformerModel(
        "llama-70b", 80, 8192, 64, 28672, 32000, kv_heads=8, max_positions=4096, **_LLAMA
    ),
}


def resolve_model(model: TransformerModel | str) -> TransformerModel:
    """A preset name (:data:`MODELS`) or a TransformerModel; WorkloadError otherwise."""
    if isinstance(model, TransformerModel):
        return model
    if isinstance(model, str) and model in MODELS:
        return MODELS[model]
    raise WorkloadError(f"unknown model {model!r}; presets: {', '.join(MODELS)}")


def with_layers(model: TransformerModel, layers: int) -> TransformerModel:
    """The same model with another depth (ArchGym's configs simulate a few stacks)."""
    return replace(model, layers=layers, name=f"{model.name}-{layers}l")
