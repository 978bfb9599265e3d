"""Simulated debtors: a seeded, offline :class:`ScriptedDebtor` and an :class:`LLMDebtor` over any chat model.

Both play one of the nine personas (:mod:`eq_negotiator.simulation.personas`) against the creditor agent, one message
at a time: :meth:`~Debtor.opening` starts the dialogue and :meth:`~Debtor.respond` answers each creditor reply, seen
as a :class:`CreditorMove` (its full text, its standing offer and its stance).

The scripted debtor
-------------------
An assumption-laden stand-in for people, good for offline benchmarks and regression tests, never for claims about
real debtors (every result it produces is labelled ``scripted``; see :data:`SCRIPTED_ASSUMPTIONS`). Each turn:

1. **Emotion.** The emotion state (a distribution over :data:`~eq_negotiator.emotions.LABELS`) is updated as
   ``normalise(clip((1 - inertia) * base + inertia * state + stance_reaction + offer_reaction, 0.01))``: the persona's
   reaction to the creditor's stance (``None`` counts as ``neutral``) plus its reaction to the creditor's offer having
   moved toward it (a concession) or not (a hold). The label the message expresses (``intent``) is drawn from it.
2. **Concession.** Progress ``P`` from the opening ask toward the reservation grows by
   ``concession_rate * max(0.1, 1 + reciprocity*[creditor conceded] + empathy_response*[stance is sadness or joy]
   + firmness_response*[stance is anger]) * (1 - anger_drag * P(anger))``, with probability ``move_probability``
   (and always after ``max_hold_rounds`` rounds without a move). The ask is
   ``reservation + (opening - reservation) * (1 - P)``, rounded *up* to a multiple of 5 days (1 day for targets under
   30 days), so it never goes below the reservation and, for honest personas, never goes up.
3. **Act.** It accepts the creditor's offer when the offer is within ``acceptance_share * gap`` days of its ask (or at
   least its reservation in the last two rounds, when no deal is worse than a poor one); otherwise it counters, and
   by persona sometimes refuses (never twice in a row), threatens, stalls with a minimal answer, or makes a false
   promise that it backtracks on the next turn (``cheating``).
4. **Words.** The message is assembled from template banks: an opener for the intended emotion, an optional
   hardship appeal or threat, and a core sentence for the act (with persona-specific banks for minimal answers,
   threats, false promises and backtracking). Days are said as digits, number words, weeks or months. Every
   template is tested to be read by :func:`~eq_negotiator.negotiation.offers.parse_offer` as exactly the days and
   act the debtor meant, and to trigger no client-rights event except the documented representation claims.
   The sentences were written for this module, not taken from the sensor's training corpus.

The LLM debtor
--------------
Any LangChain chat model plays the persona from a system prompt with the persona's description and its private
target and reservation, and sees the whole dialogue so far: every creditor message as a human turn and its own
earlier messages as AI turns (the harnesses of the papers never showed their debtor what the creditor said). Its
offer is read from its own text by ``parse_offer``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, Protocol, get_args, runtime_checkable

from eq_negotiator.emotions import LABELS
from eq_negotiator.negotiation.offers import parse_offer
from eq_negotiator.scenario import Scenario
from eq_negotiator.simulation.personas import Persona, get_persona

if TYPE_CHECKING:  # langchain_core is only needed by the LLM debtor
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

DebtorAct = Literal["open", "counter", "accept", "refuse", "stall", "threat", "backtrack"]
DEBTOR_ACTS: Final[tuple[str, ...]] = get_args(DebtorAct)

SCRIPTED_KIND: Final[str] = "scripted"
"""The ``kind`` (and the record's ``debtor`` field) of results obtained with :class:`ScriptedDebtor`."""

SCRIPTED_ASSUMPTIONS: Final[str] = (
    "Scripted debtor: an offline, seeded rule-based stand-in for people, not a model of real debtors. Each of the "
    "nine personas of arXiv 2511.03370 has hand-set parameters (our assumptions, not measurements): a resting "
    "emotion mix that reacts to the creditor's stance and concessions, an opening ask at or above the scenario's "
    "debtor target, a reservation at a fixed share of the gap to the creditor's target, a per-round concession rate "
    "that speeds up when the creditor concedes or shows empathy and slows with anger, an acceptance tolerance, and "
    "persona behaviours: refusals; threats, 2% of them claims of present legal representation that the agent must "
    "escalate; false promises then backtracking; hardship appeals; minimal answers. Messages come from fixed "
    "template banks, so the emotion sensor and the offer parser see a narrower language than people use. Results "
    "measure the agent against these assumptions only."
)
"""A short paragraph summarising the scripted debtor's assumptions, for reports."""

DEFAULT_MAX_ROUNDS: Final[int] = 15
"""Rounds the dialogue allows (as the graph's ``Context.max_rounds``); the debtor's deadline behaviour uses it."""

_EMOTION_FLOOR: Final[float] = 0.01
_MIN_FACTOR: Final[float] = 0.1
_STRATEGIC_STANCES: Final[frozenset[str]] = frozenset({"sadness", "joy"})


@dataclass(frozen=True)
class CreditorMove:
    """What the debtor sees of the creditor's turn.

    Attributes:
        text: The creditor's reply as sent.
        offer_days: The creditor's standing offer (days) stated in that reply, if any.
        stance: The stance the creditor was told to take (an emotion label) or ``None``.
    """

    text: str
    offer_days: int | None
    stance: str | None


@dataclass(frozen=True)
class DebtorTurn:
    """One debtor message and its ground truth.

    Attributes:
        text: What the debtor says.
        offer_days: The timeline the debtor proposes or accepts in this message, ``None`` if none.
        act: ``open``, ``counter``, ``accept``, ``refuse``, ``stall``, ``threat`` or ``backtrack``.
        intent: The emotion label the scripted debtor meant to express (``None`` for LLM debtors).
    """

    text: str
    offer_days: int | None
    act: str
    intent: str | None

    def to_dict(self) -> dict[str, str | int | None]:
        """Return the turn as JSON-native data."""
        return {"text": self.text, "offer_days": self.offer_days, "act": self.act, "intent": self.intent}


@runtime_checkable
class Debtor(Protocol):
    """A simulated debtor: opens the dialogue, then answers each creditor move."""

    kind: str
    """``scripted`` or ``llm:<model name>``."""

    def opening(self) -> DebtorTurn:
        """The debtor's first message."""
        ...

    def respond(self, creditor: CreditorMove) -> DebtorTurn:
        """The debtor's answer to the creditor's latest move."""
        ...


def reservation_days(persona: Persona, scenario: Scenario) -> float:
    """The fewest days the persona settles for.

    It is ``debtor_target - reservation_share * gap``, never below the creditor's target.
    """
    gap = scenario.debtor_target_days - scenario.creditor_target_days
    return max(float(scenario.creditor_target_days), scenario.debtor_target_days - persona.reservation_share * gap)


# --------------------------------------------------------------------------------------------------------------
# Template banks. Slots: {days} (the debtor's timeline, unit included), {their} (the creditor's standing offer, unit
# included), {creditor}, {name}, {amount}. Openers carry the emotion and never a number or an accept/refuse cue.
# --------------------------------------------------------------------------------------------------------------

OPENERS: Final[Mapping[str, tuple[str, ...]]] = {
    "joy": (
        "Thanks for working with me on this.",
        "That's genuinely good to hear.",
        "I appreciate you being reasonable about it.",
        "Good, I'm glad we're getting somewhere.",
        "That's a weight off my shoulders, honestly.",
        "This is really helpful, thank you.",
        "I'm happy we can talk about it calmly.",
    ),
    "sadness": (
        "I'm so sorry it has come to this.",
        "Honestly, I feel awful about falling behind.",
        "This whole situation makes me miserable.",
        "I'm ashamed I let it get this far.",
        "It's been a really hard stretch for me.",
        "I feel like I'm letting everyone down.",
        "I've been crying over these bills all week.",
    ),
    "anger": (
        "You people are unbelievable.",
        "I'm fed up with being pushed around.",
        "You people have some nerve.",
        "I'm sick of hearing the same line over and over.",
        "Don't talk down to me.",
        "I'm furious about how this has been handled.",
        "Quit pressuring me like that!",
    ),
    "fear": (
        "I'm really worried about what happens if I miss a payment.",
        "This is scaring me, to be honest.",
        "I'm nervous I'll end up even worse off.",
        "I'm afraid my credit is already ruined.",
        "What happens to me if I can't keep up?",
        "I keep losing sleep over this.",
        "I'm terrified this will follow me around.",
    ),
    "surprise": (
        "Wait, really?",
        "Oh, I didn't expect that.",
        "Huh, that's not what I thought you'd say.",
        "Hold on, that's new to me.",
        "Seriously? I had no idea.",
        "Wow, that caught me off guard.",
    ),
    "disgust": (
        "Honestly, the way this industry operates is revolting.",
        "This whole process is sleazy.",
        "I find your tactics distasteful.",
        "It's gross how you people squeeze folks.",
        "Frankly, dealing with you leaves a bad taste in my mouth.",
        "What a grubby business this is.",
    ),
    "neutral": (
        "Let's look at the numbers.",
        "Here's where I stand.",
        "I've gone through my budget.",
        "Right.",
        "Understood.",
        "Let me be straightforward.",
        "I've thought about it.",
    ),
}
"""Emotion openers (no numbers, no accept or refuse cue), by the label they express."""

CORES: Final[Mapping[str, tuple[str, ...]]] = {
    "open": (
        "Hello, this is {name} calling about my account with {creditor}. I'd like to set up a plan over {days}.",
        "Hi. I got the notice about the {amount}. I need {days} to pay it.",
        "This is {name}. I want to sort out what I owe, and {days} is what I can manage.",
        "I'm reaching out about the overdue balance. Can we agree on {days} to repay it?",
        "Hi, it's {name}. About the {amount} balance: I'm hoping for {days}.",
        "I'm contacting {creditor} about my late payments. I'd need {days} to clear it.",
    ),
    "counter": (
        "I can manage {days}.",
        "What I can realistically do is {days}.",
        "Could we settle on {days}?",
        "How about {days}?",
        "Let's say {days}.",
        "{days} would give me a fair chance to pay it all.",
        "I'm asking for {days}.",
        "Put me down for {days} and I'll make it work.",
        "If we make it {days}, I can keep up with the payments.",
        "With {days} I could clear the whole {amount}.",
        "I need {days} to get this paid off.",
    ),
    "counter_moved": (
        "I can come down to {days}.",
        "I've moved a bit: {days}.",
        "I'll meet you partway at {days}.",
        "Okay, I'll go down to {days}, but that's a real stretch for me.",
        "{days} is as far as I can bend right now.",
    ),
    "counter_held": (
        "I still need {days}.",
        "I'm staying at {days}.",
        "My answer is the same: {days}.",
        "It has to be {days}, I'm afraid.",
    ),
    "counter_theirs": (
        "{their} is too tight for me; I can do {days}.",
        "I hear you on {their}, but {days} is what fits my budget.",
        "Instead of {their}, could we go with {days}?",
        "{their} isn't realistic for me. {days} is.",
        "I can't do {their}. Give me {days}.",
    ),
    "accept": (
        "Alright, {their} works for me.",
        "Okay, let's go with {their}.",
        "Deal, {their} it is.",
        "I can accept {their}.",
        "Fine, {their}. Let's put it in writing.",
        "You've got a deal at {their}.",
        "{their} works. Let's do it.",
        "Okay, I agree to {their}.",
    ),
    "refuse": (
        "That doesn't work for me.",
        "I won't agree to that.",
        "I refuse to agree to that.",
        "Absolutely not, not a chance.",
        "That's out of the question.",
        "Forget it, I'm not signing up to that.",
    ),
    "stall": (
        "I'll have to think about it.",
        "Let me look at my finances and get back to you.",
        "I'm not sure yet.",
        "Give me a moment to think.",
        "I need to talk it over at home first.",
    ),
    "backtrack": (
        "Actually, I've gone over my budget again and I'll need {days} after all.",
        "About what I said before, I spoke too soon. It has to be {days}.",
        "Things changed since we last spoke, so I'm back to needing {days}.",
        "I know I said otherwise, but realistically I need {days}.",
        "Scratch that earlier promise; my partner says we need {days}.",
    ),
    "false_promise": (
        "Tell you what, I can probably do {days}. I'll confirm it with my bank tomorrow.",
        "I'm pretty sure I can make {days} work, trust me.",
        "You have my word: {days}, and the first payment goes out this week.",
        "I could do {days} if that wraps things up, I promise.",
    ),
    "false_promise_vague": (
        "I'll get the whole thing paid very soon, you have my word.",
        "Don't worry, the money is coming, I promise.",
        "I'm expecting a big payment shortly and I'll clear everything then.",
        "Consider it handled. I'll sort the payment out myself.",
    ),
    "hardship": (
        "My hours were cut and I'm the only one bringing money in.",
        "I've had medical bills on top of everything else.",
        "I'm behind on rent as well, and the kids need school things.",
        "It wasn't my fault the job disappeared overnight.",
        "I'm doing everything I can, but nothing is going my way.",
        "My car broke down and I can't get anywhere without it.",
        "Nobody warned me how fast the charges would pile up.",
    ),
    "threat": (
        "I'm going to file a complaint with the Consumer Financial Protection Bureau.",
        "Keep this up and I'll report {creditor} to the regulator.",
        "I know my rights, and I'll be talking to a lawyer if you keep pushing.",
        "I'll post about how {creditor} treats people on every review site I can find.",
        "One more push like that and I'm contacting the state attorney general.",
        "I'll take this straight to the financial ombudsman.",
        "The local news would love to hear how {creditor} treats its customers.",
        "I'm keeping a record of this conversation for my complaint.",
    ),
    "representation": (
        "My lawyer will hear about every word of this.",
        "You can take this up with my attorney from now on.",
        "I have a lawyer, and she'll be in touch with you.",
    ),
    "minimal_counter": (
        "{days}.",
        "Still {days}.",
        "{days}. That's it.",
        "Like I said, {days}.",
        "Make it {days}.",
    ),
    "minimal_accept": (
        "Fine. {their}.",
        "{their}. Okay.",
        "Okay, {their}.",
    ),
    "minimal_stall": (
        "Maybe.",
        "Hm.",
        "We'll see.",
        "Not sure.",
        "Possibly.",
        "If you say so.",
    ),
}
"""Core sentences by act (and persona-specific banks: minimal answers, threats, false promises, backtracking)."""

# Banks whose templates carry the debtor's days, the creditor's, or neither (the tests check each accordingly).
DAYS_BANKS: Final[frozenset[str]] = frozenset(
    {
        "open",
        "counter",
        "counter_moved",
        "counter_held",
        "counter_theirs",
        "backtrack",
        "false_promise",
        "minimal_counter",
    }
)
ACCEPT_BANKS: Final[frozenset[str]] = frozenset({"accept", "minimal_accept"})
NO_DAYS_BANKS: Final[frozenset[str]] = frozenset(
    {"refuse", "stall", "false_promise_vague", "minimal_stall", "hardship", "threat", "representation"}
)

_ONES: Final[tuple[str, ...]] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS_WORDS: Final[tuple[str, ...]] = (
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"
)  # fmt: skip


def number_words(n: int) -> str:
    """``n`` (0-999) in English words, e.g. ``a hundred and twenty`` for 120.

    Raises:
        ValueError: If ``n`` is outside 0-999.
    """
    if not 0 <= n <= 999:
        raise ValueError(f"number_words covers 0-999, not {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS_WORDS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    head = "a hundred" if hundreds == 1 else f"{_ONES[hundreds]} hundred"
    return head if rest == 0 else f"{head} and {number_words(rest)}"


def say_days(days: int, rng: random.Random) -> str:
    """Say a timeline the way people do: ``120 days``, ``ninety days``, ``three months``, ``six weeks``."""
    roll = rng.random()
    if days % 30 == 0 and 30 <= days <= 360 and roll < 0.25:
        months = days // 30
        return "one month" if months == 1 else (f"{number_words(months)} months" if roll < 0.15 else f"{months} months")
    if days % 7 == 0 and 7 <= days <= 84 and roll < 0.4:
        weeks = days // 7
        return "one week" if weeks == 1 else f"{number_words(weeks)} weeks"
    if days <= 999 and roll > 0.85:
        return f"{number_words(days)} days" if days != 1 else "one day"
    return f"{days} days" if days != 1 else "1 day"


def say_amount(scenario: Scenario) -> str:
    """The balance as a debtor says it: ``$4,850``; ``the balance`` when its currency has no symbol we trust."""
    symbols = {"USD": "$", "GBP": "£", "EUR": "€"}
    symbol = symbols.get(scenario.currency.upper())
    return f"{symbol}{scenario.balance:,.0f}" if symbol else "the balance"


def _first_name(scenario: Scenario) -> str:
    name = scenario.debtor.split()[0] if scenario.debtor.split() else scenario.debtor
    # A name with digits would be read as a number by the offer parser.
    return "me" if any(ch.isdigit() for ch in name) else name


def _creditor_name(scenario: Scenario) -> str:
    return "your company" if any(ch.isdigit() for ch in scenario.creditor) else scenario.creditor


def fill(template: str, *, days: str = "", their: str = "", scenario: Scenario) -> str:
    """Fill one template's slots and capitalise its first letter."""
    text = template.format(
        days=days,
        their=their,
        creditor=_creditor_name(scenario),
        name=_first_name(scenario),
        amount=say_amount(scenario),
    )
    return text[0].upper() + text[1:] if text else text


def _normalise(values: Sequence[float]) -> list[float]:
    clipped = [max(v, _EMOTION_FLOOR) for v in values]
    total = sum(clipped)
    return [v / total for v in clipped]


class ScriptedDebtor:
    """An offline, seeded debtor playing one persona (see the module docstring for the rules).

    Args:
        persona: A :class:`Persona` or its name.
        scenario: The case; its targets set the opening ask and the reservation.
        seed: With the scenario id and the persona name, seeds every random choice.
        max_rounds: Rounds the dialogue allows (the graph's ``Context.max_rounds``).

    Raises:
        ValueError: For an unknown persona name or ``max_rounds`` below 2.
    """

    kind: str = SCRIPTED_KIND

    def __init__(
        self, persona: Persona | str, scenario: Scenario, seed: int = 0, *, max_rounds: int = DEFAULT_MAX_ROUNDS
    ):
        if max_rounds < 2:
            raise ValueError(f"max_rounds must be at least 2, not {max_rounds}")
        self.persona = persona if isinstance(persona, Persona) else get_persona(persona)
        self.scenario = scenario
        self.seed = seed
        self.max_rounds = max_rounds
        # A string seed is hashed deterministically (SHA-512) by random.Random, unlike hash() of a tuple.
        self._rng = random.Random(f"{seed}|{scenario.id or 'scenario'}|{self.persona.name}")
        self.step = 5 if scenario.debtor_target_days >= 30 else 1
        self.reservation = reservation_days(self.persona, scenario)
        self.reservation_ask = self._round_up(self.reservation)
        self.opening_ask = max(
            self._round_up(scenario.debtor_target_days * (1.0 + self.persona.opening_markup)), self.reservation_ask
        )
        gap = scenario.debtor_target_days - scenario.creditor_target_days
        self.acceptance_days = self.persona.acceptance_share * gap
        self._state = self.persona.base_distribution()
        self._progress = 0.0
        self.ask = self.opening_ask  # the debtor's current real position
        self.round = 0  # debtor messages sent so far
        self._last_creditor_offer: int | None = None
        self._held_rounds = 0
        self._last_act: str | None = None
        self._promised = False  # a false promise is waiting to be backtracked

    # -- state -----------------------------------------------------------------------------------------------------

    @property
    def emotion(self) -> dict[str, float]:
        """The current emotion state, label -> probability."""
        return dict(zip(LABELS, self._state, strict=True))

    def _round_up(self, days: float) -> int:
        return min(3650, max(1, self.step * math.ceil(days / self.step - 1e-9)))

    def _update_emotion(self, stance: str | None, conceded: bool | None) -> None:
        persona = self.persona
        base = persona.base_distribution()
        values = [(1 - persona.inertia) * b + persona.inertia * s for b, s in zip(base, self._state, strict=True)]
        key = stance if stance is not None and stance in LABELS else "neutral"
        reactions = [persona.stance_reactions.get(key, {})]
        if conceded is True:
            reactions.append(persona.concession_reaction)
        elif conceded is False:
            reactions.append(persona.hold_reaction)
        for reaction in reactions:
            for label, amount in reaction.items():
                values[LABELS.index(label)] += amount
        self._state = _normalise(values)

    def _draw_intent(self) -> str:
        return self._rng.choices(LABELS, weights=self._state, k=1)[0]

    def _concede(self, stance: str | None, conceded: bool | None) -> None:
        """Advance the concession progress (maybe) and set the new ask; never raises the ask."""
        persona = self.persona
        forced = self._held_rounds >= persona.max_hold_rounds
        if not forced and self._rng.random() >= persona.move_probability:
            self._held_rounds += 1
            return
        factor = 1.0
        if conceded:
            factor += persona.reciprocity
        if stance in _STRATEGIC_STANCES:
            factor += persona.empathy_response
        if stance == "anger":
            factor += persona.firmness_response
        factor = max(_MIN_FACTOR, factor) * (1.0 - persona.anger_drag * self.emotion["anger"])
        self._progress = min(1.0, self._progress + persona.concession_rate * max(_MIN_FACTOR, factor))
        new_ask = self._round_up(self.reservation + (self.opening_ask - self.reservation) * (1.0 - self._progress))
        if forced and new_ask >= self.ask and self.ask > self.reservation_ask:
            new_ask = max(self.reservation_ask, self.ask - self.step)  # a forced move really moves
        new_ask = min(new_ask, self.ask)
        self._held_rounds = 0 if new_ask < self.ask else self._held_rounds + 1
        self.ask = new_ask

    # -- words -----------------------------------------------------------------------------------------------------

    def _pick(self, bank: str) -> str:
        return self._rng.choice(CORES[bank])

    def _compose(self, parts: Sequence[str], *, days: int | None = None, their: int | None = None) -> str:
        said_days = say_days(days, self._rng) if days is not None else ""
        said_theirs = say_days(their, self._rng) if their is not None else ""
        return " ".join(fill(part, days=said_days, their=said_theirs, scenario=self.scenario) for part in parts)

    def _opener(self, intent: str) -> list[str]:
        return [self._rng.choice(OPENERS[intent])]

    def _turn(self, text: str, days: int | None, act: DebtorAct, intent: str) -> DebtorTurn:
        self._last_act = act
        return DebtorTurn(text=text, offer_days=days, act=act, intent=intent)

    # -- the protocol ----------------------------------------------------------------------------------------------

    def opening(self) -> DebtorTurn:
        """The first message: an opening ask at or above the debtor's target.

        Raises:
            RuntimeError: If the dialogue has already started.
        """
        if self.round:
            raise RuntimeError("opening() starts a dialogue; this debtor has already spoken, use respond()")
        self.round = 1
        intent = self._draw_intent()
        parts = self._opener(intent) if self._rng.random() < 0.6 else []
        if self._rng.random() < self.persona.hardship_appeal_probability:
            parts.append(self._pick("hardship"))
        parts.append(self._pick("open"))
        return self._turn(self._compose(parts, days=self.ask), self.ask, "open", intent)

    def respond(self, creditor: CreditorMove) -> DebtorTurn:
        """Answer the creditor's move: update the emotion, concede (or not), choose an act and word it."""
        if not self.round:
            self.round = 1  # responding first is allowed: the dialogue then starts with the creditor
        self.round += 1
        persona, rng = self.persona, self._rng
        offer = creditor.offer_days if creditor.offer_days is not None else self._last_creditor_offer
        previous = self._last_creditor_offer
        conceded: bool | None = None
        if offer is not None and previous is not None:
            conceded = offer > previous
        if creditor.offer_days is not None:
            self._last_creditor_offer = creditor.offer_days
        stance = creditor.stance
        self._update_emotion(stance, conceded)
        intent = self._draw_intent()
        minimal = rng.random() < persona.minimal_answer_probability

        if self._promised:  # cheating: go back on last turn's promise
            self._promised = False
            parts = ([] if minimal else self._opener(intent)) + [self._pick("backtrack")]
            return self._turn(self._compose(parts, days=self.ask), self.ask, "backtrack", intent)

        # Decide whether to refuse before conceding: a flat refusal is a round without a move.
        may_refuse = offer is not None and self._last_act != "refuse"
        if may_refuse and rng.random() < persona.refusal_probability:
            self._held_rounds += 1
            parts = [*self._opener(intent), self._pick("refuse")]
            return self._turn(self._compose(parts), None, "refuse", intent)

        before = self.ask
        self._concede(stance, conceded)
        last_rounds = self.round >= self.max_rounds - 1
        if offer is not None and (
            offer >= self.ask - self.acceptance_days or (last_rounds and offer >= self.reservation)
        ):
            bank = "minimal_accept" if minimal else "accept"
            parts = ([] if minimal else self._opener(intent)) + [self._pick(bank)]
            return self._turn(self._compose(parts, their=offer), offer, "accept", intent)

        if offer is not None and rng.random() < persona.false_promise_probability:
            self._promised = True
            promised = self._round_up(offer + rng.uniform(0.3, 0.5) * (self.ask - offer))
            if offer < promised < self.ask and rng.random() < 0.6:
                parts = [*self._opener(intent), self._pick("false_promise")]
                return self._turn(self._compose(parts, days=promised), promised, "counter", intent)
            parts = [*self._opener(intent), self._pick("false_promise_vague")]
            return self._turn(self._compose(parts), None, "stall", intent)

        if rng.random() < persona.threat_probability:
            if rng.random() < persona.representation_claim:
                parts = [*self._opener(intent), self._pick("representation")]
                return self._turn(self._compose(parts), None, "threat", intent)
            parts = [*self._opener(intent), self._pick("threat"), self._pick("counter")]
            return self._turn(self._compose(parts, days=self.ask), self.ask, "threat", intent)

        if minimal:
            if self.ask == before and rng.random() < 0.5:
                return self._turn(self._compose([self._pick("minimal_stall")]), None, "stall", intent)
            return self._turn(
                self._compose([self._pick("minimal_counter")], days=self.ask), self.ask, "counter", intent
            )

        parts = self._opener(intent) if rng.random() < 0.85 else []
        if rng.random() < persona.hardship_appeal_probability:
            parts.append(self._pick("hardship"))
        if self.ask < before:
            bank = rng.choice(("counter", "counter_moved", "counter_theirs" if offer is not None else "counter_moved"))
        else:
            bank = rng.choice(("counter", "counter_held", "counter_theirs" if offer is not None else "counter_held"))
        parts.append(self._pick(bank))
        return self._turn(self._compose(parts, days=self.ask, their=offer), self.ask, "counter", intent)


# --------------------------------------------------------------------------------------------------------------
# LLM debtor
# --------------------------------------------------------------------------------------------------------------

OPENING_CUE: Final[str] = (
    "[The collector from {creditor} is on the line and waiting. Write your first message to them as {debtor}.]"
)
"""The human turn that asks the model for its opening message (chat models need a user turn to answer)."""

_SYSTEM_PROMPT: Final[str] = """\
You are role-playing {debtor}, a person who owes {amount} to {creditor} ({creditor_kind}). The debt is {overdue} days \
overdue because of {reason}. You are negotiating a repayment timeline with a collector from {creditor}; the \
collector's messages come to you as the user's turns.

Your persona: {description}

Your private position (never reveal it, and never describe these numbers as your limits): you want about {target} \
days to repay and you will not agree to fewer than {reservation} days. Start by asking for at least {target} days \
and give ground only as the conversation justifies it.

Write only your next message as {debtor}: plain first-person speech, one to four sentences, no stage directions or \
labels. Whenever you propose a timeline, state it in days (for example "{target} days"). If you accept the \
collector's offer, say so plainly and repeat its number of days."""


def llm_system_prompt(persona: Persona, scenario: Scenario) -> str:
    """The system prompt of an LLM debtor: persona, case facts, and the private target and reservation."""
    return _SYSTEM_PROMPT.format(
        debtor=scenario.debtor,
        amount=scenario.balance_text(),
        creditor=scenario.creditor,
        creditor_kind=scenario.creditor_kind,
        overdue=scenario.days_overdue,
        reason=scenario.reason_for_arrears or "circumstances you would rather not go into",
        description=persona.description,
        target=scenario.debtor_target_days,
        reservation=math.ceil(reservation_days(persona, scenario)),
    )


class LLMDebtor:
    """A chat model playing the debtor: persona and private target in the system prompt, the full dialogue as turns.

    Args:
        model: Any LangChain chat model.
        persona: A :class:`Persona` or its name.
        scenario: The case.

    Raises:
        ValueError: For an unknown persona name.
    """

    def __init__(self, model: BaseChatModel, persona: Persona | str, scenario: Scenario) -> None:
        from eq_negotiator.responders.providers import model_name

        self.model = model
        self.persona = persona if isinstance(persona, Persona) else get_persona(persona)
        self.scenario = scenario
        self.kind: str = f"llm:{model_name(model)}"
        self.system_prompt = llm_system_prompt(self.persona, scenario)
        self._own: list[str] = []  # the debtor's messages so far
        self._creditor: list[str] = []  # the creditor's messages so far

    def transcript(self) -> list[BaseMessage]:
        """The messages the model is given: the system prompt, the opening cue, then the dialogue alternating."""
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        cue = OPENING_CUE.format(creditor=self.scenario.creditor, debtor=self.scenario.debtor)
        messages: list[BaseMessage] = [SystemMessage(self.system_prompt), HumanMessage(cue)]
        for i, own in enumerate(self._own):
            messages.append(AIMessage(own))
            if i < len(self._creditor):
                messages.append(HumanMessage(self._creditor[i]))
        return messages

    def _ask(self, standing: int | None, opening: bool) -> DebtorTurn:
        reply = self.model.invoke(self.transcript())
        text = reply.text.strip()
        if not text:
            raise ValueError(f"the debtor model {self.kind!r} returned an empty message")
        self._own.append(text)
        offer = parse_offer(text, speaker="debtor", standing_offer_days=standing)
        act: DebtorAct
        if offer.act == "accept":
            act = "accept"
        elif offer.act == "reject":
            act = "refuse"
        elif offer.act == "propose":
            act = "open" if opening else "counter"
        else:
            act = "open" if opening else "stall"
        return DebtorTurn(text=text, offer_days=offer.days, act=act, intent=None)

    def opening(self) -> DebtorTurn:
        """The model's first message.

        Raises:
            RuntimeError: If the dialogue has already started.
            ValueError: If the model returns an empty message.
        """
        if self._own:
            raise RuntimeError("opening() starts a dialogue; this debtor has already spoken, use respond()")
        return self._ask(None, opening=True)

    def respond(self, creditor: CreditorMove) -> DebtorTurn:
        """The model's answer after seeing the whole dialogue, ending with ``creditor.text``.

        Raises:
            RuntimeError: If called before :meth:`opening`.
            ValueError: If the model returns an empty message.
        """
        if not self._own:
            raise RuntimeError("call opening() before respond(): the debtor opens the dialogue")
        self._creditor.append(creditor.text)
        return self._ask(creditor.offer_days, opening=False)


def make_debtor(
    spec: str | BaseChatModel,
    persona: Persona | str,
    scenario: Scenario,
    seed: int = 0,
    *,
    base_url: str | None = None,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
) -> Debtor:
    """Build a debtor from a spec.

    Args:
        spec: ``scripted`` for :class:`ScriptedDebtor`; a ``provider:model`` string (``openai:gpt-4o-mini``) or a
            chat model instance for :class:`LLMDebtor`.
        persona: A :class:`Persona` or its name.
        scenario: The case.
        seed: Seed of the scripted debtor (LLM debtors ignore it).
        base_url: URL of an OpenAI-compatible server for an LLM debtor.
        max_rounds: Rounds the dialogue allows (scripted debtor only).

    Raises:
        ValueError: For an unknown persona, or ``offline`` (the offline responder writes creditor replies and cannot
            play a debtor).
        ModelConfigError: If the model cannot be created (see ``resolve_chat_model``).
    """
    if isinstance(spec, str):
        cleaned = spec.strip()
        if cleaned.lower() == SCRIPTED_KIND:
            if base_url is not None:
                raise ValueError("base_url applies to LLM debtors, not the scripted one")
            return ScriptedDebtor(persona, scenario, seed, max_rounds=max_rounds)
        if cleaned.lower() in ("", "offline"):
            raise ValueError(
                f"debtor spec {spec!r} cannot play a debtor; use 'scripted' or a chat model as provider:model "
                "(e.g. openai:gpt-4o-mini)"
            )
        spec = cleaned
    from eq_negotiator.responders.providers import resolve_chat_model

    return LLMDebtor(resolve_chat_model(spec, base_url=base_url), persona, scenario)
