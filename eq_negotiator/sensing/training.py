"""Fine-tuning a Hugging Face encoder or decoder into a seven-label emotion classifier.

This is the pipeline of the EQ-Negotiator paper (pre-trained language models fine-tuned to read a client's
emotion), done on the full seven labels with a class-weighted loss. It works for any base that
``AutoModelForSequenceClassification`` supports (BERT family, RoBERTa, DeBERTa, GPT-2), with LoRA adapters
(small outputs, the default) or full fine-tuning.

The output folder is what ``hf:<folder>`` loads: the model or adapter, the tokenizer, ``eqn_sensor.json``
(labels, calibration, settings), ``metrics.json`` and ``MODEL_CARD.md``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import platform
import random
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing.base_model import EMBEDDED_BASE_ALIAS, resolve_base, sha256_of
from eq_negotiator.sensing.data import (
    ColumnOptions,
    DataSplits,
    EmotionDataset,
    MultiLabelRule,
    load_data,
    train_validation_split,
)
from eq_negotiator.sensing.metrics import Calibration, classification_report, fit_calibration

logger = logging.getLogger(__name__)

SENSOR_CONFIG_FILE = "eqn_sensor.json"
METRICS_FILE = "metrics.json"
MODEL_CARD_FILE = "README.md"  # the Hugging Face convention for a model card
SENSOR_FORMAT_VERSION = 1

# Heads that must be trained in full rather than through a low-rank adapter.
_HEAD_MODULES = ("pooler",)


@dataclass
class TrainConfig:
    """Settings of one fine-tuning run (every field is recorded in the output).

    Attributes:
        base: Hugging Face id or local path of the pre-trained model (``embedded-base`` = verified MiniLM).
        data: Data spec of the training data (see :mod:`eq_negotiator.sensing.data`).
        out: Output folder.
        epochs: Passes over the training data.
        lr: Peak learning rate; ``None`` picks 5e-4 for LoRA and 5e-5 for full fine-tuning.
        batch_size: Examples per optimisation step.
        max_length: Token limit per utterance (longer text is truncated).
        seed: Seed for shuffling, initialisation and dropout.
        lora: Train LoRA adapters (``True``) or every weight (``False``).
        lora_rank: Rank of the LoRA adapters.
        class_weights: Weight the loss by smoothed inverse class frequency.
        class_weight_power: Exponent of the inverse frequency (1 = fully balanced, 0.5 = square root).
        multi_label: Rule for rows with several labels.
        extra_train: More data specs whose rows are added to the training data.
        validation_fraction: Share of the training data held out when the spec has no validation split.
        tune_bias: Fit per-class logit offsets for macro-F1 on validation data.
        warmup_fraction: Share of steps with a linearly rising learning rate.
        weight_decay: AdamW weight decay.
        columns: Column names and label map for CSV/JSONL/Hugging Face data.
        max_train_rows: Use at most this many training rows (for quick trials); ``None`` uses all.
        threads: Torch CPU threads; ``None`` leaves torch's default.
    """

    base: str
    data: str
    out: Path
    epochs: int = 4
    lr: float | None = None
    batch_size: int = 32
    max_length: int = 64
    seed: int = 13
    lora: bool = True
    lora_rank: int = 16
    class_weights: bool = True
    class_weight_power: float = 0.5
    multi_label: MultiLabelRule = MultiLabelRule.SOFT
    extra_train: list[str] = field(default_factory=list)
    validation_fraction: float = 0.1
    tune_bias: bool = True
    warmup_fraction: float = 0.06
    weight_decay: float = 0.01
    columns: ColumnOptions = field(default_factory=ColumnOptions)
    max_train_rows: int | None = None
    threads: int | None = None

    @property
    def learning_rate(self) -> float:
        """The learning rate actually used."""
        if self.lr is not None:
            return self.lr
        return 5e-4 if self.lora else 5e-5

    def validate(self) -> None:
        """Raise ``ValueError`` for settings that cannot work."""
        if self.epochs < 1:
            raise ValueError("epochs must be at least 1")
        if self.batch_size < 1:
            raise ValueError("batch size must be at least 1")
        if self.max_length < 8:
            raise ValueError("max length must be at least 8 tokens")
        if self.learning_rate <= 0:
            raise ValueError("learning rate must be positive")
        if self.lora_rank < 1:
            raise ValueError("LoRA rank must be at least 1")


ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``."""


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def class_weight_vector(counts: NDArray[np.float64], power: float) -> NDArray[np.float64]:
    """Smoothed inverse-frequency weights, normalised to weigh an average training row as 1.

    Args:
        counts: (Soft) row count per label.
        power: 1 gives fully balanced weights, 0 gives uniform weights.

    Returns:
        One weight per label; labels with no rows get weight 0.
    """
    present = counts > 0
    weights = np.zeros_like(counts, dtype=np.float64)
    weights[present] = (counts[present].sum() / (present.sum() * counts[present])) ** power
    # Normalise so the expected weight of a training row is one: the learning rate keeps its meaning.
    weights /= (weights * counts).sum() / counts.sum()
    return weights


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence load-time noise: load reports (a fresh head is expected here), progress bars, deprecation notes."""
    from transformers.utils import logging as hf_logging

    previous = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        hf_logging.enable_progress_bar()
        hf_logging.set_verbosity(previous)


def load_seven_label_base(
    source: str, tokenizer_source: str | None = None, labels: Sequence[str] = LABELS, **options: Any
) -> tuple[Any, Any]:
    """Load a tokenizer and a pre-trained model with a fresh classification head (seven labels by default).

    Args:
        source: Local folder or Hugging Face id of the pre-trained model.
        tokenizer_source: Where the tokenizer lies, if not beside the model.
        labels: The head's class names (the perception model's head has GoEmotions' fine labels).
        **options: Passed to ``from_pretrained`` (e.g. ``local_files_only``).

    Raises:
        ValueError: If the tokenizer can pad with neither a pad nor an EOS token.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    with quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_source or source, **options)
    if tokenizer.pad_token is None and tokenizer.eos_token is None:
        raise ValueError(f"{source}: the tokenizer has neither a pad nor an EOS token to pad with")
    with quiet_transformers():
        model = AutoModelForSequenceClassification.from_pretrained(
            source,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            ignore_mismatched_sizes=True,
            **options,
        )
    ensure_pad_token(tokenizer, model)
    return tokenizer, model


def ensure_pad_token(tokenizer: Any, model: Any) -> None:
    """Give decoders such as GPT-2 a pad token (their EOS) and tell the model which id it is.

    The sequence-classification head of a decoder reads the last non-pad position via ``config.pad_token_id``.
    """
    if tokenizer.pad_token is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    model.config.pad_token_id = tokenizer.pad_token_id


def _load_tokenizer_and_model(base: str, lora: bool, lora_rank: int) -> tuple[Any, Any]:
    tokenizer, model = load_seven_label_base(resolve_base(base))
    if lora:
        from peft import LoraConfig, TaskType, get_peft_model
        from transformers.pytorch_utils import Conv1D

        # GPT-2 stores its linear layers transposed (Conv1D); LoRA must know to match them.
        transposed = any(isinstance(module, Conv1D) for module in model.modules())
        heads = [name for name in _HEAD_MODULES if hasattr(getattr(model, model.base_model_prefix, model), name)]
        config = LoraConfig(
            task_type=TaskType.SEQ_CLS,
            r=lora_rank,
            lora_alpha=2 * lora_rank,
            lora_dropout=0.1,
            fan_in_fan_out=transposed,
            target_modules="all-linear",
            exclude_modules=[f".*{head}.*" for head in heads] or None,
            modules_to_save=heads or None,
        )
        model = get_peft_model(model, config)
    return tokenizer, model


def _batches(
    lengths: Sequence[int], batch_size: int, rng: np.random.Generator | None = None
) -> Iterator[NDArray[np.int64]]:
    """Yield index batches of similar length (less padding, much faster on CPU); shuffled when given ``rng``."""
    order = rng.permutation(len(lengths)) if rng is not None else np.arange(len(lengths))
    chunk = batch_size * 50
    batches: list[NDArray[np.int64]] = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort([lengths[i] for i in part], kind="stable")]
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    if rng is not None:
        rng.shuffle(batches)  # type: ignore[arg-type, unused-ignore]
    yield from batches


def _encode(tokenizer: Any, texts: Sequence[str], max_length: int) -> list[list[int]]:
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)
    return [list(ids) for ids in encoded["input_ids"]]


def _collate(tokenizer: Any, ids: Sequence[list[int]]) -> dict[str, torch.Tensor]:
    batch = tokenizer.pad({"input_ids": list(ids)}, return_tensors="pt")
    return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}


@torch.inference_mode()
def predict_logits(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    max_length: int,
    batch_size: int = 64,
    progress: ProgressCallback | None = None,
) -> NDArray[np.float64]:
    """Return raw ``(n, k)`` logits for ``texts`` in their original order."""
    model.eval()
    encoded = _encode(tokenizer, texts, max_length)
    output = np.zeros((len(texts), int(model.config.num_labels)), dtype=np.float64)
    lengths = [len(ids) for ids in encoded]
    done = 0
    for index in _batches(lengths, batch_size):
        logits = model(**_collate(tokenizer, [encoded[i] for i in index])).logits
        output[index] = logits.float().numpy()
        done += len(index)
        if progress:
            progress("predict", done, len(texts))
    return output


def _soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    log_probs = torch.log_softmax(logits, dim=-1)
    per_class = -targets * log_probs
    if weights is None:
        return per_class.sum(dim=-1).mean()
    weighted = per_class * weights
    return weighted.sum() / (targets * weights).sum()


def _prepare_data(config: TrainConfig) -> DataSplits:
    splits = load_data(config.data, config.columns, config.multi_label)
    train = splits.train
    for spec in config.extra_train:
        extra = load_data(spec, config.columns, config.multi_label).train
        train = EmotionDataset(
            f"{train.name} + {extra.name}",
            train.texts + extra.texts,
            np.concatenate([train.targets, extra.targets]),
        )
    validation = splits.validation
    if validation is None:
        train, validation = train_validation_split(train, config.validation_fraction, config.seed)
    if config.max_train_rows is not None and len(train) > config.max_train_rows:
        keep = np.random.default_rng(config.seed).permutation(len(train))[: config.max_train_rows]
        train = train.subset(np.sort(keep))
    return DataSplits(train=train, validation=validation, test=splits.test)


def _trainable_state(model: Any) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in model.named_parameters() if p.requires_grad}


def train(config: TrainConfig, progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Fine-tune, calibrate on validation data, score, and write the model folder.

    Args:
        config: The run's settings.
        progress: Optional progress callback (the CLI draws a bar with it).

    Returns:
        The metrics written to ``metrics.json``.
    """
    from transformers import get_linear_schedule_with_warmup

    config.validate()
    if config.threads:
        torch.set_num_threads(config.threads)
    set_seed(config.seed)
    started = time.perf_counter()
    splits = _prepare_data(config)
    assert splits.validation is not None
    train_data, validation = splits.train, splits.validation.single_label()
    tokenizer, model = _load_tokenizer_and_model(config.base, config.lora, config.lora_rank)

    weights: torch.Tensor | None = None
    if config.class_weights:
        vector = class_weight_vector(train_data.class_counts(), config.class_weight_power)
        weights = torch.tensor(vector, dtype=torch.float32)
    encoded = _encode(tokenizer, train_data.texts, config.max_length)
    lengths = [len(ids) for ids in encoded]
    targets = torch.tensor(train_data.targets, dtype=torch.float32)
    steps_per_epoch = math.ceil(len(encoded) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=config.learning_rate,
        weight_decay=config.weight_decay,
    )
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_fraction * total_steps), total_steps)
    rng = np.random.default_rng(config.seed)

    history: list[dict[str, float]] = []
    best_f1, best_state, best_epoch = -1.0, _trainable_state(model), 0
    step = 0
    for epoch in range(1, config.epochs + 1):
        model.train()
        running = 0.0
        for index in _batches(lengths, config.batch_size, rng):
            batch = _collate(tokenizer, [encoded[i] for i in index])
            logits = model(**batch).logits
            loss = _soft_cross_entropy(logits, targets[index], weights)
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            running += loss.item()
            step += 1
            if progress:
                progress(f"epoch {epoch}/{config.epochs}", step, total_steps)
        val_logits = predict_logits(model, tokenizer, validation.texts, config.max_length)
        val_f1 = classification_report(validation.labels, val_logits)["macro_f1"]
        history.append({"epoch": epoch, "train_loss": running / steps_per_epoch, "validation_macro_f1": val_f1})
        logger.info("epoch %d: loss %.4f, validation macro-F1 %.4f", epoch, running / steps_per_epoch, val_f1)
        if val_f1 > best_f1:
            best_f1, best_state, best_epoch = val_f1, _trainable_state(model), epoch

    with torch.no_grad():
        parameters = dict(model.named_parameters())
        for name, value in best_state.items():
            parameters[name].copy_(value)
    val_logits = predict_logits(model, tokenizer, validation.texts, config.max_length)
    calibration = fit_calibration(val_logits, validation.labels, tune_bias=config.tune_bias)
    metrics: dict[str, Any] = {
        "train_rows": len(train_data),
        "best_epoch": best_epoch,
        "history": history,
        "calibration": calibration.to_dict(),
        "validation": _scores(validation, val_logits, calibration),
        "train_seconds": round(time.perf_counter() - started, 1),
        "class_weights": weights.tolist() if weights is not None else None,
    }
    if splits.test is not None:
        test = splits.test.single_label()
        test_logits = predict_logits(model, tokenizer, test.texts, config.max_length)
        metrics["test"] = _scores(test, test_logits, calibration)
    save_model(model, tokenizer, config, calibration, metrics)
    return metrics


def _scores(data: EmotionDataset, logits: NDArray[np.float64], calibration: Calibration) -> dict[str, Any]:
    from eq_negotiator.sensing.metrics import softmax

    calibrated = classification_report(data.labels, calibration.apply(logits))
    uncalibrated = classification_report(data.labels, softmax(logits))
    return {
        "data": data.name,
        **calibrated,
        "uncalibrated_macro_f1": uncalibrated["macro_f1"],
        "uncalibrated_ece": uncalibrated["ece"],
    }


def save_model(
    model: Any,
    tokenizer: Any,
    config: TrainConfig,
    calibration: Calibration,
    metrics: dict[str, Any],
) -> Path:
    """Write the model (or adapter), tokenizer, sensor config, metrics and model card to ``config.out``."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    if config.lora:
        # Record the base as the user named it (not a local site-packages path) so the folder is portable.
        adapter_config_path = out / "adapter_config.json"
        adapter_config = json.loads(adapter_config_path.read_text(encoding="utf-8"))
        adapter_config["base_model_name_or_path"] = config.base
        adapter_config_path.write_text(json.dumps(adapter_config, indent=2) + "\n", encoding="utf-8")
    tokenizer.save_pretrained(out)
    settings = {**asdict(config), "learning_rate": config.learning_rate}
    sensor_config = {
        "format_version": SENSOR_FORMAT_VERSION,
        "labels": list(LABELS),
        "base": config.base,
        "adapter": config.lora,
        "max_length": config.max_length,
        "calibration": calibration.to_dict(),
        "training": settings,
        "environment": {
            "python": platform.python_version(),
            "torch": torch.__version__,
        },
    }
    # A manifest of weight digests lets loaders tell a corrupted file from a valid one.
    sensor_config["files"] = {path.name: sha256_of(path) for path in sorted(out.glob("*.safetensors"))}
    # default=str: paths (output folder, a label-map file) are recorded as text; MultiLabelRule is a str enum.
    (out / SENSOR_CONFIG_FILE).write_text(json.dumps(sensor_config, indent=2, default=str) + "\n", encoding="utf-8")
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out / MODEL_CARD_FILE).write_text(render_model_card(config, metrics), encoding="utf-8")
    return out


def _score_table(scores: dict[str, Any]) -> str:
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label in LABELS:
        row = scores["per_class"][label]
        lines.append(f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |")
    return "\n".join(lines)


def render_model_card(config: TrainConfig, metrics: dict[str, Any]) -> str:
    """Return a Markdown model card for a trained sensor."""
    command = (
        f"eqn emotion train --base {config.base} --data {config.data} --out {config.out} "
        f"--epochs {config.epochs} --lr {config.learning_rate:g} --batch-size {config.batch_size} "
        f"--max-length {config.max_length} --seed {config.seed} {'--lora' if config.lora else '--full'} "
        f"--lora-rank {config.lora_rank} {'--class-weights' if config.class_weights else '--no-class-weights'} "
        f"--multi-label {config.multi_label.value}" + "".join(f" --extra-train {spec}" for spec in config.extra_train)
    )
    method = (
        f"LoRA rank {config.lora_rank} on every linear layer; classification head (and pooler, if any) trained in full"
        if config.lora
        else "Full fine-tuning"
    )
    sections = [
        f"# Emotion sensor: fine-tuned {config.base}",
        "",
        "Seven-label emotion classifier (joy, sadness, anger, fear, surprise, disgust, neutral) trained by "
        "`eqn emotion train`.",
        "",
        "## Rebuild",
        "",
        f"```\n{command}\n```",
        "",
        "## Training",
        "",
        f"- Base: `{config.base}`"
        + (" (all-MiniLM-L6-v2, sha256-verified)" if config.base == EMBEDDED_BASE_ALIAS else ""),
        f"- Data: `{config.data}`" + "".join(f" + `{spec}`" for spec in config.extra_train),
        f"- Rows: {metrics['train_rows']}; multi-label rule: {config.multi_label.value}",
        f"- {method}",
        f"- Class-weighted loss: {config.class_weights} (inverse frequency ^ {config.class_weight_power})",
        f"- Best epoch (validation macro-F1): {metrics['best_epoch']} of {config.epochs}",
        f"- Calibration on validation: temperature {metrics['calibration']['temperature']:.3f}, "
        f"per-class offsets {[round(b, 3) for b in metrics['calibration']['bias']]}",
        "",
        "Label mapping: model output *i* is label *i* of the list above (stored in the config's `id2label`).",
    ]
    for split in ("validation", "test"):
        if split in metrics:
            scores = metrics[split]
            sections += [
                "",
                f"## Scores: {split} ({scores['data']}, {scores['n']} single-label rows)",
                "",
                f"accuracy {scores['accuracy']:.3f} · macro-F1 {scores['macro_f1']:.3f} · weighted F1 "
                f"{scores['weighted_f1']:.3f} · ECE {scores['ece']:.3f} (before calibration: macro-F1 "
                f"{scores['uncalibrated_macro_f1']:.3f}, ECE {scores['uncalibrated_ece']:.3f})",
                "",
                _score_table(scores),
            ]
    sections += [
        "",
        "## Limits",
        "",
        "- Trained on the data named above; text from other domains (e.g. credit dialogues) scores lower: "
        "evaluate on your own labelled utterances with `eqn emotion eval`.",
        "- English only; one label per utterance (mixed emotions get their dominant label).",
        "",
    ]
    return "\n".join(sections)
