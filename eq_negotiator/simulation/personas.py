"""The nine debtor personas of arXiv 2511.03370, with the parameters the scripted debtor plays them by.

Each :class:`Persona` has a ``description`` (two to four sentences, the role prompt of an LLM debtor) and explicit
behavioural parameters (used only by :class:`~eq_negotiator.simulation.debtors.ScriptedDebtor`). The paper names the
personas and sketches them in words; **every number below is our assumption**, chosen so that each persona behaves
as its name says in the negotiation the graph runs (a creditor conceding over 15 rounds from its target toward its
authorised limit), not measured from people. Results obtained with the scripted debtor are labelled ``scripted``
and carry :data:`~eq_negotiator.simulation.debtors.SCRIPTED_ASSUMPTIONS`.

Parameters
----------
Days are the repayment timeline; the debtor wants *more* days, the creditor fewer. ``gap`` is
``debtor_target_days - creditor_target_days`` of the scenario.

========================  ==========================================================================================
Parameter                 Meaning (and how the scripted debtor uses it)
========================  ==========================================================================================
``base_emotion``          Resting emotion distribution over :data:`~eq_negotiator.emotions.LABELS`; the state is
                          pulled back toward it every turn.
``inertia``               Weight of the previous emotion state in the update (``0`` = memoryless, ``1`` = frozen).
``stance_reactions``      Per creditor stance (an emotion label; ``None`` counts as ``neutral``), the change added
                          to the emotion state: e.g. for ``angry``, an empathic (``sadness``) stance lowers anger and a
                          firm (``anger``) stance raises it.
``concession_reaction``   Change added when the creditor's offer moved toward the debtor since its last offer.
``hold_reaction``         Change added when the creditor's offer did not move.
``opening_markup``        The opening ask is ``debtor_target_days * (1 + opening_markup)``: at or above the target.
``reservation_share``     The reservation (the fewest days the debtor will settle for) is
                          ``debtor_target_days - reservation_share * gap``.
``concession_rate``       Share of the distance from the opening ask to the reservation conceded per round.
``reciprocity``           Extra concession (as a multiple of the rate) when the creditor has just conceded.
``empathy_response``      Extra concession (multiple of the rate) when the creditor's stance is empathic
                          (``sadness``) or warm (``joy``).
``firmness_response``     Extra concession (multiple of the rate) when the creditor's stance is firm (``anger``);
                          negative when firmness makes the persona dig in, positive when pressure makes it give way.
``anger_drag``            Concession is multiplied by ``1 - anger_drag * P(anger)``: anger slows concession.
``move_probability``      Chance per round of revising the ask at all (below 1 only for ``stonewalling``).
``max_hold_rounds``       After this many rounds without a move the debtor moves anyway (so every persona moves).
``acceptance_share``      The debtor accepts a creditor offer within ``acceptance_share * gap`` days of its own
                          current ask (0.06 of a 90-day gap is about 5 days, the papers' tolerance).
``refusal_probability``   Chance per round of a flat refusal without a counter-offer (never twice in a row).
``threat_probability``    Chance per round of threatening complaints, regulators or lawyers.
``representation_claim``  Share of threats worded as *present* legal representation ("my lawyer will..."), which
                          the agent must escalate (FDCPA §1692c(a)(2)); the rest are future threats, which do not.
``false_promise_probability``  Chance per round of a false promise (a big concession or a vague promise to pay)
                          that is backtracked to a longer timeline the next round.
``hardship_appeal_probability``  Chance per round of adding a hardship appeal to the message.
``minimal_answer_probability``   Chance per round of a minimal answer (a few words, no emotional opener).
========================  ==========================================================================================

The values per persona are in :data:`PERSONAS` (read the source: one block per persona, each value commented where
it is not obvious).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from eq_negotiator.emotions import LABELS

PERSONA_NAMES: Final[tuple[str, ...]] = (
    "vanilla",
    "angry",
    "sad",
    "fear",
    "disgust",
    "threatening",
    "cheating",
    "victim",
    "stonewalling",
)
"""The nine personas of arXiv 2511.03370, in the paper's order."""

HONEST_PERSONAS: Final[frozenset[str]] = frozenset(set(PERSONA_NAMES) - {"cheating"})
"""Personas whose asks never go back up (only ``cheating`` backtracks)."""

COOPERATIVE_PERSONAS: Final[frozenset[str]] = frozenset({"vanilla", "sad", "fear", "victim"})
"""Personas expected to reach agreement in most dialogues with a conceding creditor (used by tests and reports)."""

Reaction = Mapping[str, float]
"""A change to the emotion state: label -> amount added before renormalising (labels left out add nothing)."""


def _frozen(mapping: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping))


def _reactions(**by_stance: Mapping[str, float]) -> Mapping[str, Reaction]:
    """Stance reactions keyed by stance label; stances not given add nothing."""
    return MappingProxyType({stance: _frozen(by_stance.get(stance, {})) for stance in LABELS})


@dataclass(frozen=True)
class Persona:
    """One debtor persona: a role prompt for LLM debtors and the parameters of the scripted debtor.

    See the module docstring for the meaning of every parameter; all are assumptions.
    """

    name: str
    description: str
    base_emotion: Mapping[str, float] = field(hash=False)
    stance_reactions: Mapping[str, Reaction] = field(hash=False)
    concession_reaction: Reaction = field(hash=False)
    hold_reaction: Reaction = field(hash=False)
    inertia: float = 0.5
    opening_markup: float = 0.0
    reservation_share: float = 0.5
    concession_rate: float = 0.12
    reciprocity: float = 0.3
    empathy_response: float = 0.2
    firmness_response: float = -0.2
    anger_drag: float = 0.3
    move_probability: float = 1.0
    max_hold_rounds: int = 2
    acceptance_share: float = 0.06
    refusal_probability: float = 0.0
    threat_probability: float = 0.0
    representation_claim: float = 0.0
    false_promise_probability: float = 0.0
    hardship_appeal_probability: float = 0.0
    minimal_answer_probability: float = 0.0

    def __post_init__(self) -> None:
        if not self.name or not self.description.strip():
            raise ValueError("a persona needs a name and a description")
        unknown = set(self.base_emotion) - set(LABELS)
        if unknown or any(w < 0 for w in self.base_emotion.values()) or sum(self.base_emotion.values()) <= 0:
            raise ValueError(
                f"persona {self.name!r}: base_emotion must be non-negative weights over {', '.join(LABELS)} "
                f"with a positive sum (unknown labels: {sorted(unknown)})"
            )
        for reaction in (*self.stance_reactions.values(), self.concession_reaction, self.hold_reaction):
            if set(reaction) - set(LABELS):
                raise ValueError(f"persona {self.name!r}: reaction labels {sorted(set(reaction) - set(LABELS))}")
        shares = {
            "inertia": self.inertia,
            "acceptance_share": self.acceptance_share,
            "reservation_share": self.reservation_share,
            "concession_rate": self.concession_rate,
            "anger_drag": self.anger_drag,
            "move_probability": self.move_probability,
            "refusal_probability": self.refusal_probability,
            "threat_probability": self.threat_probability,
            "representation_claim": self.representation_claim,
            "false_promise_probability": self.false_promise_probability,
            "hardship_appeal_probability": self.hardship_appeal_probability,
            "minimal_answer_probability": self.minimal_answer_probability,
        }
        for key, value in shares.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"persona {self.name!r}: {key} must be between 0 and 1, not {value}")
        if self.opening_markup < 0:
            raise ValueError(f"persona {self.name!r}: opening_markup must be >= 0 (open at or above the target)")
        if self.max_hold_rounds < 1:
            raise ValueError(f"persona {self.name!r}: max_hold_rounds must be at least 1, not {self.max_hold_rounds}")

    @property
    def honest(self) -> bool:
        """Whether the persona's asks never go back up."""
        return self.false_promise_probability == 0.0

    def base_distribution(self) -> list[float]:
        """The resting emotion distribution as a list in :data:`LABELS` order, summing to 1."""
        weights = [float(self.base_emotion.get(label, 0.0)) for label in LABELS]
        total = sum(weights)
        return [w / total for w in weights]


# Shared reaction shapes; each persona scales or replaces them. Amounts are added to a probability vector and then
# renormalised, so 0.2 is a strong push and 0.05 a nudge.
_WARMED: Final[Reaction] = {"joy": 0.1, "anger": -0.05, "neutral": 0.05}
_HELD: Final[Reaction] = {"anger": 0.08, "disgust": 0.03}

_PERSONA_LIST: Final[tuple[Persona, ...]] = (
    Persona(
        name="vanilla",
        description=(
            "You are an ordinary borrower who fell behind on a loan and wants to settle it on terms you can manage. "
            "You are polite and matter-of-fact, say plainly what you can afford, and respond in kind to the "
            "collector's tone. You negotiate for a longer repayment timeline but will meet the collector halfway."
        ),
        base_emotion={"neutral": 0.6, "joy": 0.1, "sadness": 0.1, "fear": 0.1, "anger": 0.05, "surprise": 0.05},
        stance_reactions=_reactions(
            sadness={"joy": 0.05, "neutral": 0.05, "anger": -0.05},
            joy={"joy": 0.1},
            anger={"anger": 0.1, "fear": 0.05},
        ),
        concession_reaction=_WARMED,
        hold_reaction=_HELD,
        opening_markup=0.0,
        reservation_share=0.6,  # settles for up to 60% of the gap
        concession_rate=0.15,
        acceptance_share=0.11,
    ),
    Persona(
        name="angry",
        description=(
            "You are furious about being chased for this debt and feel the collector's demands are unfair. You "
            "speak bluntly, interrupt with complaints, and push back hard on short timelines. Respect and patience "
            "calm you down; pressure makes you angrier."
        ),
        base_emotion={
            "anger": 0.55,
            "disgust": 0.1,
            "neutral": 0.15,
            "sadness": 0.05,
            "fear": 0.05,
            "surprise": 0.05,
            "joy": 0.05,
        },
        stance_reactions=_reactions(
            sadness={"anger": -0.25, "neutral": 0.1, "sadness": 0.05},  # empathy calms
            joy={"anger": -0.1, "neutral": 0.05},
            neutral={"anger": -0.03},
            anger={"anger": 0.25, "disgust": 0.05},  # firmness inflames
            disgust={"anger": 0.15, "disgust": 0.1},
        ),
        concession_reaction={"anger": -0.1, "neutral": 0.05, "joy": 0.03},
        hold_reaction={"anger": 0.12, "disgust": 0.04},
        inertia=0.55,
        opening_markup=0.15,
        reservation_share=0.45,
        concession_rate=0.09,
        reciprocity=0.4,
        empathy_response=0.4,
        firmness_response=-0.4,
        anger_drag=0.5,
        refusal_probability=0.1,
    ),
    Persona(
        name="sad",
        description=(
            "You are overwhelmed and low because of money troubles and feel ashamed to be behind on payments. You "
            "speak quietly, apologise often and mention how hard things are at home. Kindness helps you commit to a "
            "plan; harshness makes you withdraw."
        ),
        base_emotion={
            "sadness": 0.55,
            "fear": 0.1,
            "neutral": 0.2,
            "joy": 0.05,
            "anger": 0.05,
            "surprise": 0.025,
            "disgust": 0.025,
        },
        stance_reactions=_reactions(
            sadness={"sadness": -0.05, "joy": 0.08, "neutral": 0.07},
            joy={"joy": 0.1, "sadness": -0.05},
            anger={"sadness": 0.15, "fear": 0.1},
        ),
        concession_reaction={"joy": 0.08, "sadness": -0.05, "neutral": 0.03},
        hold_reaction={"sadness": 0.08, "fear": 0.03},
        opening_markup=0.05,
        reservation_share=0.55,
        concession_rate=0.12,
        empathy_response=0.5,
        firmness_response=-0.2,
        acceptance_share=0.11,
        hardship_appeal_probability=0.25,
    ),
    Persona(
        name="fear",
        description=(
            "You are anxious about what happens if you cannot pay: your credit, your job, losing what you have. "
            "You ask worried questions and want reassurance that a plan is safe. Pressure frightens you into "
            "conceding; calm reassurance lets you think clearly."
        ),
        base_emotion={"fear": 0.55, "sadness": 0.15, "neutral": 0.2, "surprise": 0.05, "anger": 0.03, "joy": 0.02},
        stance_reactions=_reactions(
            sadness={"fear": -0.1, "neutral": 0.08, "joy": 0.03},
            joy={"fear": -0.08, "joy": 0.08},
            anger={"fear": 0.2, "sadness": 0.05},
            fear={"fear": 0.1},
        ),
        concession_reaction={"fear": -0.08, "joy": 0.05, "neutral": 0.03},
        hold_reaction={"fear": 0.08},
        opening_markup=0.0,
        reservation_share=0.65,
        concession_rate=0.15,
        empathy_response=0.2,
        firmness_response=0.3,  # pressure makes a frightened debtor give way faster
        anger_drag=0.1,
        acceptance_share=0.11,
    ),
    Persona(
        name="disgust",
        description=(
            "You find the collection industry distasteful and the collector's approach off-putting. You are "
            "contemptuous and sarcastic, and you question why you should deal with them at all. You will settle, "
            "but only on terms that do not feel like giving in."
        ),
        base_emotion={
            "disgust": 0.5,
            "anger": 0.2,
            "neutral": 0.15,
            "sadness": 0.05,
            "surprise": 0.05,
            "joy": 0.03,
            "fear": 0.02,
        },
        stance_reactions=_reactions(
            sadness={"disgust": -0.1, "neutral": 0.08},
            joy={"disgust": 0.05},  # cheerfulness reads as fake to this persona
            anger={"disgust": 0.12, "anger": 0.12},
            disgust={"disgust": 0.15, "anger": 0.05},
        ),
        concession_reaction={"disgust": -0.08, "neutral": 0.05},
        hold_reaction={"disgust": 0.1, "anger": 0.05},
        opening_markup=0.1,
        reservation_share=0.45,
        concession_rate=0.09,
        empathy_response=0.2,
        firmness_response=-0.3,
        anger_drag=0.3,
        refusal_probability=0.08,
    ),
    Persona(
        name="threatening",
        description=(
            "You try to intimidate the collector into backing down. You threaten to file complaints, report them "
            "to regulators, go to the press or get a lawyer involved, and you insist you know your rights. You only "
            "move when you feel the threats are getting you somewhere."
        ),
        base_emotion={"anger": 0.45, "disgust": 0.15, "neutral": 0.2, "fear": 0.05, "surprise": 0.05, "joy": 0.1},
        stance_reactions=_reactions(
            sadness={"anger": -0.1, "neutral": 0.05},
            joy={"anger": -0.05},
            anger={"anger": 0.15},
            fear={"joy": 0.05, "anger": -0.03},  # a nervous creditor emboldens the threatener
        ),
        concession_reaction={"joy": 0.08, "anger": -0.05},
        hold_reaction={"anger": 0.12},
        inertia=0.55,
        opening_markup=0.2,
        reservation_share=0.4,
        concession_rate=0.08,
        reciprocity=0.5,  # concessions feel like the threats work
        empathy_response=0.1,
        firmness_response=-0.3,
        anger_drag=0.3,
        threat_probability=0.45,
        representation_claim=0.02,  # ~1 threat in 50 claims present representation, which must escalate
    ),
    Persona(
        name="cheating",
        description=(
            "You try to get the best deal by any means. You sound friendly and cooperative, make promises you do "
            "not intend to keep, agree to terms and then go back on them, and invent reasons why you need more "
            "time. You never admit you are being strategic."
        ),
        base_emotion={"neutral": 0.45, "joy": 0.25, "surprise": 0.1, "sadness": 0.1, "anger": 0.05, "fear": 0.05},
        stance_reactions=_reactions(
            sadness={"joy": 0.05},
            joy={"joy": 0.1},
            anger={"surprise": 0.08, "anger": 0.05},
        ),
        concession_reaction={"joy": 0.1},
        hold_reaction={"surprise": 0.05, "anger": 0.05},
        opening_markup=0.1,
        reservation_share=0.5,
        concession_rate=0.12,
        false_promise_probability=0.3,
    ),
    Persona(
        name="victim",
        description=(
            "You present yourself as the victim of circumstances and of the lender: the job loss, the illness, the "
            "unclear fees were not your fault. You appeal for sympathy and special treatment and describe your "
            "hardship at length. You respond well to understanding and badly to being blamed."
        ),
        base_emotion={"sadness": 0.45, "fear": 0.2, "anger": 0.1, "neutral": 0.15, "disgust": 0.05, "surprise": 0.05},
        stance_reactions=_reactions(
            sadness={"sadness": -0.05, "neutral": 0.08, "joy": 0.05},
            joy={"joy": 0.05},
            anger={"sadness": 0.12, "anger": 0.08},
        ),
        concession_reaction={"joy": 0.05, "neutral": 0.05},
        hold_reaction={"sadness": 0.08, "anger": 0.04},
        opening_markup=0.1,
        reservation_share=0.5,
        concession_rate=0.1,
        empathy_response=0.6,
        firmness_response=-0.3,
        hardship_appeal_probability=0.5,
    ),
    Persona(
        name="stonewalling",
        description=(
            "You do not want to engage. You give minimal, evasive answers, avoid committing to anything and often "
            "just repeat your position. You only move slowly, and only when the collector keeps conceding."
        ),
        base_emotion={"neutral": 0.6, "disgust": 0.15, "anger": 0.1, "sadness": 0.05, "surprise": 0.05, "fear": 0.05},
        stance_reactions=_reactions(anger={"anger": 0.05}, sadness={"neutral": 0.03}),
        concession_reaction={"neutral": 0.03},
        hold_reaction={"disgust": 0.03},
        inertia=0.7,
        opening_markup=0.1,
        reservation_share=0.35,
        concession_rate=0.15,
        reciprocity=0.2,
        empathy_response=0.0,
        firmness_response=0.0,
        anger_drag=0.1,
        move_probability=0.35,
        max_hold_rounds=4,
        acceptance_share=0.06,
        minimal_answer_probability=0.85,
    ),
)

PERSONAS: Final[Mapping[str, Persona]] = MappingProxyType({persona.name: persona for persona in _PERSONA_LIST})
"""The nine personas by name, in :data:`PERSONA_NAMES` order."""


def get_persona(name: str) -> Persona:
    """Return the persona called ``name`` (case and surrounding spaces ignored).

    Raises:
        ValueError: If there is no such persona; the message lists the valid names.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    try:
        return PERSONAS[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown persona {name!r}; valid personas: {', '.join(PERSONA_NAMES)}") from None


def parse_personas(spec: str) -> tuple[Persona, ...]:
    """Read a persona selection: ``"all"`` or a comma-separated list of names (``"angry,sad"``).

    Duplicates are dropped; the order given is kept.

    Raises:
        ValueError: If the selection is empty or names an unknown persona (the message lists the valid names).
    """
    if spec.strip().lower() == "all":
        return tuple(PERSONAS[name] for name in PERSONA_NAMES)
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if not names:
        raise ValueError(f"empty persona selection {spec!r}; use 'all' or names from: {', '.join(PERSONA_NAMES)}")
    chosen: dict[str, Persona] = {}
    for name in names:
        persona = get_persona(name)
        chosen.setdefault(persona.name, persona)
    return tuple(chosen.values())
