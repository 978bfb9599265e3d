import csv
import json
from pathlib import Path

import numpy as np
import pytest

from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing.data import (
    ColumnOptions,
    MultiLabelRule,
    load_credit_dialogue,
    load_data,
    load_eval_data,
    load_goemotions_ekman,
    train_validation_split,
)
from eq_negotiator.sensing.labels import UnmappableLabelError

EKMAN_LABELS = ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"]


def _write_goemotions(root: Path) -> Path:
    folder = root / "ekman"
    folder.mkdir(parents=True)
    (folder / "labels.txt").write_text("\n".join(EKMAN_LABELS) + "\n")
    rows = ["so happy\t3\ta1", "so angry\t0\ta2", "happy and surprised\t3,6\ta3", "meh\t4\ta4"]
    for split in ("train", "dev", "test"):
        (folder / f"{split}.tsv").write_text("\n".join(rows) + "\n")
    return root


def test_goemotions_labels_are_mapped_by_name_not_position(tmp_path: Path) -> None:
    splits = load_goemotions_ekman(_write_goemotions(tmp_path))
    train = splits.train
    assert [LABELS[i] for i in train.labels[[0, 1, 3]]] == ["joy", "anger", "neutral"]
    # The multi-label row is kept as an even split over its labels.
    assert train.targets[2][LABELS.index("joy")] == pytest.approx(0.5)
    assert train.targets[2][LABELS.index("surprise")] == pytest.approx(0.5)
    assert len(train.single_label()) == 3


def test_goemotions_drop_rule_removes_multi_label_rows(tmp_path: Path) -> None:
    splits = load_goemotions_ekman(_write_goemotions(tmp_path), MultiLabelRule.DROP)
    assert len(splits.train) == 3
    assert splits.test is not None and len(splits.test) == 4  # evaluation splits keep them; scoring filters


def test_real_goemotions_counts_match_provenance(goemotions_dir: Path) -> None:
    splits = load_goemotions_ekman(goemotions_dir)
    assert len(splits.train) == 43410
    assert splits.test is not None and len(splits.test.single_label()) == 4968
    counts = splits.train.single_label().class_counts()
    # PROVENANCE.md: anger 4,293, disgust 498, fear 541, joy 15,216, neutral 12,823, sadness 2,326, surprise 3,858.
    expected = {
        "anger": 4293,
        "disgust": 498,
        "fear": 541,
        "joy": 15216,
        "neutral": 12823,
        "sadness": 2326,
        "surprise": 3858,
    }
    assert {label: int(counts[i]) for i, label in enumerate(LABELS)} == expected


def test_csv_with_extra_columns_and_custom_names(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["utterance", "emotion", "speaker"])
        writer.writerow(["thanks a lot", "happiness", "client"])
        writer.writerow(["whatever", "others", "client"])
    data = load_data(
        f"csv:{path}", ColumnOptions(text_col="utterance", label_col="emotion", label_map="others=neutral")
    ).train
    assert data.texts == ["thanks a lot", "whatever"]
    assert [LABELS[i] for i in data.labels] == ["joy", "neutral"]


def test_csv_errors_are_specific(tmp_path: Path, tiny_csv: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        load_data(f"csv:{tmp_path / 'nope.csv'}")
    with pytest.raises(ValueError, match="missing column"):
        load_data(f"csv:{tiny_csv}", ColumnOptions(text_col="utterance"))
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,bliss\n")
    with pytest.raises(UnmappableLabelError, match="bliss"):
        load_data(f"csv:{bad}")


def test_csv_unterminated_quote_is_an_error_naming_the_line_not_merged_rows(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('text,label\n"I can pay in 60 days,joy\nfine then,neutral\n"ok",neutral\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"quote\.csv: line 2: malformed CSV .*opens a quote"):
        load_data(f"csv:{path}")
    # A quoted cell may still hold a line break.
    path.write_text('text,label\n"two\nlines",joy\nfine then,neutral\n', encoding="utf-8")
    assert load_data(f"csv:{path}").train.texts == ["two\nlines", "fine then"]


def test_jsonl_loader(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps({"text": t, "label": lab}) for t, lab in [("yay", "joy"), ("no", "anger")]))
    data = load_eval_data(f"jsonl:{path}")
    assert len(data) == 2
    path.write_text("[1, 2]\n")
    with pytest.raises(ValueError, match="expected a JSON object"):
        load_data(f"jsonl:{path}")


@pytest.mark.parametrize("spec", ["", "tsv:x", "goemotions-ekman", "csv:"])
def test_unknown_data_spec_lists_valid_forms(spec: str) -> None:
    with pytest.raises(ValueError, match="valid forms"):
        load_data(spec)


def test_validation_split_is_stratified_and_disjoint(tiny_csv: Path) -> None:
    data = load_data(f"csv:{tiny_csv}").train
    train, validation = train_validation_split(data, 0.3, seed=1)
    assert len(train) + len(validation) == len(data)
    assert set(validation.labels.tolist()) == set(range(7))
    with pytest.raises(ValueError):
        train_validation_split(data, 1.5, seed=1)


def test_credit_dialogue_set_has_two_passes_and_a_kept_split() -> None:
    everything = load_credit_dialogue("all")
    train, test = load_credit_dialogue("train"), load_credit_dialogue("test")
    assert len(everything) >= 300
    assert len(train) + len(test) == len(everything)
    assert not set(train.texts) & set(test.texts)
    counts = everything.class_counts()
    assert (counts >= 30).all(), dict(zip(LABELS, counts, strict=True))
    from importlib import resources

    source = resources.files("eq_negotiator.sensing").joinpath("corpora", "credit_dialogue_emotions.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["speaker"] for r in rows} == {"client", "collector"}
    for row in rows:
        assert {row["label"], row["label_pass1"], row["label_pass2"]} <= set(LABELS)
        # Adjudication picks one of the two passes.
        assert row["label"] in (row["label_pass1"], row["label_pass2"])
    agreement = np.mean([r["label_pass1"] == r["label_pass2"] for r in rows])
    assert agreement > 0.8


def test_credit_dialogue_spec_and_bad_split() -> None:
    assert len(load_data("credit-dialogue:test").train) == len(load_credit_dialogue("test"))
    with pytest.raises(ValueError, match="train, test or all"):
        load_data("credit-dialogue:dev")
