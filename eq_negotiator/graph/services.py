"""What the nodes call: the sensor, policy, prompts and chat model a run's :class:`Context` names, built once.

Loading a sensor or a chat model is expensive, so each is built on first use and cached by its spec. An embedder can
hand in ready instances (``build_graph(model=..., sensor=...)``), which then take precedence over the context.
What a policy learns across dialogues is read from and written to the LangGraph store, under a namespace per client
segment, so every worker sees the same learning and a restart keeps it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from typing import Any, Final, Protocol

from langchain_core.language_models.chat_models import BaseChatModel
from langgraph.store.base import BaseStore

from eq_negotiator.graph.context import Context
from eq_negotiator.negotiation.guard import ComplianceModel
from eq_negotiator.negotiation.rights import RightsModel
from eq_negotiator.prompts import PromptSet, load_prompts
from eq_negotiator.reasoning import Policy, make_policy
from eq_negotiator.responders import resolve_chat_model
from eq_negotiator.sensing import EmotionSensor, load_sensor

POLICY_NAMESPACE: Final[str] = "eq_negotiator"

DIGEST_KEY: Final[str] = "digest"
"""Key, next to ``"state"`` in a stored policy item, of the state's :func:`state_digest`."""


def policy_namespace(segment: str) -> tuple[str, ...]:
    """Store namespace holding what policies learned for a client segment."""
    return (POLICY_NAMESPACE, "policy_state", segment)


class ModelLayer(RightsModel, ComplianceModel, Protocol):
    """The learned layer beside the word rules: rights scores for client messages, compliance scores for replies."""


class Services:
    """Resolves and caches the components a run's context names.

    Args:
        model: A chat model to use for every run, whatever the context says.
        sensor: An emotion sensor to use for every run.
        perception: A model layer for the rights and compliance checks to use for every run (default: the embedded
            perception model, sharing its encoder pass with the embedded sensor).
    """

    def __init__(
        self,
        *,
        model: BaseChatModel | None = None,
        sensor: EmotionSensor | None = None,
        perception: ModelLayer | None = None,
    ) -> None:
        self._model = model
        self._sensor = sensor
        self._perception = perception
        self._sensors: dict[str, EmotionSensor] = {}
        self._models: dict[tuple[str | None, str | None], BaseChatModel] = {}
        self._policies: dict[tuple[str, str, int], tuple[Policy, str | None]] = {}
        self._reader: ModelLayer | None = None
        self._lock = threading.Lock()

    def sensor(self, context: Context) -> EmotionSensor:
        """The emotion sensor for ``context``."""
        if self._sensor is not None:
            return self._sensor
        with self._lock:
            if context.sensor not in self._sensors:
                self._sensors[context.sensor] = load_sensor(context.sensor)
            return self._sensors[context.sensor]

    def perception(self, context: Context) -> ModelLayer | None:
        """The model layer for client rights and reply compliance, or ``None`` when ``context.model_checks`` is off.

        It shares the encoder pass with the embedded sensor when that is the turn's sensor; with another sensor
        the embedded model is loaded once per process for these checks.
        """
        if not context.model_checks:
            return None
        if self._perception is not None:
            return self._perception
        # Imported here: the perception module imports torch (about 190 MB), which a process whose sensor and checks
        # need no encoder (a tfidf sensor, model checks off) should never load.
        from eq_negotiator.sensing.perception import PerceptionReader, shared_embedded_reader

        reader = getattr(self.sensor(context), "reader", None)
        if isinstance(reader, PerceptionReader):
            return reader
        with self._lock:
            if self._reader is None:
                self._reader = shared_embedded_reader()
            return self._reader

    def chat_model(self, context: Context) -> BaseChatModel:
        """The chat model for ``context`` (the offline responder when none is configured)."""
        if self._model is not None:
            return self._model
        key = (context.model, context.base_url)
        with self._lock:
            if key not in self._models:
                self._models[key] = resolve_chat_model(context.model, base_url=context.base_url)
            return self._models[key]

    def prompts(self, context: Context) -> PromptSet:
        """The prompt templates for ``context``."""
        return load_prompts(context.prompt_dir)

    def check(self, context: Context) -> None:
        """Build everything ``context`` names now, so a bad setting fails at start-up rather than mid-dialogue.

        Raises:
            ValueError: For an unknown policy, sensor spec or model, or a broken prompt directory.
        """
        make_policy(context.policy, seed=context.seed)
        self.prompts(context)
        self.chat_model(context)
        self.sensor(context)
        self.perception(context)

    def policy(self, context: Context, store: BaseStore | None) -> Policy:
        """The policy for ``context``, holding what was learned for its segment (reloaded when the store changed).

        The cached policy is reused while the stored state's digest is unchanged. The digest, not the item's
        ``updated_at``, tells versions apart: SqliteStore keeps ``updated_at`` to the second, so a save by another
        worker within the same second would look unchanged and never be loaded.
        """
        key = (context.policy, context.segment, context.seed)
        item = store.get(policy_namespace(context.segment), context.policy) if store is not None else None
        version = _stored_digest(item.value) if item is not None else None
        with self._lock:
            cached = self._policies.get(key)
            if cached is not None and cached[1] == version:
                return cached[0]
            policy = make_policy(context.policy, seed=context.seed)
            if item is not None:
                policy.load_state_dict(item.value["state"])
            self._policies[key] = (policy, version)
            return policy

    def save_policy(self, context: Context, store: BaseStore | None, policy: Policy) -> None:
        """Write what ``policy`` learned to the store (kept in this process only when there is no store)."""
        key = (context.policy, context.segment, context.seed)
        version = None
        if store is not None:
            state = policy.state_dict()
            version = state_digest(state)
            store.put(policy_namespace(context.segment), context.policy, {"state": state, DIGEST_KEY: version})
        with self._lock:
            self._policies[key] = (policy, version)


def state_digest(state: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``state`` as canonical JSON: equal for equal content, whatever the key order."""
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _stored_digest(value: Mapping[str, Any]) -> str:
    """The digest saved with a stored policy state, or the state's own digest for items saved without one."""
    digest = value.get(DIGEST_KEY)
    return digest if isinstance(digest, str) else state_digest(value["state"])
