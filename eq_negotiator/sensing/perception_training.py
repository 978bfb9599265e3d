"""Training the shared perception encoder: emotion, client rights and reply compliance from one fine-tune.

The starting point is the embedded emotion encoder (all-MiniLM-L6-v2 with the LoRA adapter of the previous
GoEmotions fine-tune, merged). Its bottom layers stay frozen; its top layers get a second LoRA adapter, trained on
four tasks at once, each through its own small head:

- **emotion, fine labels**: GoEmotions' 27 emotions + neutral (soft targets for multi-label rows) on the pooled
  ``[CLS]`` vector. Seven-label probabilities are sums over a grouping of the fine labels
  (:data:`~eq_negotiator.sensing.perception.PRODUCT_GROUPING`), so one model is scored with Google's Ekman grouping
  and served with ours.
- **emotion, in-domain**: the negotiation set (:mod:`negotiation_corpus`) with seven-label targets, trained through
  the grouping (the loss is the log of the summed fine probabilities of the target's group).
- **client rights**: six sigmoid outputs on the mean of the token vectors.
- **reply compliance**: ten sigmoid outputs on the mean of the token vectors.

Because the bottom layers are frozen, their outputs are computed once per text and training runs only the top
layers: on a 2-core CPU an epoch takes minutes instead of the hour that adapting all six layers on four tasks took.
Every step takes one batch of each task. The best epoch is chosen on the dev splits, which also set the
per-output thresholds (recall first).

The result is the embedded model folder: the adapter (the previous LoRA factors, with the new ones stacked onto
them for the top layers, so the compact loader merges both), the pooler and fine emotion head, the rights and
compliance heads in ``heads.safetensors``, and ``eqn_sensor.json`` with the grouping, calibration, thresholds and
the sha256 of every file.

Run it with ``python -m eq_negotiator.sensing.perception_training --goemotions <dir> --out <dir>`` (the command that
built the shipped model is in its model card).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.nn import functional

from eq_negotiator.emotions import LABELS
from eq_negotiator.negotiation.rights import ESCALATING_KINDS
from eq_negotiator.sensing.base_model import EMBEDDED_BASE_ALIAS, embedded_base_path, sha256_of
from eq_negotiator.sensing.compact import (
    ADAPTER_PREFIX,
    CompactBertClassifier,
    _hf_name,
    load_compact_classifier,
    pad_token_rows,
)
from eq_negotiator.sensing.perception import (
    EKMAN_GROUPING,
    FINE_LABELS,
    HEADS_FILE,
    MODEL_VIOLATION_TYPES,
    PRODUCT_GROUPING,
    RIGHTS_KINDS,
    budget_thresholds,
    group_log_probabilities,
    grouping_matrix,
)

LORA_TARGETS = ("query", "key", "value", "attention_output", "intermediate", "output")

# False alarms each output may add on dev rows that must not fire. Crisis gets the largest share: a false alarm
# costs one caring message and a person's review, a miss can cost a life.
RIGHTS_BUDGET: dict[str, float] = {"crisis": 0.05}
RIGHTS_DEFAULT_BUDGET = 0.02
GUARD_BUDGET = 0.01
HEAD_C = 0.5


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update ``(alpha / r) * B @ A`` (Hu et al., 2021)."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float) -> None:
        super().__init__()
        self.base = base
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scaling = alpha / rank
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The base layer's output plus the scaled low-rank update."""
        update = functional.linear(functional.linear(self.dropout(x), self.lora_a), self.lora_b)
        result: torch.Tensor = self.base(x) + self.scaling * update
        return result


@dataclass
class PerceptionTrainConfig:
    """Settings of one perception fine-tune (every field is recorded in the model folder).

    Attributes:
        goemotions: Folder with GoEmotions' ``original/`` fine-label files.
        start: The emotion adapter folder to start from (the embedded model's previous fine-tune).
        out: Output model folder.
        epochs: Passes over GoEmotions' train split.
        lr: Peak learning rate of the adapter and heads.
        batch_size: GoEmotions rows per step.
        side_batch: Rows per step of each team-written task (in-domain emotion, rights, compliance).
        max_length: Token limit per message (windows of this size at inference).
        trainable_layers: Top encoder layers that get the new adapter.
        lora_rank: Rank of the new adapter.
        seed: Seed of initialisation, dropout and data order.
        weight_power: Exponent of the inverse-frequency class weights over the fine labels.
        indomain_weight: Weight of the in-domain emotion loss.
        rights_weight: Weight of the rights loss.
        guard_weight: Weight of the compliance loss.
        ekman_weight: Weight of a second GoEmotions loss on Google's Ekman groups (class-weighted like the fine
            loss). The fine loss spreads a row's credit over 28 labels; this term rewards getting the group right,
            which is what the GoEmotions-Ekman score and the served seven labels measure.
        threads: Torch CPU threads (``None``: torch's default).
        max_steps: Stop after this many steps (quick trials); ``None`` runs every epoch.
        grouping: Fine label → seven-label grouping the in-domain loss and the served emotion use.
    """

    goemotions: Path
    start: Path
    out: Path
    epochs: int = 3
    lr: float = 5e-4
    batch_size: int = 32
    side_batch: int = 8
    max_length: int = 128
    trainable_layers: int = 2
    lora_rank: int = 16
    seed: int = 13
    weight_power: float = 0.5
    indomain_weight: float = 1.0
    rights_weight: float = 1.0
    guard_weight: float = 1.0
    ekman_weight: float = 0.0
    threads: int | None = None
    max_steps: int | None = None
    grouping: dict[str, str] = field(default_factory=lambda: dict(PRODUCT_GROUPING))


class PerceptionNetwork(nn.Module):
    """The emotion encoder with an adapter on its top layers, and the three heads.

    Args:
        encoder: The embedded emotion encoder (previous adapter merged).
        trainable_layers: How many top layers get the new adapter.
        rank: Its rank.
    """

    def __init__(self, encoder: CompactBertClassifier, trainable_layers: int, rank: int) -> None:
        super().__init__()
        hidden = encoder.pooler.in_features
        self.encoder = encoder
        self.split = len(encoder.layers) - trainable_layers
        encoder.classifier = nn.Linear(hidden, len(FINE_LABELS))
        self.rights = nn.Linear(hidden, len(RIGHTS_KINDS))
        self.guard = nn.Linear(hidden, len(MODEL_VIOLATION_TYPES))
        for parameter in encoder.parameters():
            parameter.requires_grad_(False)
        for layer in encoder.layers[self.split :]:
            for name in LORA_TARGETS:
                setattr(layer, name, LoRALinear(getattr(layer, name), rank, 2.0 * rank, dropout=0.1))
        for module in (encoder.pooler, encoder.classifier):
            for parameter in module.parameters():
                parameter.requires_grad_(True)

    @torch.inference_mode()
    def bottom(self, rows: Sequence[list[int]], batch_size: int = 64) -> list[torch.Tensor]:
        """Hidden states of each row after the frozen layers, ``(length, hidden)`` in float16."""
        from eq_negotiator.sensing.training import _batches

        encoder = self.encoder
        result: list[torch.Tensor | None] = [None] * len(rows)
        for index in _batches([len(row) for row in rows], batch_size):
            ids, mask = pad_token_rows([rows[i] for i in index])
            x = encoder.embed(ids)
            attention = mask.bool()[:, None, None, :]
            for layer in encoder.layers[: self.split]:
                x = layer(x, attention)
            for k, i in enumerate(index):
                result[i] = x[k, : len(rows[i])].half().clone()
        return [row for row in result if row is not None]

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Fine emotion logits, rights logits and compliance logits from the frozen layers' padded output."""
        x = states
        attention = mask.bool()[:, None, None, :]
        for layer in self.encoder.layers[self.split :]:
            x = layer(x, attention)
        pooled = torch.tanh(self.encoder.pooler(x[:, 0]))
        weights = mask.to(x.dtype)[:, :, None]
        mean = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return self.encoder.classifier(pooled), self.rights(mean), self.guard(mean)


@dataclass
class _Task:
    """One task's frozen-layer states and targets."""

    states: list[torch.Tensor]
    targets: NDArray[np.float32]

    def batches(self, size: int, rng: np.random.Generator) -> Iterator[NDArray[np.int64]]:
        """Endless shuffled batches of row indices (a new order each pass)."""
        while True:
            order = rng.permutation(len(self.states))
            for start in range(0, len(order) - size + 1, size):
                yield order[start : start + size]


def _pad(states: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(row) for row in states)
    tensor = torch.zeros((len(states), width, states[0].shape[1]))
    mask = torch.zeros((len(states), width), dtype=torch.long)
    for i, row in enumerate(states):
        tensor[i, : len(row)] = row.float()
        mask[i, : len(row)] = 1
    return tensor, mask


def _goemotions_fine(directory: Path, split: str) -> tuple[list[str], NDArray[np.float32]]:
    path = directory / "original" / f"{split}.tsv"
    rows = [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8")]
    targets = np.zeros((len(rows), len(FINE_LABELS)), dtype=np.float32)
    for i, row in enumerate(rows):
        labels = [int(value) for value in row[1].split(",")]
        targets[i, labels] = 1.0 / len(labels)
    return [row[0] for row in rows], targets


@torch.inference_mode()
def predict(
    network: PerceptionNetwork, states: Sequence[torch.Tensor], batch_size: int = 128
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Fine emotion logits, rights and compliance probabilities for frozen-layer states."""
    from eq_negotiator.sensing.training import _batches

    network.eval()
    fine = np.zeros((len(states), len(FINE_LABELS)))
    rights = np.zeros((len(states), len(RIGHTS_KINDS)))
    guard = np.zeros((len(states), len(MODEL_VIOLATION_TYPES)))
    for index in _batches([len(row) for row in states], batch_size):
        tensor, mask = _pad([states[i] for i in index])
        f, r, g = network(tensor, mask)
        fine[index], rights[index], guard[index] = f.numpy(), torch.sigmoid(r).numpy(), torch.sigmoid(g).numpy()
    return fine, rights, guard


def single_group(targets: NDArray[Any], grouping: NDArray[Any]) -> NDArray[np.int64]:
    """The group index of each row whose fine labels all fall in one group, else -1 (scored rows only)."""
    groups = (np.asarray(targets) > 0).astype(np.float64) @ grouping
    single = (groups > 0).sum(axis=1) == 1
    return np.where(single, groups.argmax(axis=1), -1).astype(np.int64)


def _average_precision(truth: NDArray[Any], scores: NDArray[Any]) -> float:
    from sklearn.metrics import average_precision_score

    columns = [j for j in range(truth.shape[1]) if truth[:, j].any()]
    return float(np.mean([average_precision_score(truth[:, j], scores[:, j]) for j in columns]))


def train_perception(config: PerceptionTrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fine-tune, choose the best epoch on dev data, fit calibration and thresholds, and write the model folder.

    Returns:
        The training metrics (also written to ``metrics.json``).
    """
    from tokenizers import Tokenizer

    from eq_negotiator.sensing.metrics import classification_report, fit_calibration
    from eq_negotiator.sensing.negotiation_corpus import (
        load_collector_replies,
        load_negotiation_emotions,
        load_rights_messages,
    )

    if config.threads:
        torch.set_num_threads(config.threads)
    started = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    base_dir = embedded_base_path()
    tokenizer = Tokenizer.from_file(str(base_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=config.max_length)
    network = PerceptionNetwork(
        load_compact_classifier(base_dir, config.start), config.trainable_layers, config.lora_rank
    )
    torch.manual_seed(config.seed)

    def states(texts: Sequence[str]) -> list[torch.Tensor]:
        return network.bottom([encoding.ids for encoding in tokenizer.encode_batch(list(texts))])

    grouping = grouping_matrix(config.grouping)
    ekman = grouping_matrix(EKMAN_GROUPING)
    ge_texts, ge_targets = _goemotions_fine(config.goemotions, "train")
    ge_dev_texts, ge_dev_targets = _goemotions_fine(config.goemotions, "dev")
    emotions = load_negotiation_emotions()
    rights, replies = load_rights_messages(), load_collector_replies()

    def part(rows: Sequence[Any], split: str) -> list[Any]:
        return [row for row in rows if row.split == split]

    eye = np.eye(len(LABELS), dtype=np.float32)
    log("computing frozen-layer states")
    tasks = {
        "goemotions": _Task(states(ge_texts), ge_targets),
        "indomain": _Task(
            states([r.text for r in part(emotions, "train")]),
            eye[[LABELS.index(r.label) for r in part(emotions, "train")]],
        ),
        "rights": _Task(
            states([r.text for r in part(rights, "train")]),
            np.array([r.vector() for r in part(rights, "train")], dtype=np.float32),
        ),
        "guard": _Task(
            states([r.text for r in part(replies, "train")]),
            np.array([r.vector() for r in part(replies, "train")], dtype=np.float32),
        ),
    }
    dev_ge = states(ge_dev_texts)
    dev_id = (
        states([r.text for r in part(emotions, "dev")]),
        np.array([LABELS.index(r.label) for r in part(emotions, "dev")]),
    )
    dev_rights = (states([r.text for r in part(rights, "dev")]), np.array([r.vector() for r in part(rights, "dev")]))
    dev_guard = (states([r.text for r in part(replies, "dev")]), np.array([r.vector() for r in part(replies, "dev")]))
    counts = ge_targets.sum(axis=0) + 1.0
    weights = torch.tensor(np.clip((counts / counts.mean()) ** -config.weight_power, 0.2, 5.0), dtype=torch.float32)
    log_grouping = torch.log(torch.tensor(grouping, dtype=torch.float32) + 1e-12)
    ekman_tensor = torch.tensor(ekman, dtype=torch.float32)
    log_ekman = torch.log(ekman_tensor + 1e-12)
    group_counts = ge_targets @ ekman + 1.0
    ekman_weights = torch.tensor(
        np.clip((group_counts.sum(0) / group_counts.sum(0).mean()) ** -config.weight_power, 0.2, 5.0),
        dtype=torch.float32,
    )

    trainable = [p for p in network.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=0.01)
    steps_per_epoch = len(tasks["goemotions"].states) // config.batch_size
    if config.max_steps is not None:
        steps_per_epoch = min(steps_per_epoch, config.max_steps)
    epochs = config.epochs if config.max_steps is None else 1
    total = steps_per_epoch * epochs
    warmup = max(1, int(0.06 * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    streams = {
        name: task.batches(config.batch_size if name == "goemotions" else config.side_batch, rng)
        for name, task in tasks.items()
    }
    log("train rows: " + ", ".join(f"{k} {len(t.states)}" for k, t in tasks.items()) + f"; {total} steps")

    def evaluate() -> dict[str, float]:
        fine, _, _ = predict(network, dev_ge)
        single = single_group(ge_dev_targets, ekman)
        keep = single >= 0
        ge_f1 = classification_report(single[keep], group_log_probabilities(fine[keep], ekman))["macro_f1"]
        fine_id, _, _ = predict(network, dev_id[0])
        id_f1 = classification_report(dev_id[1], group_log_probabilities(fine_id, grouping))["macro_f1"]
        scores = {
            "goemotions_ekman_macro_f1": float(ge_f1),
            "indomain_macro_f1": float(id_f1),
            "rights_ap": _average_precision(dev_rights[1], predict(network, dev_rights[0])[1]),
            "guard_ap": _average_precision(dev_guard[1], predict(network, dev_guard[0])[2]),
        }
        scores["composite"] = float(np.mean(list(scores.values())))
        return scores

    history: list[dict[str, Any]] = []
    best: tuple[float, dict[str, torch.Tensor], int] = (-1.0, {}, 0)
    step = 0
    for epoch in range(1, epochs + 1):
        network.train()
        running: dict[str, float] = {}
        for _ in range(steps_per_epoch):
            losses: dict[str, torch.Tensor] = {}
            for name, task in tasks.items():
                index = next(streams[name])
                tensor, mask = _pad([task.states[i] for i in index])
                target = torch.tensor(task.targets[index])
                fine, r, g = network(tensor, mask)
                if name == "goemotions":
                    log_fine = functional.log_softmax(fine, -1)
                    losses[name] = -(target * log_fine * weights).sum(-1).mean()
                    if config.ekman_weight:
                        grouped_ge = torch.logsumexp(log_fine[:, :, None] + log_ekman, dim=1)
                        group_target = target @ ekman_tensor
                        losses["ekman"] = (
                            config.ekman_weight * -(group_target * grouped_ge * ekman_weights).sum(-1).mean()
                        )
                elif name == "indomain":
                    grouped = torch.logsumexp(functional.log_softmax(fine, -1)[:, :, None] + log_grouping, dim=1)
                    losses[name] = config.indomain_weight * -(target * grouped).sum(-1).mean()
                elif name == "rights":
                    losses[name] = config.rights_weight * functional.binary_cross_entropy_with_logits(r, target)
                else:
                    losses[name] = config.guard_weight * functional.binary_cross_entropy_with_logits(g, target)
            loss = torch.stack(list(losses.values())).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            for name, value in losses.items():
                running[name] = running.get(name, 0.0) + float(value.detach())
            step += 1
            if step % 200 == 0:
                log(f"step {step}/{total} " + " ".join(f"{k}={v / 200:.3f}" for k, v in running.items()))
                running = {}
        scores = evaluate()
        history.append({"epoch": epoch, **scores})
        log(f"epoch {epoch}: " + json.dumps(scores))
        if scores["composite"] > best[0]:
            best = (scores["composite"], {k: v.detach().clone() for k, v in network.state_dict().items()}, epoch)
    network.load_state_dict(best[1])
    network.eval()

    # Calibration of the served seven-label output (temperature only: the grouping already moved the boundaries)
    # on GoEmotions dev grouped the product's way.
    fine, _, _ = predict(network, dev_ge)
    single = single_group(ge_dev_targets, grouping)
    keep = single >= 0
    calibration = fit_calibration(group_log_probabilities(fine[keep], grouping), single[keep], tune_bias=False)
    metrics = {
        "best_epoch": best[2],
        "history": history,
        "train_rows": {name: len(task.states) for name, task in tasks.items()},
        "train_seconds": round(time.perf_counter() - started, 1),
        "calibration": calibration.to_dict(),
    }
    save_perception_model(network, config, calibration.to_dict(), metrics)
    metrics["heads"] = fit_heads(Path(config.out))
    (Path(config.out) / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def fit_heads(model_dir: Path, c: float = HEAD_C) -> dict[str, Any]:
    """Stage 2: refit the rights and compliance heads on the final encoder, then set their thresholds on dev data.

    The heads trained jointly with the adapter separated the dev split's hard negatives worse than a class-balanced
    logistic regression fitted afterwards on the same encoder's mean token vectors (average precision per kind on
    dev: crisis 0.67 → 0.79, dispute 0.81 → 0.90, client threat 0.65 → 0.85; compliance types 0.27-0.93 →
    0.54-0.95), so the shipped heads are these regressions (scikit-learn, written as plain weights).

    Thresholds: each output may add a fixed share of false alarms on dev rows that must not fire
    (:data:`RIGHTS_BUDGET`, :data:`GUARD_BUDGET`); recall is what the model reaches at that rate.

    Returns:
        The thresholds and the regularisation used.
    """
    from safetensors.torch import save_file
    from sklearn.linear_model import LogisticRegression

    from eq_negotiator.sensing.compact import CompactSensor
    from eq_negotiator.sensing.negotiation_corpus import load_collector_replies, load_rights_messages
    from eq_negotiator.sensing.training import _batches

    config = json.loads((model_dir / "eqn_sensor.json").read_text(encoding="utf-8"))
    sensor = CompactSensor(embedded_base_path(), model_dir, config)
    assert sensor.perception is not None

    encoder = sensor.perception

    @torch.inference_mode()
    def mean_vectors(texts: Sequence[str]) -> NDArray[np.float64]:
        rows = [encoder.windows(text)[0] for text in texts]  # the first window, as the emotion reads
        out = np.zeros((len(rows), sensor.model.pooler.in_features))
        for index in _batches([len(row) for row in rows], 64):
            out[index] = sensor.model.encode(*pad_token_rows([rows[i] for i in index]))[1].numpy()
        return out

    heads: dict[str, torch.Tensor] = {}
    thresholds: dict[str, dict[str, float]] = {}
    sets: dict[str, tuple[Sequence[Any], tuple[str, ...]]] = {
        "rights": (load_rights_messages(), RIGHTS_KINDS),
        "guard": (load_collector_replies(), MODEL_VIOLATION_TYPES),
    }
    for key, (rows, names) in sets.items():
        train_rows = [row for row in rows if row.split == "train"]
        dev_rows = [row for row in rows if row.split == "dev"]
        x_train, x_dev = mean_vectors([r.text for r in train_rows]), mean_vectors([r.text for r in dev_rows])
        y_train, y_dev = np.array([r.vector() for r in train_rows]), np.array([r.vector() for r in dev_rows])
        weight = np.zeros((len(names), x_train.shape[1]), dtype=np.float32)
        bias = np.zeros(len(names), dtype=np.float32)
        for j in range(len(names)):
            regression = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x_train, y_train[:, j])
            weight[j], bias[j] = regression.coef_[0], regression.intercept_[0]
        heads[f"{key}.weight"], heads[f"{key}.bias"] = torch.tensor(weight), torch.tensor(bias)
        dev_scores = 1.0 / (1.0 + np.exp(-(x_dev @ weight.T + bias)))
        chosen: dict[str, float] = {}
        for j, name in enumerate(names):
            if key == "rights":
                escalating = [RIGHTS_KINDS.index(kind) for kind in ESCALATING_KINDS]
                background = (y_dev[:, escalating].max(axis=1) == 0) if name in ESCALATING_KINDS else y_dev[:, j] == 0
                budget = RIGHTS_BUDGET.get(name, RIGHTS_DEFAULT_BUDGET)
            else:
                background, budget = y_dev.max(axis=1) == 0, GUARD_BUDGET
            chosen[name] = budget_thresholds(dev_scores[:, j], background, budget)
        thresholds[key] = chosen
    save_file({k: v.contiguous() for k, v in heads.items()}, str(model_dir / HEADS_FILE))
    config["rights_thresholds"], config["violation_thresholds"] = thresholds["rights"], thresholds["guard"]
    config["files"][HEADS_FILE] = sha256_of(model_dir / HEADS_FILE)
    config["heads"] = {"kind": "logistic regression on mean token vectors", "C": c, "budgets": _budgets()}
    (model_dir / "eqn_sensor.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return {"C": c, "rights_thresholds": thresholds["rights"], "violation_thresholds": thresholds["guard"]}


def _budgets() -> dict[str, Any]:
    return {"rights": {**RIGHTS_BUDGET, "default": RIGHTS_DEFAULT_BUDGET}, "guard": GUARD_BUDGET}


def _stacked_adapter(network: PerceptionNetwork, start: Path) -> dict[str, torch.Tensor]:
    """The previous adapter's tensors, with the new LoRA factors stacked onto the top layers' ones.

    The compact loader merges ``W + s * B @ A`` with one scaling ``s`` from ``adapter_config.json``; stacking
    ``A' = [A_old; A_new]`` and ``B' = [B_old, (s_new / s) * B_new]`` gives ``W + s B_old A_old + s_new B_new A_new``.
    """
    from safetensors.torch import load_file

    old = load_file(str(start / "adapter_model.safetensors"))
    config = json.loads((start / "adapter_config.json").read_text(encoding="utf-8"))
    scaling = float(config["lora_alpha"]) / float(config["r"])
    adapter = {key: value for key, value in old.items() if "classifier" not in key and "pooler" not in key}
    for index in range(network.split, len(network.encoder.layers)):
        layer = network.encoder.layers[index]
        for name in LORA_TARGETS:
            module = getattr(layer, name)
            assert isinstance(module, LoRALinear)
            stem = ADAPTER_PREFIX + "bert." + _hf_name(f"layers.{index}.{name}.weight").removesuffix(".weight")
            a_key, b_key = f"{stem}.lora_A.weight", f"{stem}.lora_B.weight"
            adapter[a_key] = torch.cat([old[a_key], module.lora_a.detach()], dim=0)
            adapter[b_key] = torch.cat([old[b_key], module.lora_b.detach() * (module.scaling / scaling)], dim=1)
    for kind in ("weight", "bias"):
        adapter[f"{ADAPTER_PREFIX}bert.pooler.dense.{kind}"] = getattr(network.encoder.pooler, kind).detach()
        adapter[f"{ADAPTER_PREFIX}classifier.{kind}"] = getattr(network.encoder.classifier, kind).detach()
    return {key: value.contiguous() for key, value in adapter.items()}


def save_perception_model(
    network: PerceptionNetwork,
    config: PerceptionTrainConfig,
    calibration: dict[str, Any],
    metrics: dict[str, Any],
) -> Path:
    """Write the adapter, heads, ``adapter_config.json``, ``eqn_sensor.json`` (with sha256s) and ``metrics.json``."""
    from safetensors.torch import save_file

    out = Path(config.out)
    adapter = _stacked_adapter(network, config.start)
    adapter_config = (config.start / "adapter_config.json").read_text(encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    save_file(adapter, str(out / "adapter_model.safetensors"))
    save_file(
        {
            "rights.weight": network.rights.weight.detach().contiguous(),
            "rights.bias": network.rights.bias.detach().contiguous(),
            "guard.weight": network.guard.weight.detach().contiguous(),
            "guard.bias": network.guard.bias.detach().contiguous(),
        },
        str(out / HEADS_FILE),
    )
    # The top layers' factors are stacked (rank r_old + r_new): peft reads that from rank_pattern, with alpha
    # scaled alike so its per-module scaling stays lora_alpha / r, the one the compact loader uses.
    config_data = json.loads(adapter_config)
    ratio = float(config_data["lora_alpha"]) / float(config_data["r"])
    for index in range(network.split, len(network.encoder.layers)):
        for name in LORA_TARGETS:
            key = _hf_name(f"layers.{index}.{name}.weight").removesuffix(".weight")
            rank = int(adapter[f"{ADAPTER_PREFIX}bert.{key}.lora_A.weight"].shape[0])
            config_data.setdefault("rank_pattern", {})[key] = rank
            config_data.setdefault("alpha_pattern", {})[key] = ratio * rank
    config_data["modules_to_save"] = ["pooler", "classifier", "score"]
    (out / "adapter_config.json").write_text(json.dumps(config_data, indent=2) + "\n", encoding="utf-8")
    settings = {**asdict(config), "goemotions": str(config.goemotions), "start": str(config.start)}
    settings["out"] = str(config.out)
    sensor_config = {
        "format_version": 2,
        "labels": list(LABELS),
        "base": EMBEDDED_BASE_ALIAS,
        "adapter": True,
        "max_length": config.max_length,
        "fine_labels": list(FINE_LABELS),
        "grouping": config.grouping,
        "calibration": calibration,
        "rights_kinds": list(RIGHTS_KINDS),
        "rights_thresholds": {kind: 0.5 for kind in RIGHTS_KINDS},  # set by fit_heads
        "violation_types": list(MODEL_VIOLATION_TYPES),
        "violation_thresholds": {kind: 0.5 for kind in MODEL_VIOLATION_TYPES},
        "training": settings,
        "environment": {"python": platform.python_version(), "torch": torch.__version__},
        "files": {name: sha256_of(out / name) for name in ("adapter_model.safetensors", HEADS_FILE)},
    }
    (out / "eqn_sensor.json").write_text(json.dumps(sensor_config, indent=2) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point: ``python -m eq_negotiator.sensing.perception_training``."""
    parser = argparse.ArgumentParser(description="Fine-tune the shared perception encoder.")
    parser.add_argument("--goemotions", type=Path, required=True, help="GoEmotions folder (with original/)")
    parser.add_argument("--start", type=Path, required=True, help="emotion adapter folder to start from")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--trainable-layers", type=int, default=2)
    parser.add_argument("--side-batch", type=int, default=8)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--rights-weight", type=float, default=1.0)
    parser.add_argument("--guard-weight", type=float, default=1.0)
    parser.add_argument("--ekman-weight", type=float, default=0.0)
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--heads-only", action="store_true", help="only stage 2 (fit_heads) on --out")
    args = parser.parse_args(argv)
    if args.heads_only:
        print(json.dumps(fit_heads(args.out), indent=2))
        return
    config = PerceptionTrainConfig(
        goemotions=args.goemotions,
        start=args.start,
        out=args.out,
        epochs=args.epochs,
        lr=args.lr,
        trainable_layers=args.trainable_layers,
        side_batch=args.side_batch,
        seed=args.seed,
        threads=args.threads,
        max_steps=args.max_steps,
        rights_weight=args.rights_weight,
        guard_weight=args.guard_weight,
        ekman_weight=args.ekman_weight,
    )
    started = time.perf_counter()
    train_perception(
        config, log=lambda message: print(f"[{time.perf_counter() - started:7.0f}s] {message}", flush=True)
    )


if __name__ == "__main__":
    main()
