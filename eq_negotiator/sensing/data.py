"""Labelled emotion data: loaders for the data specs the train and eval commands accept.

Data specs:

* ``goemotions-ekman:<dir>`` — GoEmotions with Google's Ekman mapping (the folder holding ``ekman/`` or the
  ``ekman`` folder itself: ``train.tsv``, ``dev.tsv``, ``test.tsv``, ``labels.txt``).
* ``csv:<file>`` / ``jsonl:<file>`` — one labelled file; the text and label columns are configurable
  (default ``text`` and ``label``) and labels go through the label map.
* ``hf-dataset:<name>[@config]`` — a Hugging Face dataset (needs the ``datasets`` extra and network or cache).
* ``credit-dialogue[:train|:test|:all]`` — the project's own credit-dialogue emotion set (see
  ``docs/credit-emotion-labelling-guide.md``).

Rows with several labels (GoEmotions has them) follow :class:`MultiLabelRule`: ``soft`` keeps them as an even
target distribution over their labels (used for training), ``drop`` removes them. Evaluation always uses
single-label rows only, so scores compare with the published single-label numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from eq_negotiator.csv_rows import strict_reader, strict_rows
from eq_negotiator.emotions import LABELS, label_index
from eq_negotiator.sensing.labels import load_label_map, map_labels

DATA_SPEC_FORMS = (
    "goemotions-ekman:<dir>",
    "csv:<file>",
    "jsonl:<file>",
    "hf-dataset:<name>[@config]",
    "credit-dialogue[:train|:test|:all]",
    "negotiation-emotions[:train|:dev|:test|:all]",
)


class MultiLabelRule(str, Enum):
    """What to do with rows that carry several labels."""

    SOFT = "soft"
    DROP = "drop"


@dataclass(frozen=True)
class EmotionDataset:
    """Texts with target distributions over the seven labels.

    Attributes:
        name: Where the rows came from (for reports).
        texts: The utterances.
        targets: ``(n, 7)`` float array; each row sums to 1 (one-hot for single-label rows).
    """

    name: str
    texts: list[str]
    targets: NDArray[np.float32]

    def __post_init__(self) -> None:
        if self.targets.shape != (len(self.texts), len(LABELS)):
            raise ValueError(f"targets shape {self.targets.shape} does not match {len(self.texts)} texts")

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def single_mask(self) -> NDArray[np.bool_]:
        """Rows whose target is one label."""
        return np.asarray(self.targets.max(axis=1) >= 1.0 - 1e-6)

    @property
    def labels(self) -> NDArray[np.int64]:
        """The most probable label index of each row."""
        return np.asarray(self.targets.argmax(axis=1), dtype=np.int64)

    def subset(self, mask_or_index: NDArray[Any], name: str | None = None) -> EmotionDataset:
        """Return the rows selected by a boolean mask or an index array."""
        index = np.flatnonzero(mask_or_index) if mask_or_index.dtype == np.bool_ else mask_or_index
        return EmotionDataset(name or self.name, [self.texts[i] for i in index], self.targets[index].astype(np.float32))

    def single_label(self) -> EmotionDataset:
        """Return only the single-label rows (what evaluation scores)."""
        return self.subset(self.single_mask, f"{self.name} (single-label)")

    def class_counts(self) -> NDArray[np.float64]:
        """Return the (soft) number of rows per label."""
        return np.asarray(self.targets.sum(axis=0), dtype=np.float64)


@dataclass(frozen=True)
class DataSplits:
    """A data spec's splits; only ``train`` is always present."""

    train: EmotionDataset
    validation: EmotionDataset | None = None
    test: EmotionDataset | None = None


@dataclass(frozen=True)
class ColumnOptions:
    """How to read a CSV/JSONL/Hugging Face data set."""

    text_col: str = "text"
    label_col: str = "label"
    label_map: str | Path | Mapping[str, str] | None = None


def _targets_from_label_sets(
    label_sets: Sequence[Sequence[str]], rule: MultiLabelRule
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    targets = np.zeros((len(label_sets), len(LABELS)), dtype=np.float32)
    keep = np.ones(len(label_sets), dtype=bool)
    for row, labels in enumerate(label_sets):
        unique = sorted(set(labels), key=label_index)
        if not unique:
            keep[row] = False
            continue
        if len(unique) > 1 and rule is MultiLabelRule.DROP:
            keep[row] = False
            continue
        for label in unique:
            targets[row, label_index(label)] = 1.0 / len(unique)
    return targets, keep


def _dataset(name: str, texts: list[str], label_sets: list[list[str]], rule: MultiLabelRule) -> EmotionDataset:
    targets, keep = _targets_from_label_sets(label_sets, rule)
    return EmotionDataset(name, [t for t, k in zip(texts, keep, strict=True) if k], targets[keep])


def load_goemotions_ekman(directory: str | Path, rule: MultiLabelRule = MultiLabelRule.SOFT) -> DataSplits:
    """Load GoEmotions with the Ekman mapping.

    Args:
        directory: The GoEmotions folder (containing ``ekman/``) or its ``ekman`` folder.
        rule: What to do with multi-label rows in the train split; dev and test keep them too (as soft
            targets) so callers can choose; evaluation takes :meth:`EmotionDataset.single_label`.

    Returns:
        Train, validation (``dev.tsv``) and test splits.

    Raises:
        FileNotFoundError: If the folder lacks the expected files.
    """
    root = Path(directory)
    folder = root / "ekman" if (root / "ekman").is_dir() else root
    labels_file = folder / "labels.txt"
    if not labels_file.is_file():
        raise FileNotFoundError(f"{labels_file} not found: expected GoEmotions' ekman/ folder (labels.txt, *.tsv)")
    id_to_label = [line.strip() for line in labels_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    id_to_label = map_labels(id_to_label)

    def split(file_name: str, split_rule: MultiLabelRule) -> EmotionDataset:
        path = folder / file_name
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found in the GoEmotions Ekman folder")
        texts: list[str] = []
        label_sets: list[list[str]] = []
        with path.open(encoding="utf-8", newline="") as handle:
            for line_no, line in enumerate(handle, start=1):
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2:
                    raise ValueError(f"{path}:{line_no}: expected text<TAB>label ids")
                texts.append(parts[0])
                label_sets.append([id_to_label[int(i)] for i in parts[1].split(",") if i.strip()])
        return _dataset(f"goemotions-ekman/{file_name.removesuffix('.tsv')}", texts, label_sets, split_rule)

    return DataSplits(
        train=split("train.tsv", rule),
        validation=split("dev.tsv", MultiLabelRule.SOFT),
        test=split("test.tsv", MultiLabelRule.SOFT),
    )


def _rows_to_dataset(name: str, rows: list[dict[str, Any]], columns: ColumnOptions) -> EmotionDataset:
    if not rows:
        raise ValueError(f"{name}: no rows")
    missing = [c for c in (columns.text_col, columns.label_col) if c not in rows[0]]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; found {sorted(rows[0])}")
    label_map = load_label_map(columns.label_map)
    texts = [str(row[columns.text_col]) for row in rows]
    raw = [str(row[columns.label_col]) for row in rows]
    labels = map_labels(raw, label_map)
    return _dataset(name, texts, [[label] for label in labels], MultiLabelRule.SOFT)


def load_csv(path: str | Path, columns: ColumnOptions = ColumnOptions()) -> EmotionDataset:
    """Load a CSV file with a header (extra columns are ignored).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If a column is missing or a label cannot be mapped.
        CsvRowError: If a quote left open keeps the rows from being told apart (it names the line).
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"data file {file} not found")
    with file.open(encoding="utf-8", newline="") as handle:
        # Surplus fields (under None) are ignored, as extra columns are.
        rows = [
            {key: value for key, value in row.items() if key is not None}
            for _, row in strict_rows(strict_reader(handle), str(file))
        ]
    return _rows_to_dataset(str(file), rows, columns)


def load_jsonl(path: str | Path, columns: ColumnOptions = ColumnOptions()) -> EmotionDataset:
    """Load a JSON-lines file with one object per line.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If a line is not a JSON object, a column is missing or a label cannot be mapped.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"data file {file} not found")
    rows: list[dict[str, Any]] = []
    with file.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{file}:{line_no}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise ValueError(f"{file}:{line_no}: expected a JSON object")
            rows.append(row)
    return _rows_to_dataset(str(file), rows, columns)


def load_hf_dataset(name: str, columns: ColumnOptions = ColumnOptions()) -> DataSplits:
    """Load a Hugging Face dataset by name (``name`` or ``name@config``).

    Integer class labels are turned into names through the dataset's ``ClassLabel`` feature, then mapped.

    Raises:
        ImportError: If the ``datasets`` package is not installed.
    """
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "hf-dataset: specs need the 'datasets' package: pip install 'eq-negotiator[datasets]'"
        ) from exc
    dataset_name, _, config = name.partition("@")
    loaded = datasets.load_dataset(dataset_name, config or None)

    def convert(split_name: str) -> EmotionDataset | None:
        if split_name not in loaded:
            return None
        split = loaded[split_name]
        feature = split.features.get(columns.label_col)
        names = getattr(feature, "names", None)
        rows = []
        for row in split:
            value = row[columns.label_col]
            rows.append({columns.text_col: row[columns.text_col], columns.label_col: names[value] if names else value})
        return _rows_to_dataset(f"{name}/{split_name}", rows, columns)

    train = convert("train")
    if train is None:
        raise ValueError(f"dataset {name} has no 'train' split")
    return DataSplits(train=train, validation=convert("validation"), test=convert("test"))


CREDIT_DIALOGUE_FILE = "credit_dialogue_emotions.csv"


def load_credit_dialogue(split: str = "all") -> EmotionDataset:
    """Load the project's credit-dialogue emotion set.

    Args:
        split: ``train``, ``test`` or ``all``.

    Raises:
        ValueError: For an unknown split.
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"credit-dialogue split must be train, test or all, not {split!r}")
    text = (resources.files("eq_negotiator.sensing") / "corpora" / CREDIT_DIALOGUE_FILE).read_text(encoding="utf-8")
    rows = [row for row in csv.DictReader(io.StringIO(text)) if split == "all" or row["split"] == split]
    return _rows_to_dataset(f"credit-dialogue/{split}", rows, ColumnOptions())


def load_negotiation_emotion_dataset(split: str = "all") -> EmotionDataset:
    """The negotiation emotion set (third-party text read from the public data folder) as a dataset.

    Args:
        split: ``train``, ``dev``, ``test`` or ``all``.

    Raises:
        ValueError: For an unknown split.
        ThirdPartyDataError: If the public data folder lacks the referenced files.
    """
    from eq_negotiator.sensing.negotiation_corpus import load_negotiation_emotions

    if split not in ("train", "dev", "test", "all"):
        raise ValueError(f"negotiation-emotions split must be train, dev, test or all, not {split!r}")
    rows = [row for row in load_negotiation_emotions() if split == "all" or row.split == split]
    return _rows_to_dataset(
        f"negotiation-emotions/{split}", [{"text": r.text, "label": r.label} for r in rows], ColumnOptions()
    )


def load_data(
    spec: str,
    columns: ColumnOptions = ColumnOptions(),
    rule: MultiLabelRule = MultiLabelRule.SOFT,
) -> DataSplits:
    """Load the data named by a data spec.

    Args:
        spec: One of the forms in :data:`DATA_SPEC_FORMS`.
        columns: Column names and label map for CSV, JSONL and Hugging Face data.
        rule: Multi-label rule for GoEmotions' train split.

    Returns:
        The splits the source provides (single files fill ``train`` only).

    Raises:
        ValueError: If the spec has an unknown form.
    """
    kind, sep, rest = spec.partition(":")
    if kind == "credit-dialogue":
        return DataSplits(train=load_credit_dialogue(rest or "all"))
    if kind == "negotiation-emotions":
        return DataSplits(train=load_negotiation_emotion_dataset(rest or "all"))
    if not sep or not rest:
        raise ValueError(f"unknown data spec {spec!r}; valid forms: {', '.join(DATA_SPEC_FORMS)}")
    if kind == "goemotions-ekman":
        return load_goemotions_ekman(rest, rule)
    if kind == "csv":
        return DataSplits(train=load_csv(rest, columns))
    if kind == "jsonl":
        return DataSplits(train=load_jsonl(rest, columns))
    if kind == "hf-dataset":
        return load_hf_dataset(rest, columns)
    raise ValueError(f"unknown data spec {spec!r}; valid forms: {', '.join(DATA_SPEC_FORMS)}")


def load_eval_data(spec: str, columns: ColumnOptions = ColumnOptions()) -> EmotionDataset:
    """Load the rows an evaluation scores: the test split if the source has one, else the file's rows.

    Only single-label rows are kept.
    """
    splits = load_data(spec, columns)
    dataset = splits.test if splits.test is not None else splits.train
    return dataset.single_label()


def train_validation_split(
    dataset: EmotionDataset, fraction: float, seed: int
) -> tuple[EmotionDataset, EmotionDataset]:
    """Split off a stratified validation part (by most probable label).

    Raises:
        ValueError: If the fraction is not in (0, 1) or the data set is too small.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation fraction must be in (0, 1), got {fraction}")
    if len(dataset) < 4:
        raise ValueError(f"{dataset.name}: {len(dataset)} rows are too few to split off a validation set")
    rng = np.random.default_rng(seed)
    labels = dataset.labels
    validation: list[int] = []
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        rng.shuffle(rows)
        take = round(len(rows) * fraction)
        validation.extend(rows[:take].tolist())
    if not validation:
        validation = [int(rng.integers(len(dataset)))]
    mask = np.zeros(len(dataset), dtype=bool)
    mask[validation] = True
    return dataset.subset(~mask, f"{dataset.name} (train part)"), dataset.subset(mask, f"{dataset.name} (validation)")
