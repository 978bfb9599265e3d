"""The offline responder: a deterministic chat model that writes a stance-appropriate reply with no LLM.

It is what the agent speaks with when no model is configured, so the whole pipeline runs with no network and no
key. Each reply is assembled from phrase banks per stance (an opening in the stance's tone, the offer, a closing),
picked by a seeded generator so replies vary from turn to turn yet repeat exactly under the same seed. It states the
offer it is given and nothing else; it never invents terms.

It is a LangChain :class:`BaseChatModel`, so the graph calls and streams it exactly like a real provider; the
reply's ``response_metadata`` says ``{"offline": True}``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

OFFLINE_MODEL_NAME: Final[str] = "eqn-offline-responder"

# {first}: the client's first name; {days}: the offer; {balance}: the balance; {creditor}: the creditor.
OPENINGS: Final[Mapping[str, Sequence[str]]] = {
    "joy": (
        "Thanks for talking this through with me, {first} - I'm confident we can sort this out together.",
        "I appreciate you engaging with this, {first}; we're closer to a plan than it may feel.",
        "Good to hear from you, {first}. I think we can find something that works for both of us.",
        "{first}, I'm glad we're working on this together - there's a good way forward here.",
    ),
    "sadness": (
        "I'm sorry things have been so hard, {first}; I want to make this as manageable as I can.",
        "That sounds really difficult, {first}, and I appreciate you telling me.",
        "I understand this is a heavy situation, {first}. Let's take it one step at a time.",
        "Thank you for being open about what you're going through, {first}; it helps me help you.",
    ),
    "anger": (
        "{first}, I need to be clear and direct with you: this balance has to be resolved now.",
        "I hear you, {first}, but this account needs a firm plan today.",
        "Let me be straightforward, {first}: we cannot leave this balance open any longer.",
        "{first}, I'll be plain with you: this needs a concrete commitment from you now.",
    ),
    "fear": (
        "{first}, I want you to be aware of where this account stands if it stays unpaid.",
        "It's worth being careful here, {first}: the longer the balance stays in arrears, the harder it gets.",
        "{first}, I'd like to help you avoid this account falling further behind.",
        "Please consider this carefully, {first}; more time in arrears only makes things harder to fix.",
    ),
    "surprise": (
        "Here's a different idea, {first}, that might break the deadlock.",
        "Let me suggest something you may not have considered, {first}.",
        "{first}, what if we looked at this from another angle?",
        "I have an option that could change the picture, {first}.",
    ),
    "disgust": (
        "{first}, I'm disappointed we haven't made more progress, but I still want to find a solution.",
        "Frankly, {first}, this isn't going the way I'd hoped, though I'm still here to work it out.",
        "{first}, I had hoped we'd be further along by now; let's get this back on track.",
        "I'll be honest, {first}: this conversation has stalled, and I'd like us to move it forward.",
    ),
    "neutral": (
        "Thank you, {first}. Let me set out where things stand.",
        "Understood, {first}. Here are the facts of the account.",
        "Thanks, {first}. Let's look at the practical options.",
        "Noted, {first}. Let's keep this practical.",
    ),
    "none": (
        "Thanks for your message, {first}.",
        "I see, {first}.",
        "Thank you for getting back to me, {first}.",
        "Okay, {first}.",
    ),
}

OFFERS: Final[Mapping[str, Sequence[str]]] = {
    "surprise": (
        "Instead of one lump sum, we could split the {balance} over {days} days, with the first payment whenever "
        "suits you this week.",
        "How about we set the {balance} on a {days}-day plan and agree a check-in halfway through?",
        "One option: a {days}-day plan for the {balance}, starting with a small first payment to get it moving.",
    ),
    "default": (
        "{creditor} can offer you {days} days to repay the {balance}.",
        "What I can put forward is a repayment plan of {days} days for the {balance}.",
        "The plan on the table is {days} days to clear the {balance}.",
    ),
}

CLOSINGS: Final[Mapping[str, Sequence[str]]] = {
    "joy": ("Does that sound workable?", "I think that could work well for you - shall we go with it?"),
    "sadness": ("Would that feel manageable for you?", "Take a moment - would that work in your situation?"),
    "anger": ("I need your commitment to that plan.", "Please confirm that you will keep to it."),
    "fear": ("Can we agree on that before it falls further behind?", "Shall we settle it on that basis?"),
    "surprise": ("Would that work for you?", "What do you think of that?"),
    "disgust": ("Can we agree on that and move forward?", "Let's settle it on that basis, shall we?"),
    "neutral": ("Does that work for you?", "Let me know if you can agree to that."),
    "none": ("Let me know what you think.", "Would that work for you?"),
}


# Replies once the negotiation has ended: they confirm the agreement, or close without one; no new terms.
AGREED: Final[Sequence[str]] = (
    "Thank you, {first}. We have an agreement: {days} days to repay the {balance}. You will receive the plan in "
    "writing, and you can contact us at any time if anything changes.",
    "That's settled then, {first}: {days} days for the {balance}. I'll send you the written confirmation of the plan.",
    "Agreed, {first}: {days} days to clear the {balance}. Thank you for working this out with me; the details will "
    "follow in writing.",
)
ENDED: Final[Sequence[str]] = (
    "We haven't reached an agreement today, {first}. The offer of {days} days for the {balance} stands, and you can "
    "contact {creditor} whenever you are ready to discuss it.",
    "I understand we can't agree on a plan right now, {first}. Our offer remains {days} days to repay the "
    "{balance}; please get in touch when you'd like to continue.",
)

AGREED_IN_FULL: Final[Sequence[str]] = (
    "Thank you, {first}. We have an agreement: you will pay the {balance} in full by {pay_date}, within {days_text}. "
    "You will receive the confirmation in writing.",
    "That's settled, {first}: payment of the {balance} in full by {pay_date} ({days_text}). Thank you; I'll send you "
    "the written confirmation.",
)
# Replies that ask the client to confirm unclear terms: they never repeat the client's number and agree to nothing.
CLARIFY: Final[Mapping[str, str]] = {
    "unreadable_number": "I couldn't read the number in your message.",
    "implausible": "the timeline in your message doesn't look like one you meant.",
    "several_numbers": "your message mentions more than one timeline.",
    "conflicting_accept": "you said you agree, but named different terms from our offer.",
    "unclear_amount": "I'm not sure whether you mean the full balance or a first payment on that date.",
    "unclear_date": "I'm not sure by when you can make that payment.",
}
CLARIFY_ASKS: Final[Sequence[str]] = (
    "I want to be sure I have your terms exactly right, {first}: {why} Could you confirm the exact terms - the "
    "number of days you propose, or the date and the amount? Until then our offer of {days_text} to repay the "
    "{balance} stands.",
    "Before we go further, {first}, let me check one thing: {why} Please tell me the exact terms in plain figures "
    "(a number of days, or a date and an amount). Our offer stays at {days_text} for the {balance}.",
)

SITUATIONS: Final[tuple[str, ...]] = ("offer", "agreed", "agreed_in_full", "clarify", "ended")
"""What a reply does: state the standing offer, confirm the agreement (or a payment in full), ask the client to
confirm unclear terms, or close without one."""


class OfflineResponder(BaseChatModel):
    """A deterministic, offline chat model for the agent's replies (see the module docstring).

    Call it with keyword arguments: ``stance`` (a label or ``None``), ``scenario`` (the scenario dict),
    ``offer_days`` (the timeline to state), ``seed`` (an int) and ``situation`` (one of :data:`SITUATIONS`).
    Without them it answers with a neutral line stating a 30-day offer.
    """

    @property
    def _llm_type(self) -> str:
        return OFFLINE_MODEL_NAME

    def compose(
        self,
        *,
        stance: str | None,
        scenario: Mapping[str, Any],
        offer_days: int,
        seed: int,
        situation: str = "offer",
        doubt: str | None = None,
        pay_date: str | None = None,
    ) -> str:
        """Write the reply text.

        Args:
            stance: The emotional stance, or ``None`` for no stance.
            scenario: Scenario fields (``debtor``, ``creditor``, ``balance``, ``currency``).
            offer_days: The timeline to state (the agreed one once agreed).
            seed: Selects the phrasing.
            situation: One of :data:`SITUATIONS`.
            doubt: For ``clarify``: why the client's terms are unclear (the offer parser's doubt).
            pay_date: For ``agreed_in_full``: the ISO date the full payment is due.

        Returns:
            Two or three sentences.
        """
        key = stance if stance is not None and stance in OPENINGS else "none"
        rng = random.Random(seed)
        values = {
            "first": str(scenario.get("debtor", "there")).split()[0],
            "creditor": scenario.get("creditor", "we"),
            "balance": f"{scenario.get('currency', 'USD')} {float(scenario.get('balance', 0)):,.2f}",
            "days": offer_days,
            "days_text": "1 day" if offer_days == 1 else f"{offer_days} days",
            "pay_date": pay_date or "the agreed date",
            "why": CLARIFY.get(doubt or "", "some of the terms in your message are unclear to me."),
        }
        if situation == "agreed_in_full":
            return rng.choice(AGREED_IN_FULL).format(**values)
        if situation == "clarify":
            return rng.choice(CLARIFY_ASKS).format(**values)
        if situation == "agreed":
            return rng.choice(AGREED).format(**values)
        if situation == "ended":
            return rng.choice(ENDED).format(**values)
        opening = rng.choice(OPENINGS[key])
        offer = rng.choice(OFFERS.get(key, OFFERS["default"]))
        closing = rng.choice(CLOSINGS[key])
        return " ".join(part.format(**values) for part in (opening, offer, closing))

    def _reply(self, kwargs: Mapping[str, Any]) -> str:
        return self.compose(
            stance=kwargs.get("stance"),
            scenario=kwargs.get("scenario") or {},
            offer_days=int(kwargs.get("offer_days", 30)),
            seed=int(kwargs.get("seed", 0)),
            situation=str(kwargs.get("situation", "offer")),
            doubt=kwargs.get("doubt"),
            pay_date=kwargs.get("pay_date"),
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = AIMessage(content=self._reply(kwargs), response_metadata={"offline": True})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        words = self._reply(kwargs).split(" ")
        for index, word in enumerate(words):
            text = word if index == len(words) - 1 else word + " "
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
            if run_manager is not None:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk
        yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata={"offline": True}))
