"""Who writes the agent's replies: any LangChain chat model, or the offline responder."""

from eq_negotiator.responders.offline import OFFLINE_MODEL_NAME, OfflineResponder
from eq_negotiator.responders.providers import (
    OFFLINE,
    ModelConfigError,
    TemperatureSchedule,
    is_offline,
    is_transient_error,
    model_name,
    resolve_chat_model,
)

__all__ = [
    "OFFLINE",
    "OFFLINE_MODEL_NAME",
    "ModelConfigError",
    "OfflineResponder",
    "TemperatureSchedule",
    "is_offline",
    "is_transient_error",
    "model_name",
    "resolve_chat_model",
]
