from pathlib import Path

import pytest

from eq_negotiator.sensing.base_model import (
    EMBEDDED_BASE_SHA256,
    BaseModelError,
    embedded_base_path,
    resolve_base,
    verify_weights,
)


def test_shipped_base_weights_pass_their_check() -> None:
    folder = embedded_base_path()
    assert (folder / "model.safetensors").is_file()
    assert resolve_base("embedded-base") == str(folder)
    assert resolve_base("sentence-transformers/all-MiniLM-L6-v2") == str(folder)
    assert resolve_base("roberta-base") == "roberta-base"


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the real weights")
    with pytest.raises(BaseModelError, match=f"expected {EMBEDDED_BASE_SHA256}"):
        verify_weights(tmp_path)


def test_missing_weights_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BaseModelError, match="not found"):
        verify_weights(tmp_path)
