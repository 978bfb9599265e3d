"""The embedded sensor's inference path: a compact BERT encoder in plain torch, no transformers import.

The embedded model is all-MiniLM-L6-v2 (a 6-layer BERT) with our LoRA adapter, pooler and classification head.
Serving it through ``transformers`` + ``peft`` costs about 300 MB of resident memory for their code and the
scikit-learn/pandas stack they import, and a few milliseconds per read in framework overhead; the agent reads one
message per turn, so both matter. This module rebuilds the same network from the same files: the base weights
(sha256-checked) with the adapter's LoRA deltas merged in (``W + (alpha / r) * B @ A``), and the ``tokenizers``
fast tokenizer from the base's ``tokenizer.json``. Training still uses ``transformers``; a test checks that this
path gives the same logits as the ``transformers`` + ``peft`` one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.nn import functional

from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing.base import EmotionSensor, SensorLoadError
from eq_negotiator.sensing.metrics import Calibration, softmax
from eq_negotiator.sensing.perception import (
    HEADS_FILE,
    PerceptionEncoder,
    PerceptionReader,
    group_log_probabilities,
    grouping_matrix,
)

ADAPTER_PREFIX: Final[str] = "base_model.model."
WEIGHTS_FILE: Final[str] = "model.safetensors"
TOKENIZER_FILE: Final[str] = "tokenizer.json"


@dataclass(frozen=True)
class BertShape:
    """The sizes of a BERT encoder (from a ``config.json``)."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BertShape:
        """Read the sizes from a BERT ``config.json``.

        Raises:
            SensorLoadError: If it is not a BERT config with the usual (GELU, absolute position) design.
        """
        if config.get("model_type") != "bert" or config.get("hidden_act", "gelu") != "gelu":
            raise SensorLoadError(f"the compact encoder runs BERT models with GELU; got {config.get('model_type')!r}")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise SensorLoadError("the compact encoder supports absolute position embeddings only")
        return cls(**{name: config[name] for name in cls.__dataclass_fields__})


class _Layer(nn.Module):
    def __init__(self, shape: BertShape) -> None:
        super().__init__()
        hidden, eps = shape.hidden_size, shape.layer_norm_eps
        self.heads = shape.num_attention_heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, shape.intermediate_size)
        self.output = nn.Linear(shape.intermediate_size, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        return x.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        batch, length, hidden = x.shape
        context = functional.scaled_dot_product_attention(
            self._split(self.query(x)), self._split(self.key(x)), self._split(self.value(x)), attn_mask=mask
        )
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        attended = self.attention_norm(self.attention_output(context) + x)
        result: torch.Tensor = self.output_norm(self.output(functional.gelu(self.intermediate(attended))) + attended)
        return result


class CompactBertClassifier(nn.Module):
    """BERT encoder + pooler + linear head, numerically the same as ``BertForSequenceClassification`` in eval mode.

    Args:
        shape: Encoder sizes.
        num_labels: Outputs of the head.
    """

    def __init__(self, shape: BertShape, num_labels: int) -> None:
        super().__init__()
        hidden = shape.hidden_size
        self.word_embeddings = nn.Embedding(shape.vocab_size, hidden)
        self.position_embeddings = nn.Embedding(shape.max_position_embeddings, hidden)
        self.token_type_embeddings = nn.Embedding(shape.type_vocab_size, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=shape.layer_norm_eps)
        self.layers = nn.ModuleList(_Layer(shape) for _ in range(shape.num_hidden_layers))
        self.pooler = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, num_labels)
        self.max_positions = shape.max_position_embeddings

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Return ``(batch, num_labels)`` logits; ``attention_mask`` is 1 for tokens, 0 for padding."""
        logits: torch.Tensor = self.classifier(self.encode(input_ids, attention_mask)[0])
        return logits

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        """The normalised input embeddings (word + position + token type), ``(batch, length, hidden)``."""
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings.weight[0]
        result: torch.Tensor = self.embedding_norm(x)
        return result

    def encode(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the pooled ``[CLS]`` vector and the mean of the token vectors, each ``(batch, hidden)``.

        The pooled vector feeds the emotion head the encoder was fine-tuned with; the mean of the token vectors
        keeps more of what the message is about, which the perception heads (:mod:`perception`) also read.
        """
        return self.pool(self.hidden(input_ids, attention_mask), attention_mask)

    def hidden(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """The last layer's token vectors, ``(batch, length, hidden)``."""
        x = self.embed(input_ids)
        # Boolean mask over keys (True = attend), broadcast over heads and queries; None when nothing is padded.
        mask = None if attention_mask is None else attention_mask.bool()[:, None, None, :]
        for layer in self.layers:
            x = layer(x, mask)
        return x

    def pool(self, x: torch.Tensor, attention_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The pooled ``[CLS]`` vector and the mean token vector of :meth:`hidden`'s output (see :meth:`encode`)."""
        pooled = torch.tanh(self.pooler(x[:, 0]))
        if attention_mask is None:
            mean = x.mean(dim=1)
        else:
            weights = attention_mask.to(x.dtype)[:, :, None]
            mean = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return pooled, mean


def pad_token_rows(rows: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token id rows as a zero-padded ``(n, width)`` id tensor and its attention mask (1 = token)."""
    width = max(len(row) for row in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(list(row), dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids, mask


# Where each compact parameter comes from in a Hugging Face BERT checkpoint (``{i}`` = layer index).
_EMBEDDING_NAMES: Final[dict[str, str]] = {
    "word_embeddings.weight": "embeddings.word_embeddings.weight",
    "position_embeddings.weight": "embeddings.position_embeddings.weight",
    "token_type_embeddings.weight": "embeddings.token_type_embeddings.weight",
    "embedding_norm.weight": "embeddings.LayerNorm.weight",
    "embedding_norm.bias": "embeddings.LayerNorm.bias",
}
_LAYER_NAMES: Final[dict[str, str]] = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attention_output": "attention.output.dense",
    "attention_norm": "attention.output.LayerNorm",
    "intermediate": "intermediate.dense",
    "output": "output.dense",
    "output_norm": "output.LayerNorm",
}


def _hf_name(name: str) -> str:
    """The Hugging Face ``BertModel`` parameter name for a compact parameter name."""
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    if name.startswith("layers."):
        _, index, module, kind = name.split(".")
        return f"encoder.layer.{index}.{_LAYER_NAMES[module]}.{kind}"
    if name.startswith("pooler."):
        return f"pooler.dense.{name.split('.')[-1]}"
    return name  # classifier.weight / classifier.bias


def load_compact_classifier(base_dir: Path, adapter_dir: Path) -> CompactBertClassifier:
    """Build the classifier from a BERT base folder and a LoRA adapter folder written by ``eqn emotion train``.

    Args:
        base_dir: Folder with ``config.json`` and ``model.safetensors`` (already integrity-checked).
        adapter_dir: Folder with ``adapter_config.json`` and ``adapter_model.safetensors``.

    Returns:
        The model in eval mode with LoRA merged.

    Raises:
        SensorLoadError: If a file is missing, the adapter is not a plain LoRA adapter, or a weight is missing or
            has the wrong shape.
    """
    from safetensors.torch import load_file

    try:
        shape = BertShape.from_config(json.loads((base_dir / "config.json").read_text(encoding="utf-8")))
        adapter_config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
        base = load_file(str(base_dir / WEIGHTS_FILE))
        adapter = {
            key.removeprefix(ADAPTER_PREFIX).removeprefix("bert."): tensor
            for key, tensor in load_file(str(adapter_dir / "adapter_model.safetensors")).items()
        }
    except (OSError, json.JSONDecodeError, KeyError) as error:
        raise SensorLoadError(f"cannot read the embedded model files ({error})") from error
    if adapter_config.get("peft_type") != "LORA" or adapter_config.get("use_dora") or adapter_config.get("use_rslora"):
        raise SensorLoadError("the compact encoder merges plain LoRA adapters only")
    scaling = float(adapter_config["lora_alpha"]) / float(adapter_config["r"])
    num_labels = int(adapter["classifier.weight"].shape[0])
    # Copied into fresh parameters rather than adopted (assign=True): adopting would keep the loaded file's
    # buffers alive, including the pre-merge weights, and measured 80 MB more resident memory.
    model = CompactBertClassifier(shape, num_labels)
    state: dict[str, torch.Tensor] = {}
    for name, parameter in model.state_dict().items():
        source = _hf_name(name)
        # Modules saved whole with the adapter (pooler, head) replace the base's; the rest come from the base.
        tensor = adapter.get(source, base.get(source))
        if tensor is None:
            raise SensorLoadError(f"weight {source} is in neither the base nor the adapter")
        if source.endswith(".weight"):
            stem = source.removesuffix(".weight")
            lora_a, lora_b = adapter.get(f"{stem}.lora_A.weight"), adapter.get(f"{stem}.lora_B.weight")
            if lora_a is not None and lora_b is not None:
                tensor = tensor + scaling * (lora_b.float() @ lora_a.float())
        if tensor.shape != parameter.shape:
            raise SensorLoadError(f"weight {source} has shape {tuple(tensor.shape)}, expected {tuple(parameter.shape)}")
        state[name] = tensor.float()
    model.load_state_dict(state, strict=True)
    return model.eval()


def _load_heads(adapter_dir: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    path = adapter_dir / HEADS_FILE
    try:
        heads = load_file(str(path))
    except OSError as error:
        raise SensorLoadError(f"cannot read the perception heads {path} ({error})") from error
    missing = {"rights.weight", "rights.bias", "guard.weight", "guard.bias"} - set(heads)
    if missing:
        raise SensorLoadError(f"the perception heads {path} lack {', '.join(sorted(missing))}")
    return {key: value.float() for key, value in heads.items()}


class CompactSensor(EmotionSensor):
    """The embedded sensor served by :class:`CompactBertClassifier` and a ``tokenizers`` tokenizer.

    Args:
        base_dir: The verified all-MiniLM-L6-v2 folder.
        adapter_dir: The embedded adapter folder (with ``eqn_sensor.json``).
        sensor_config: The parsed, manifest-checked ``eqn_sensor.json``.
        spec: Spec string to report.
        batch_size: Utterances per forward pass in :meth:`read_many`.
        threads: Torch CPU threads; ``None`` leaves torch's default.
    """

    def __init__(
        self,
        base_dir: Path,
        adapter_dir: Path,
        sensor_config: Mapping[str, Any],
        *,
        spec: str = "embedded",
        batch_size: int = 64,
        threads: int | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        if threads:
            torch.set_num_threads(threads)
        self.spec = spec
        self.batch_size = batch_size
        self.model = load_compact_classifier(base_dir, adapter_dir)
        self.max_length = min(int(sensor_config["max_length"]), self.model.max_positions)
        self.calibration = (
            Calibration.from_dict(sensor_config["calibration"]) if "calibration" in sensor_config else None
        )
        try:
            self.tokenizer = Tokenizer.from_file(str(base_dir / TOKENIZER_FILE))
            self._counter = Tokenizer.from_file(str(base_dir / TOKENIZER_FILE))
        except Exception as error:  # tokenizers raises a bare Exception for unreadable files
            raise SensorLoadError(f"cannot read {base_dir / TOKENIZER_FILE} ({error})") from error
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self._counter.no_padding()
        self._counter.no_truncation()
        # Format 2 (the perception model): a fine-label head read through a grouping, plus the rights and
        # compliance heads that share the encoder pass. Format 1: a seven-label head alone.
        self.perception: PerceptionEncoder | None = None
        self._grouping: NDArray[np.float64] | None = None
        if "fine_labels" in sensor_config:
            self._grouping = grouping_matrix(sensor_config["grouping"])
            if self.model.classifier.out_features != len(sensor_config["fine_labels"]):
                raise SensorLoadError("the embedded head does not match the fine labels of its eqn_sensor.json")
            self.perception = PerceptionEncoder(self.model, _load_heads(adapter_dir), self._counter, self.max_length)
            self.reader: PerceptionReader | None = PerceptionReader(
                self.perception, sensor_config["rights_thresholds"], sensor_config["violation_thresholds"]
            )
        else:
            self.reader = None
        if self.perception is None and self.model.classifier.out_features != len(LABELS):
            raise SensorLoadError(f"the embedded head has {self.model.classifier.out_features} outputs, expected 7")

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, truncated to :attr:`max_length` (special tokens included)."""
        return [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]

    @torch.inference_mode()
    def logits(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Raw ``(n, 7)`` logits in :data:`LABELS` order (log grouped probabilities for a fine-label head)."""
        from eq_negotiator.sensing.training import _batches

        if self.perception is not None and self._grouping is not None:
            # The pass is cached: the rights check that reads this message next costs no second pass.
            return group_log_probabilities(self.fine_logits(texts), self._grouping)

        encoded = self.encode(texts)
        output = np.zeros((len(encoded), len(LABELS)), dtype=np.float64)
        if len(encoded) == 1:  # one message per turn: no padding, no mask
            output[0] = self.model(torch.tensor(encoded, dtype=torch.long)).numpy()[0]
            return output
        for index in _batches([len(ids) for ids in encoded], self.batch_size):
            output[index] = self.model(*pad_token_rows([encoded[i] for i in index])).numpy()
        return output

    def fine_logits(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """``(n, 28)`` logits over GoEmotions' fine labels (perception models only).

        Raises:
            SensorLoadError: If the model has a seven-label head (format 1).
        """
        if self.perception is None:
            raise SensorLoadError("this embedded model has a seven-label head, not fine labels")
        features = self.perception.features(list(texts))
        return np.array([f.fine_logits for f in features]).reshape(len(texts), -1)

    def _truncation_mask(self, texts: list[str]) -> NDArray[np.bool_]:
        if self.perception is not None:
            return np.array([self.perception.is_truncated(text) for text in texts], dtype=bool)
        mask = np.zeros(len(texts), dtype=bool)
        for i, text in enumerate(texts):
            # Tokens rarely outnumber characters by 3x (+ specials); only text that might be too long is counted.
            if 3 * len(text) + 4 > self.max_length:
                mask[i] = len(self._counter.encode(text).ids) > self.max_length
        return mask

    def _probabilities(self, texts: list[str]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        logits = self.logits(texts)
        probabilities = self.calibration.apply(logits) if self.calibration else softmax(logits)
        return probabilities, self._truncation_mask(texts)


__all__ = ["BertShape", "CompactBertClassifier", "CompactSensor", "load_compact_classifier", "pad_token_rows"]
