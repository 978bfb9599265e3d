"""Mapping other emotion vocabularies onto the seven EQ-Negotiator labels.

Public emotion models and data sets name their classes differently (``happiness``, ``no emotion``, ``love``,
``LABEL_3``). A sensor or data loader maps each name through :func:`map_label`; a name that cannot be mapped is
an error, never silently dropped, because a wrong mapping skews every downstream decision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from eq_negotiator.emotions import LABELS

DEFAULT_LABEL_MAP: dict[str, str] = {
    **{label: label for label in LABELS},
    # Common spellings in public emotion models and data sets.
    "happiness": "joy",
    "happy": "joy",
    "love": "joy",
    "joyful": "joy",
    "sad": "sadness",
    "angry": "anger",
    "fearful": "fear",
    "scared": "fear",
    "surprised": "surprise",
    "disgusted": "disgust",
    "no emotion": "neutral",
    "no_emotion": "neutral",
    "none": "neutral",
    "noemotion": "neutral",
}
"""Built-in synonyms (lower-case) for the seven labels."""


class UnmappableLabelError(ValueError):
    """Raised when a class name has no mapping onto the seven labels."""


def _normalise(name: str) -> str:
    return name.strip().lower()


def load_label_map(source: str | Path | Mapping[str, str] | None) -> dict[str, str]:
    """Return the built-in map extended by a user map.

    Args:
        source: A mapping, a path to a JSON object file, an inline ``"a=b,c=d"`` string, or ``None``.

    Returns:
        A lower-cased mapping from foreign class names to our labels.

    Raises:
        ValueError: If a target is not one of the seven labels or the source cannot be parsed.
    """
    mapping = dict(DEFAULT_LABEL_MAP)
    if source is None:
        return mapping
    extra: Mapping[str, str]
    if isinstance(source, Mapping):
        extra = source
    else:
        text = str(source)
        path = Path(text)
        if path.suffix == ".json" or path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise ValueError(f"cannot read label map file {path}: {exc}") from exc
            if not isinstance(loaded, dict):
                raise ValueError(f"label map file {path} must hold a JSON object of name -> label")
            extra = {str(k): str(v) for k, v in loaded.items()}
        else:
            pairs = [item for item in text.split(",") if item.strip()]
            if not pairs or any("=" not in item for item in pairs):
                raise ValueError(f"label map {text!r} must be a JSON file or 'name=label,name=label'")
            extra = dict(tuple(part.strip() for part in item.split("=", 1)) for item in pairs)  # type: ignore[misc]
    for name, target in extra.items():
        if target not in LABELS:
            raise ValueError(f"label map sends {name!r} to {target!r}, which is not one of {', '.join(LABELS)}")
        mapping[_normalise(name)] = target
    return mapping


def map_label(name: str, label_map: Mapping[str, str] | None = None) -> str:
    """Map one foreign class name to one of the seven labels.

    Args:
        name: The foreign class name (case and surrounding spaces are ignored).
        label_map: The map to use; the built-in map when ``None``.

    Returns:
        The label.

    Raises:
        UnmappableLabelError: If the name has no mapping.
    """
    mapping = DEFAULT_LABEL_MAP if label_map is None else label_map
    try:
        return mapping[_normalise(name)]
    except KeyError:
        raise UnmappableLabelError(
            f"class {name!r} cannot be mapped onto {', '.join(LABELS)}; "
            "pass a label map (e.g. --label-map 'love=joy,others=neutral' or a JSON file)"
        ) from None


def map_labels(names: Iterable[str], label_map: Mapping[str, str] | None = None) -> list[str]:
    """Map several names, reporting every unmappable one at once.

    Raises:
        UnmappableLabelError: Listing all names that have no mapping.
    """
    names = list(names)
    mapping = DEFAULT_LABEL_MAP if label_map is None else label_map
    unknown = sorted({n for n in names if _normalise(n) not in mapping})
    if unknown:
        raise UnmappableLabelError(
            f"classes {unknown} cannot be mapped onto {', '.join(LABELS)}; "
            "pass a label map (e.g. --label-map 'love=joy,others=neutral' or a JSON file)"
        )
    return [mapping[_normalise(n)] for n in names]
