"""Node ``sense_emotion``: read the language and the emotion of the client's newest message.

The language comes first (:func:`~eq_negotiator.sensing.language.identify_language`, into ``language``): a message
in a language the sensor does not read gets no emotion reading but a neutral one flagged
:data:`~eq_negotiator.sensing.language.FLAG_UNSUPPORTED_LANGUAGE`, and the graph answers it with a fixed reply
instead of negotiating.

A sensor that fails on one message (raises) does not stop the dialogue: the turn goes on with a neutral reading
flagged :data:`FLAG_SENSOR_FAILED` (which policies treat as no evidence) and ``sensor_error:<type>``, and the
failure is logged with the client's details masked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from langgraph.errors import GraphBubbleUp
from langgraph.runtime import Runtime

from eq_negotiator.dialogue import DialogueClosedError, check_client_message
from eq_negotiator.emotions import EmotionReading
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.nodes.common import context_of, latest_client_message
from eq_negotiator.redaction import get_logger, redact
from eq_negotiator.sensing.language import FLAG_UNSUPPORTED_LANGUAGE, identify_language

logger = get_logger(__name__)

FLAG_SENSOR_FAILED: Final[str] = "sensor_failed"
"""Reading flag: the sensor raised on this message, so the reading is a neutral stand-in carrying no evidence."""

SENSOR_ERROR_PREFIX: Final[str] = "sensor_error:"
"""Prefix of the reading flag naming the exception type the sensor raised (``sensor_error:ValueError``)."""


def make_sense_emotion(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def sense_emotion(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Check the client's message, and read its language into ``language`` and its emotion into ``reading``."""
        if state.get("closed"):
            raise DialogueClosedError("this dialogue has ended; start a new thread")
        context = context_of(runtime)
        text = check_client_message(latest_client_message(state.get("messages", [])).text, context.max_message_chars)
        language = identify_language(text)
        if not language.supported:  # the sensor would read it as neutral, and that would pass for evidence
            return {
                "reading": EmotionReading.neutral(flags=(FLAG_UNSUPPORTED_LANGUAGE,)).to_dict(),
                "language": language.to_dict(),
            }
        sensor = services.sensor(context)
        try:
            reading = sensor.read(text)
        except GraphBubbleUp:  # LangGraph's own control flow (interrupts), never a sensor fault
            raise
        except Exception as error:
            reading = EmotionReading.neutral(flags=(FLAG_SENSOR_FAILED, SENSOR_ERROR_PREFIX + type(error).__name__))
            # The message may quote the client's text: masked here with the scenario's names, and again (patterns
            # only) by the package loggers' filter.
            scenario = state.get("scenario") or context.scenario
            names = [str(scenario[key]) for key in ("debtor", "creditor") if scenario.get(key)]
            logger.warning(
                "emotion sensor %s failed on turn %d (%s: %s); going on with a neutral reading",
                getattr(sensor, "spec", type(sensor).__name__),
                int(state.get("turn", 0)) + 1,
                type(error).__name__,
                redact(str(error), names),
            )
        return {"reading": reading.to_dict(), "language": language.to_dict()}

    return sense_emotion
