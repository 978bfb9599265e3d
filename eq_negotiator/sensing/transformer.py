"""Transformer sensors: any Hugging Face sequence classifier (``hf:``) and the embedded MiniLM sensor.

A model folder written by ``eqn emotion train`` carries ``eqn_sensor.json`` (labels, calibration, length limit,
sha256 of its weight files). Foreign checkpoints are used through their ``id2label`` names, mapped onto the seven
labels; probabilities of classes that map to the same label are added.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from eq_negotiator.emotions import LABELS, label_index
from eq_negotiator.sensing.base import EmotionSensor, SensorLoadError
from eq_negotiator.sensing.base_model import BaseModelError, verify_manifest
from eq_negotiator.sensing.labels import load_label_map, map_labels
from eq_negotiator.sensing.metrics import Calibration, softmax
from eq_negotiator.sensing.perception import group_log_probabilities, grouping_matrix
from eq_negotiator.sensing.training import (
    SENSOR_CONFIG_FILE,
    ensure_pad_token,
    load_seven_label_base,
    predict_logits,
    quiet_transformers,
)

EMBEDDED_MODEL_PACKAGE = "eq_negotiator.sensing.models"
EMBEDDED_MODEL_DIR = "embedded"
EMBEDDED_REBUILD_COMMAND = (
    "eqn emotion train --base embedded-base --data goemotions-ekman:<GoEmotions dir> "
    "--out eq_negotiator/sensing/models/embedded (exact flags in eq_negotiator/sensing/models/embedded/README.md)"
)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def embedded_model_dir() -> Path:
    """Return the folder of the embedded sensor's adapter inside the installed package."""
    return Path(str(resources.files(EMBEDDED_MODEL_PACKAGE).joinpath(EMBEDDED_MODEL_DIR)))


def _read_sensor_config(directory: Path, rebuild_hint: str) -> dict[str, Any] | None:
    path = directory / SENSOR_CONFIG_FILE
    if not path.is_file():
        return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SensorLoadError(f"sensor config {path} is unreadable ({exc}); {rebuild_hint}") from exc
    if not isinstance(config, dict) or list(config.get("labels", [])) != list(LABELS):
        raise SensorLoadError(f"sensor config {path} does not describe the seven labels; {rebuild_hint}")
    verify_manifest(directory, config.get("files", {}), rebuild_hint)
    return config


class TransformerSensor(EmotionSensor):
    """A sensor backed by a transformers sequence-classification model.

    Args:
        source: Hugging Face model id, or a local folder (full checkpoint or a LoRA adapter folder).
        spec: Spec string to report.
        label_map: Extra foreign-name → label mapping (JSON file, ``"a=b,c=d"`` or a dict).
        batch_size: Utterances per forward pass in :meth:`read_many`.
        threads: Torch CPU threads; ``None`` leaves torch's default.
        rebuild_hint: What to tell the user when model files are missing or broken.
    """

    def __init__(
        self,
        source: str | Path,
        *,
        spec: str | None = None,
        label_map: str | Path | Mapping[str, str] | None = None,
        batch_size: int = 64,
        threads: int | None = None,
        rebuild_hint: str | None = None,
    ) -> None:
        self.spec = spec or f"hf:{source}"
        self.batch_size = batch_size
        if threads:
            torch.set_num_threads(threads)
        local = Path(source)
        hint = rebuild_hint or "retrain it with `eqn emotion train` or download the checkpoint again"
        sensor_config: dict[str, Any] | None = None
        if local.exists():
            if not local.is_dir():
                raise SensorLoadError(f"{local} is a file; hf: needs a model folder or a Hugging Face model id")
            sensor_config = _read_sensor_config(local, hint)
        self.tokenizer: Any
        self.model: Any
        # A perception model folder (format 2) has a fine-label head read through its grouping.
        self._fine_labels: list[str] | None = (
            list(sensor_config["fine_labels"]) if sensor_config and ("fine_labels" in sensor_config) else None
        )
        self.tokenizer, self.model = self._load(str(source), local if local.exists() else None, hint)
        self.model.eval()
        # Only models our train command wrote carry a calibration (fitted on their own seven outputs).
        self.calibration: Calibration | None = (
            Calibration.from_dict(sensor_config["calibration"]) if sensor_config else None
        )
        self._grouping = grouping_matrix(sensor_config["grouping"]) if self._fine_labels and sensor_config else None
        self.projection = (
            self._grouping if self._grouping is not None else self._label_projection(load_label_map(label_map))
        )
        configured = int(sensor_config["max_length"]) if sensor_config else 512
        model_limit = getattr(self.model.config, "max_position_embeddings", configured) or configured
        tokenizer_limit = getattr(self.tokenizer, "model_max_length", configured) or configured
        self.max_length = int(min(configured, model_limit, tokenizer_limit))

    def _load(self, source: str, local: Path | None, hint: str) -> tuple[Any, Any]:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        offline = _truthy(os.environ.get("HF_HUB_OFFLINE")) or _truthy(os.environ.get("TRANSFORMERS_OFFLINE"))
        options: dict[str, Any] = {"local_files_only": True} if offline or local else {}
        try:
            with quiet_transformers():
                if local is not None and (local / "adapter_config.json").is_file():
                    return self._load_adapter(local, options)
                tokenizer = AutoTokenizer.from_pretrained(source, **options)
                model = AutoModelForSequenceClassification.from_pretrained(source, **options)
        except (SensorLoadError, BaseModelError):
            raise
        except Exception as exc:
            where = f"model folder {local}" if local else f"Hugging Face model {source!r}"
            extra = " (HF_HUB_OFFLINE is set: only the local cache is used)" if offline and not local else ""
            raise SensorLoadError(f"cannot load {where}{extra}: {exc}; {hint}") from exc
        ensure_pad_token(tokenizer, model)
        return tokenizer, model

    def _load_adapter(self, folder: Path, options: dict[str, Any]) -> tuple[Any, Any]:
        from peft import PeftConfig, PeftModel

        from eq_negotiator.sensing.base_model import resolve_base

        peft_config = PeftConfig.from_pretrained(str(folder))
        base = resolve_base(str(peft_config.base_model_name_or_path))
        tokenizer_source = str(folder) if (folder / "tokenizer_config.json").is_file() else base
        base_options = {} if Path(base).exists() else options
        labels = self._fine_labels or LABELS
        tokenizer, model = load_seven_label_base(base, tokenizer_source, labels, **base_options)
        # Merging the adapter into the base weights makes inference as fast as a plain model.
        merged = PeftModel.from_pretrained(model, str(folder)).merge_and_unload()
        return tokenizer, merged

    def _label_projection(self, label_map: Mapping[str, str]) -> NDArray[np.float64]:
        """Matrix summing the model's class probabilities into the seven labels."""
        id2label = self.model.config.id2label
        names = [str(id2label[i]) for i in range(int(self.model.config.num_labels))]
        mapped = map_labels(names, label_map)
        projection = np.zeros((len(names), len(LABELS)))
        for i, label in enumerate(mapped):
            projection[i, label_index(label)] = 1.0
        return projection

    def _truncation_mask(self, texts: list[str]) -> NDArray[np.bool_]:
        mask = np.zeros(len(texts), dtype=bool)
        for i, text in enumerate(texts):
            # Tokens rarely outnumber characters by 3x (+ specials); only text that might be too long is counted.
            if 3 * len(text) + 4 > self.max_length:
                mask[i] = len(self.tokenizer(text, truncation=False)["input_ids"]) > self.max_length
        return mask

    def logits(self, texts: list[str]) -> NDArray[np.float64]:
        """Return the model's raw logits, ``(n, k)`` in the model's own class order."""
        return predict_logits(self.model, self.tokenizer, texts, self.max_length, self.batch_size)

    def _probabilities(self, texts: list[str]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        truncated = self._truncation_mask(texts)
        logits = self.logits(texts)
        if self._grouping is not None:  # the calibration was fitted on the grouped seven-label log-probabilities
            grouped = group_log_probabilities(logits, self._grouping)
            return (self.calibration.apply(grouped) if self.calibration else softmax(grouped)), truncated
        calibrated = self.calibration.apply(logits) if self.calibration else softmax(logits)
        probabilities = calibrated @ self.projection
        return probabilities, truncated


def load_embedded_sensor(threads: int | None = None) -> EmotionSensor:
    """Load the embedded sensor (fine-tuned all-MiniLM-L6-v2 adapter shipped with the package).

    It is served by the compact torch encoder (:mod:`eq_negotiator.sensing.compact`), which computes the same
    logits as the ``transformers`` + ``peft`` path without importing either.

    Raises:
        SensorLoadError: If the adapter files are missing or corrupted (naming the file and the rebuild command).
        eq_negotiator.sensing.base_model.BaseModelError: If the base weights fail their sha256 check.
    """
    from eq_negotiator.sensing.base_model import embedded_base_path
    from eq_negotiator.sensing.compact import CompactSensor

    directory = embedded_model_dir()
    hint = f"rebuild it with: {EMBEDDED_REBUILD_COMMAND}"
    for required in ("adapter_config.json", "adapter_model.safetensors", SENSOR_CONFIG_FILE):
        if not (directory / required).is_file():
            raise SensorLoadError(f"embedded sensor file {directory / required} is missing; {hint}")
    sensor_config = _read_sensor_config(directory, hint)
    if sensor_config is None:  # checked just above; keeps the type checker informed
        raise SensorLoadError(f"embedded sensor file {directory / SENSOR_CONFIG_FILE} is missing; {hint}")
    return CompactSensor(embedded_base_path(), directory, sensor_config, spec="embedded", threads=threads)
