"""The serving process loads heavy libraries only when a run needs them (each costs tens of MB in every worker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# A whole dialogue with a sensor that needs no encoder and the model checks off (the default): opened, two turns
# answered and closed without learning (the vanilla policy learns nothing).
DIALOGUE_WITHOUT_ENCODER = """
import json, sys
from eq_negotiator.graph import Context, open_negotiator
from tests.unit.graph.fakes import keyword_sensor

negotiator = open_negotiator("memory", context=Context(policy="vanilla"), sensor=keyword_sensor())
negotiator.send("t", "I lost my job and I am sad.")
negotiator.send("t", "Could we make it 60 days?")
negotiator.close("t")
print(json.dumps(sorted(name for name in ("torch", "sklearn", "scipy", "hmmlearn") if name in sys.modules)))
"""


def _loaded_after(code: str) -> list[str]:
    """The heavy modules loaded in a fresh interpreter once ``code`` has run (it prints them as JSON)."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_session_api_loads_no_torch() -> None:
    code = "import json, sys; import eq_negotiator.graph.session, eq_negotiator.graph.builder; "
    code += "print(json.dumps([name for name in ('torch', 'sklearn', 'scipy', 'hmmlearn') if name in sys.modules]))"
    assert _loaded_after(code) == []


def test_a_dialogue_whose_sensor_needs_no_encoder_loads_no_torch() -> None:
    assert _loaded_after(DIALOGUE_WITHOUT_ENCODER) == []
