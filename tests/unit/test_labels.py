import json
from pathlib import Path

import pytest

from eq_negotiator.sensing.labels import UnmappableLabelError, load_label_map, map_label, map_labels


def test_builtin_synonyms_map_onto_the_seven_labels() -> None:
    assert map_label("Happiness") == "joy"
    assert map_label(" no emotion ") == "neutral"
    assert map_label("love") == "joy"
    assert map_labels(["anger", "DISGUST", "sad"]) == ["anger", "disgust", "sadness"]


def test_unmappable_labels_are_listed_together() -> None:
    with pytest.raises(UnmappableLabelError, match=r"\['LABEL_3', 'others'\]"):
        map_labels(["joy", "others", "LABEL_3"])


def test_user_map_from_inline_string_and_file(tmp_path: Path) -> None:
    inline = load_label_map("others=neutral, LABEL_3=fear")
    assert map_label("others", inline) == "neutral"
    assert map_label("label_3", inline) == "fear"
    file = tmp_path / "map.json"
    file.write_text(json.dumps({"worry": "fear"}))
    assert map_label("worry", load_label_map(file)) == "fear"


def test_user_map_to_an_unknown_label_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of"):
        load_label_map({"worry": "anxiety"})
    with pytest.raises(ValueError, match="name=label"):
        load_label_map("worry")
