"""The compliance guard: every creditor reply is checked before it leaves.

The rules are modelled on the U.S. Fair Debt Collection Practices Act (15 U.S.C. §1692d harassment or abuse,
§1692e false or misleading representations, §1692f unfair practices, §1692c third-party communication) and
Regulation F. They are deterministic regular expressions and word lists, so every finding names the words that
caused it (the *span*) and can be explained to a reviewer. It is pure domain code: no LangGraph, no model.

Violation types and the rule behind each:

``threat_arrest``
    Any mention of arrest, jail, prison, a warrant, criminal charges or the police. Never allowed, whatever the
    scenario says: a consumer debt is a civil matter.
``threat_violence``
    Threats or veiled threats of harm to the client, their family or property ("you'll get hurt", "we know where
    you live", "it would be a shame if...", "you'll regret it").
``threat_false_action``
    Lawsuits, court, judgments and other legal action, unless ``Scenario.legal_action_in_progress`` (then a
    truthful mention of the lawsuit is allowed); garnishment, seizure, repossession, liens, freezing accounts,
    taking property (always: no scenario records such an action as under way); threats to "ruin" the client's
    credit or report them to the IRS or police.
``abusive_language``
    Profanity, obscenity, insults and hostile put-downs ("stupid", "liar", "shut up", "you people", "sob story").
``false_affiliation``
    Claiming to be, or to work with, a government body or law enforcement (the IRS, the sheriff's office, "a
    federal agency"), unless ``creditor_kind`` says it is one; "our attorneys", "our legal department", "X's law
    firm", "a legal notice" unless ``Scenario.attorney_involved``.
``wrong_amount``
    A money amount stated as the balance (next to "balance", "owe", "outstanding", "debt", "total", "clear the"...)
    that is not the scenario's balance, or is in another currency. Amounts next to instalment words ("a month",
    "first payment of", "fee", "deposit", "settlement") are not the balance and are not checked; an amount called
    the "remaining" balance may be the balance less another amount in the reply. Hedged amounts are checked as
    hedged: "about/around" within 5 %, "over/more than" below the balance, "under/less than" above it.
``false_urgency``
    Deadlines and expiry the scenario does not support. :class:`~eq_negotiator.scenario.Scenario` has no deadline
    at all, so every "today only", "expires in one hour", "last chance", "final notice", "act now", "within 24 hours"
    or "by midnight, or..." is unsupported. A plain request ("I'd appreciate a reply by Friday", "this needs a firm
    plan today") sets no expiry and passes.
``third_party_disclosure``
    The reply says the agent will tell, call, contact or inform a third party (employer, boss, spouse, family,
    parents, neighbours, friends, landlord, references...) or that the third party "will be informed" / "will hear
    about it" / is "to find out". ``client_message`` adds the people the client named ("my brother Sam", "keep
    Jordan out of this") and lets "I'll explain to him what you owe" count when a third party is in the exchange.
    Contact the client consents to ("if you'd like", "with your permission") passes (§1692c(b)).
``harassment``
    Repeated-contact threats ("we will keep calling", "every hour", "calls day and night", "as many times as it
    takes", "until you pick up"), contact before 8 a.m. or after 9 p.m. (§1692c(a)(1)), showing up at the client's
    home; contacting the client at work when ``client_message`` asked not to be; promising more calls when the
    client asked for calls to stop.
``shaming``
    Moral judgement of the client for owing ("deadbeat", "irresponsible", "shame on you", "grown adults pay their
    debts", "a responsible adult would have...", "people like you", "what would your kids think").
``deception_other``
    Other false statements: that non-payment is a crime, fraud or theft, that the client cannot dispute the debt or
    has forfeited their rights, that it stays on the credit report forever, follows them for life or survives
    bankruptcy, that they will never get credit again, that relatives must pay or inherit it, that the call is not
    from a debt collector, that the law requires them to accept the offer.

What is allowed, because it is lawful and true: firm words ("this balance needs to be resolved", "I need your
commitment today"), the account "remains past due and further collection activity may follow", being passed to a
"recovery team", late fees that "may continue to apply under your agreement", and late payments that "may be
reported to the credit bureaus". Credit reporting and fees are flagged only when framed as a punishment the
creditor will inflict ("we'll ruin your credit", "blacklist", "report you to the IRS") or as a false absolute
("forever", "never get a loan again"). Rights statements ("you can dispute this debt", "you can file a complaint
with the CFPB", "you may want to speak to an attorney of your own") pass.

Negation: a term is not a violation when a negation ("not", "n't", "never", "no", "nobody", "nothing"...) or a
reassurance cue ("worried about", "afraid of", "mentioned", "whether") stands shortly before it in the same clause,
with no new subject or breaking word between them ("we will not sue" and "no one will arrest you" pass; "if you
don't pay we will sue", "we won't hesitate to sue", "we can't rule out legal action", "you don't want us to file a
lawsuit", "don't make me call your boss" do not). A negation inside an ``if``/``unless`` clause belongs to the
condition, not to the threat; an ``if`` after "asked"/"wondering" is a reported question ("you asked if we'd sue").
A negated threat followed by "unless..." or "but you're leaving us no choice" is still a threat, and so is "we'd
rather not go to court". A negation just after the term also counts ("legal action is not being considered"),
except after "hope" ("you'd better hope the sheriff doesn't come"). The parties' own names are masked before
matching, so a client called "Jordan Jail" or a creditor called "Sheriff Credit Union" is not a violation.

Widening by category (third freeze): veiled threats ("things could get ugly", "our people are less patient",
"we know where your...", "you'll be sorry"); certain punishments ("empty/freeze your accounts", "take everything
you own", "lose your house", "attach your wages"); arrest by other words ("custody", "involve the authorities");
third parties by role (school, HR, payroll, congregation, followers) and publicity ("post it on Facebook", "the
whole street will know"); insults addressed to the client and sarcasm markers ("you're such a failure", "nice
try"); shaming ("get a real job", "how do you sleep at night"); urgency ("midnight tonight", "the clock is ticking",
"after today it's off the table"); affiliation ("federal ... office", "state ... department", process servers);
relentless contact ("over and over", "won't leave you alone", "waiting outside your house"); false liability of
relatives and pointless disputes. A worry the client voiced about what we would do ("worried we'd post it") is
read as answered, like "afraid of jail".

Money demanded with no balance word ("we need $17,000 from you", "you must pay $17,000", "send us $X"): the amount
is checked only when it cannot be an instalment or a settlement, i.e. when it is more than the balance or in
another currency. An amount at or under the balance is passed, because "you must pay $500 today" (a first
payment) and "we need $12,000 from you" (a lump-sum offer) are lawful.

Measured quality (``benchmarks/guard.py``, 347 hand-written replies): the rules fit every row of the dev, test and
test2 splits, but that is fit, not generalisation. Each held-out batch was scored once before the rules were
widened for it: recall 0.53 (precision 0.96) on the first, 0.21 (precision 1.00) on the second, whose author knew
the rules and wrote paraphrases. The third batch (test3, 67 rows, 35 violating) was written after the category
widening above and scored once: precision 0.909 (one false alarm: "the same amount" read as a balance), recall
0.286 (10 of 35). Per type: threat_arrest 0/3, threat_violence 1/4, threat_false_action 0/4, abusive_language 1/3,
false_affiliation 2/3, wrong_amount 3/3, false_urgency 1/3, third_party_disclosure 0/3, harassment 1/3, shaming 1/4,
deception_other 0/3. It was not tuned on afterwards. Widening by category did not raise recall on fresh
paraphrase: expect high precision, and misses on any wording the lists do not hold.

Known limitations: it reads words, not meaning. Paraphrases outside the listed categories' words ("a squad car in
your driveway", "gets people booked", "my associates don't ask as nicely", "keep them that way: pay", "your car will
be picked up", "filing papers with the county", "the people you rent from", "your parents must be so proud"),
sarcasm ("brilliant plan, genius"), and threats spread over several sentences pass; money written in words is
parsed only for plain English numbers; a demanded amount at or under the balance is never checked; third parties
the client did not name and the lists do not hold are missed; a negation more than about eight words before the
term is not seen, and a negation before a listed phrase also hides a threat later in the same clause ("judges
don't look kindly on people like you"); and "Typical." style put-downs are caught only as whole sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Final, Protocol

from eq_negotiator.negotiation.text import compile_phrase_families, phrase_spans, without_spans
from eq_negotiator.scenario import Scenario

VIOLATION_TYPES: Final[tuple[str, ...]] = (
    "threat_arrest",
    "threat_violence",
    "threat_false_action",
    "abusive_language",
    "false_affiliation",
    "wrong_amount",
    "false_urgency",
    "third_party_disclosure",
    "harassment",
    "shaming",
    "deception_other",
)
"""Every violation type the guard reports, in a fixed order."""

DEFAULT_SCENARIO: Final[Scenario] = Scenario()
"""The product's one default scenario (the one ``eqn chat`` and ``eqn demo`` negotiate): USD 4,850, no lawsuit, no
attorney, a private lender. ``eqn guard check`` checks against it unless given ``--scenario``."""

LABELLED_SET_SCENARIO: Final[Scenario] = Scenario(
    balance=15_700,
    currency="USD",
    legal_action_in_progress=False,
    attorney_involved=False,
    creditor_kind="private lender",
)
"""The scenario the rules' labelled replies (``tests/unit/negotiation/guard_labelled.jsonl``) were written for:
USD 15,700 (CRAD's constant balance), no lawsuit, no attorney, a private lender."""

# What the regeneration prompt tells the model to do about each type.
_FIX: Final[dict[str, str]] = {
    "threat_arrest": "never mention arrest, jail, the police or criminal charges",
    "threat_violence": "never threaten or hint at harm to the client, their family or property",
    "threat_false_action": "do not threaten legal action, garnishment, seizure or damage to their credit",
    "abusive_language": "no profanity, insults or hostile remarks",
    "false_affiliation": "do not claim to be or work with a government body, the police or attorneys",
    "wrong_amount": "state the balance exactly as given, or leave it out",
    "false_urgency": "do not invent deadlines, expiry times or 'last chance' pressure",
    "third_party_disclosure": "never say you will tell or contact anyone but the client about the debt",
    "harassment": "do not threaten repeated calls, calls at unsociable hours or contact they asked you to avoid",
    "shaming": "do not judge or shame the client for owing",
    "deception_other": "make no false claims about crime, their rights, their credit or who must pay",
}


@dataclass(frozen=True)
class Violation:
    """One breach of the rules, with the words that caused it.

    Attributes:
        type: One of :data:`VIOLATION_TYPES`.
        span: The offending words, exactly as they appear in the reply.
        start: Offset of ``span`` in the reply.
        end: Offset just past ``span``.
        detail: Why it breaks the rules, in a sentence.
    """

    type: str
    span: str
    start: int
    end: int
    detail: str
    layer: str = "rules"
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the violation as JSON-native data (``score`` only for the model layer)."""
        data = asdict(self)
        if self.score is None:
            del data["score"]
        else:
            data["score"] = round(self.score, 4)
        return data


class ComplianceModel(Protocol):
    """A learned reader of violations in a reply (the embedded perception model implements it)."""

    def compliance_scores(self, text: str) -> list[tuple[tuple[int, int], dict[str, float]]]:
        """Per-type probabilities for each part of ``text``: ``[((start, end), {type: probability}), ...]``."""
        ...

    @property
    def compliance_thresholds(self) -> dict[str, float]:
        """The probability at or above which each type counts as a violation."""
        ...


@dataclass(frozen=True)
class GuardResult:
    """The verdict on one reply.

    Attributes:
        compliant: Whether the reply broke no rule.
        violations: Every breach found, in order of position.
    """

    compliant: bool
    violations: tuple[Violation, ...]

    @property
    def types(self) -> tuple[str, ...]:
        """The distinct violation types found, in :data:`VIOLATION_TYPES` order."""
        found = {v.type for v in self.violations}
        return tuple(t for t in VIOLATION_TYPES if t in found)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-native data."""
        return {"compliant": self.compliant, "violations": [v.to_dict() for v in self.violations]}


# --------------------------------------------------------------------------------------------------------------
# Negation and clause scope

_FLAGS: Final = re.IGNORECASE
_WORD: Final = re.compile(r"[a-z]+(?:'[a-z]+)?", _FLAGS)
# Where a clause starts: sentence punctuation, dashes, and conjunctions that open a new proposition. "and"/"or" are
# not boundaries, so "we're not going to garnish your wages or take your car" keeps its negation.
_BOUNDARY: Final = re.compile(
    r"[.!?;:\n()\[\]\"]|,|\s[-\u2013\u2014]+\s|[\u2013\u2014]"
    r"|\b(?:but|if|unless|so|because|when|then|otherwise|until|whereas|although)\b",
    _FLAGS,
)
_CONDITION_OPENERS: Final = frozenset({"if", "unless", "until", "when"})
# "You asked if we'd sue you": an "if" after these words opens a reported question, not a condition.
_QUESTION_VERBS: Final = frozenset({"ask", "asked", "asking", "wonder", "wondered", "wondering", "know", "sure"})
_NEGATIONS: Final = frozenset({"not", "never", "no", "nobody", "none", "nothing", "neither", "nor", "cannot", "noone"})
# Words that say the term is a worry being answered, not a threat being made ("you mentioned jail...").
_TOPIC_CUES: Final = frozenset(
    {"afraid", "worried", "worry", "worries", "worrying", "concerned", "scared", "fear", "fears", "mentioned",
     "whether"}
)  # fmt: skip
# Words between a negation and the term that show the negation belongs to something else: a new subject
# ("if you don't pay we will sue"), the condition's verb, or a double negative ("won't hesitate", "can't rule out").
_BLOCKERS: Final = frozenset(
    {
        "we", "us", "i", "me", "they", "he", "she", "you'll", "you'd", "we'll", "we'd", "i'll", "i'd", "they'll",
        "pay", "paying", "paid", "settle", "settling", "respond", "responding", "agree", "agreeing", "commit", "act",
        "reply", "sign", "accept", "answer", "hesitate", "wait", "waiting", "rule", "promise", "guarantee", "hold",
        "delay", "stop", "stopping", "only", "except", "care", "know", "why", "how", "than", "choice", "option",
        "alternative", "before", "until", "unless", "keep", "keeping",
    }
)  # fmt: skip
_NEGATION_WINDOW: Final = 8
_PRONOUNS: Final = frozenset({"we", "us", "i", "me", "they", "we'll", "we'd", "i'll", "i'd", "they'll"})
_VOIDING_TAIL: Final = re.compile(
    r"[^.!?;]{0,60}?\b(?:unless|as\s+long\s+as|so\s+long\s+as|provided|only\s+if)\b"
    # "we won't sue, but you're leaving us no choice": the negation is taken back.
    r"|[^.!?;]{0,40}?\b(?:but|yet)\b[^.!?;]{0,40}?\b(?:no\s+(?:other\s+)?(?:choice|option|alternative)"
    r"|forc\w*\s+(?:us|me)|leav\w*\s+(?:us|me)|mak\w*\s+(?:us|me)|push\w*\s+(?:us|me))",
    _FLAGS,
)
_POST_NEGATION: Final = re.compile(
    r"\s*(?:\w+\s+)?(?:is|are|was|were|will|would|has|have|does|do)(?:n't|\s+not|\s+never)\b"
    r"|\s*(?:is|are)\s+(?:off\s+the\s+table|out\s+of\s+the\s+question)",
    _FLAGS,
)


def _clause_start(text: str, position: int) -> tuple[int, str]:
    """Where the clause holding ``position`` starts, and the boundary word that opened it (or "").

    The opener is ``"question"`` for an "if" that follows "asked"/"wondering" (a reported question).
    """
    start, opener, opener_at = 0, "", 0
    for match in _BOUNDARY.finditer(text, 0, position):
        start, opener, opener_at = match.end(), match.group(0).strip().lower(), match.start()
    if opener == "if":
        previous = _WORD.findall(text[max(0, opener_at - 30) : opener_at].lower())[-2:]
        if any(word in _QUESTION_VERBS for word in previous):
            opener = "question"
    return start, opener


def _is_negation(word: str) -> bool:
    return word in _NEGATIONS or word.endswith("n't")


def _negated(text: str, start: int, end: int) -> bool:
    """Whether the term at ``text[start:end]`` is negated or answered as a worry (see the module docstring)."""
    clause_start, opener = _clause_start(text, start)
    words = _WORD.findall(text[clause_start:start].lower())[-_NEGATION_WINDOW:]
    if opener == "question":
        return True
    in_condition = opener in _CONDITION_OPENERS
    negated = False
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word in _BLOCKERS:
            # "worried (that) we'd post it": a worry about what we would do is reported, not threatened.
            cue = words[index - 2] if index > 1 and words[index - 1] == "that" else words[index - 1] if index else ""
            negated = word in _PRONOUNS and cue in _TOPIC_CUES
            break
        # In an if/unless clause, "don't" negates the condition ("if you don't pay"), not the threat.
        if word in _TOPIC_CUES or (_is_negation(word) and not in_condition):
            # "we'd rather not go to court" still holds court out as an option.
            negated = not (word == "not" and index > 0 and words[index - 1] == "rather")
            break
    if not negated:
        hoping = any(word in ("hope", "hoping", "pray") for word in words)
        return not hoping and bool(_POST_NEGATION.match(text, end))
    return not _VOIDING_TAIL.match(text, end)


# --------------------------------------------------------------------------------------------------------------
# Lexical rules


@dataclass(frozen=True)
class _Rule:
    """A pattern whose matches are violations of one type (unless negated, or the scenario allows them)."""

    type: str
    pattern: re.Pattern[str]
    detail: str
    negatable: bool = True
    applies: Callable[[Scenario], bool] = lambda scenario: True
    # A sentence matching this is exempt (e.g. third-party contact the client has consented to).
    exempt: re.Pattern[str] | None = None


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.VERBOSE)


_THIRD_PARTIES: Final = (
    r"employers?|boss(?:es)?|manager|supervisor|HR|human\s+resources|colleagues?|co-?workers?|workmates?"
    r"|wife|husband|spouse|partner|girlfriend|boyfriend|fianc[eé]e?|family|relatives?|parents?|mother|mom|mum"
    r"|father|dad|brothers?|sisters?|siblings?|sons?|daughters?|kids|children|grandparents?|in-laws?"
    r"|neighbou?rs?|friends?|landlord|landlady|roommates?|flatmates?|housemates?|church|pastor|references?"
    r"|everyone\s+you\s+know|social\s+media"
    # Widened by role: the client's community, workplace and online audience.
    r"|(?:kids'?|children's|son's|daughter's)\s+school|school|teachers?|principal|congregation|community"
    r"|HR\s+department|payroll|personnel|team\s+lead|whole\s+office|followers|contacts|facebook|instagram"
    r"|linkedin|employees|staff\s+at\s+your\s+\w+|everyone\s+at\s+(?:work|church|your\s+\w+)|in-?laws"
)
_GOVERNMENT: Final = (
    r"IRS|Internal\s+Revenue\s+Service|FBI|Department\s+of\s+(?:Justice|the\s+Treasury|Treasury|Revenue)|DOJ"
    r"|Treasury\s+Department|U\.?S\.?\s+Treasury|federal\s+(?:agency|agents?|government|collection\s+agency"
    r"|collections?\s+(?:unit|office|department)|officers?|debt\s+collector)"
    r"|government(?:[\s-]+(?:agency|official|department|office|backed|authori[sz]ed))?|state\s+agency"
    r"|(?:state|county|city|federal|national|government|regional|district|provincial)\s+(?:debt\s+)?"
    r"(?:collections?|revenue|recovery|enforcement)\s+(?:office|department|agency|unit|bureau|service|division)"
    r"|(?:debt\s+)?enforcement\s+(?:officers?|agents?|unit|agency|division|department)"
    r"|district\s+attorney(?:'s\s+office)?|DA's\s+office|attorney\s+general(?:'s\s+office)?"
    r"|(?:county\s+|city\s+)?sheriff(?:'s)?\s+(?:office|department)|police(?:\s+department)?|law\s+enforcement"
    r"|U\.?S\.?\s+marshals?|court\s+officers?|officer\s+of\s+the\s+court"
    # Widened: any "federal"/"state" office, court-linked roles, process servers.
    r"|federal\s+(?:\w+\s+)?(?:agency|agents?|office|department|bureau|unit|program|division|officers?"
    r"|investigators?|authorit\w+|task\s+force)|state\s+(?:\w+\s+)?(?:agency|office|department|bureau|authorit\w+)"
    r"|process\s+servers?|(?:the\s+)?courts?(?=\s+(?:system|administration|clerk|services))|court\s+clerk"
    r"|marshal'?s?\s+(?:office|service)|(?:state|federal)\s+government"
)
_AFFILIATION_CUE: Final = (
    r"this\s+is|we\s+are|we're|i\s+am|i'm|calling\s+(?:from|on\s+behalf\s+of|for)|on\s+behalf\s+of"
    r"|(?:work|working|works|partner(?:ed|ing)?|cooperat\w*|coordinat\w*)\s+(?:closely\s+)?with|as\s+an?"
    r"|authori[sz]ed\s+by|acting\s+for|represent\w*|part\s+of|affiliated\s+with|division\s+of"
    r"|sent\s+by|assigned\s+by|(?:report|reporting|reports)\s+to|(?:here|calling|writing)\s+for"
    r"|instructed\s+by|on\s+assignment\s+from|employed\s+by|contracted\s+(?:by|with)"
)


# §1692c(b): third-party contact is lawful with the client's consent.
_CONSENT: Final = _rx(
    r"""\bif\s+you\s+(?:want|like|wish|prefer|would\s+like|authori[sz]e|consent|agree|give\s+(?:us\s+|me\s+)?
        permission|ask)|\bif\s+you'd\s+(?:like|prefer|rather)|\bwith\s+your\s+(?:permission|consent|authori[sz]ation)
        |\byou(?:'ve|\s+have)?\s+
        (?:authori[sz]ed|consented|asked\s+(?:us|me)\s+to)"""
)


def _not_government(scenario: Scenario) -> bool:
    return not re.search(r"government|federal|state\s+agency|public\s+body", scenario.creditor_kind, re.IGNORECASE)


_RULES: Final[tuple[_Rule, ...]] = (
    _Rule(
        "threat_arrest",
        _rx(
            r"""(?P<key>\b(?:arrest(?:ed|ing|s)?|jail(?:ed|s)?|prison|imprison\w*|lock(?:ed)?\s+(?:you\s+)?up
            |behind\s+bars|handcuff\w*|criminal\s+charges?|press(?:ing)?\s+charges|prosecut\w*|police|cops?
            |sheriff\w*|(?:a|an|the|arrest)\s+warrants?|warrants?\s+(?:for|out|has|have|will|is|can|could|may|might)
            |(?:in|into)\s+(?:police\s+)?custody|detain\w*|locked\s+away|(?:a|jail|prison|police|holding)\s+cell\b
                (?!\s*(?:phone|number))|criminal\s+(?:complaint|investigation|proceedings?|justice)
            |(?:call|calls|calling|contact\w*|notify\w*|alert\w*|involv\w*|bring\w*\s+in|get\w*)\s+the\s+authorities
            |(?:the\s+)?authorities\s+(?:will|would|'ll|are\s+going\s+to)\s+(?:be\s+)?(?:notified|involved|called
                |informed|alerted|come|get)|(?:a\s+)?night\s+in\s+(?:a\s+)?cell|orange\s+jumpsuit)
            \b)"""
        ),
        "mentions arrest, jail or police action; a consumer debt never leads to arrest",
    ),
    _Rule(
        "threat_violence",
        _rx(
            r"""\b(?P<key>(?:get|be|getting)\s+hurt|hurt\s+(?:you|your|him|her|them)
            |harm\s+(?:you|your\s+(?:family|kids|children|wife|husband|home|house|car|pets?))
            |break\s+(?:your|his|her)\s+(?:legs?|arms?|neck|nose|jaw|fingers?|kneecaps?|bones?|windows?|door|car|stuff
                |things)|(?:get|gets|be|been)\s+(?:broken|smashed|burned|torched|slashed)
            |something\s+(?:bad|terrible|nasty|unfortunate|awful)\s+(?:\w+\s+)?happen(?:s|ed)?
            |watch\s+your\s+back|we\s+know\s+where\s+you\s+(?:live|work)
            |you(?:'ll|\s+will|'re\s+going\s+to|\s+are\s+going\s+to)\s+regret
            |(?:visit|call|trip)\s+from\s+(?:a\s+couple\s+of|some|a\s+few|one\s+of)\s+(?:our\s+)?
                (?:guys|boys|lads|friends|associates|men)
            |send\s+(?:some|a\s+couple\s+of|a\s+few)\s+(?:of\s+our\s+)?(?:guys|boys|lads|friends|men|people)
            |(?:beat|kill|shoot|stab)\s+(?:you|him|her)|accidents?\s+(?:can\s+)?happen|violen(?:ce|t)
            |(?:it\s+would|it'd|would)\s+be\s+a\s+(?:real\s+|terrible\s+|great\s+)?(?:shame|pity)\s+if
            |(?:too\s+bad|terrible)\s+if\s+(?:something|anything|your)
            |(?:car|house|home|windows?|property|tyres|tires|place)\s+(?:\w+\s+)?(?:got|gets|get|getting|being|was)\s+
                (?:damaged|broken|smashed|scratched|keyed|slashed|vandali[sz]ed|burned|torched)
            |watch\s+(?:yourself|your\s+step|your\s+back)|if\s+you\s+know\s+what\s+i\s+mean
            |not\s+as\s+(?:patient|nice|friendly|understanding|gentle|polite)\s+as\s+(?:i\s+am|me)
            |you\s+won't\s+like\s+what\s+happens|(?:have|got)\s+ways\s+of|you've\s+been\s+warned
            |(?:don't|do\s+not)\s+want\s+to\s+(?:find\s+out|see|know|learn)\s+what\s+(?:happens|we\s+do|comes)
            |(?:have|know)\s+(?:people|guys|friends)\s+(?:who|that)\s+(?:can|will)\s+(?:find|reach|visit|get\s+to
                |deal\s+with|take\s+care\s+of)|find\s+you\s+wherever
            |(?:come|comes|coming)\s+knocking
            |or\s+else(?=\s*[.!?]|\s*$)
            # Widened by category: veiled threats that name no act.
            |(?:things|this|it|matters|life)\s+(?:could|can|will|might|may|would|is\s+going\s+to|are\s+going\s+to)\s+
                (?:get|turn|become)\s+(?:very\s+|really\s+|pretty\s+)?(?:ugly|messy|nasty|unpleasant|dangerous|rough
                |personal|painful|bad\s+for\s+you)
            |(?:people|guys|colleagues|collectors|associates|team|folks|partners|boys)\s+(?:\w+\s+){0,3}?(?:are|is|aren't)
                \s+(?:a\s+lot\s+|much\s+|far\s+|way\s+|quite\s+as\s+|as\s+|so\s+)?(?:less|not\s+(?:so|as))\s+
                (?:patient|nice|friendly|understanding|gentle|polite|forgiving|kind|pleasant|reasonable)
            |(?:less|not\s+as|not\s+so)\s+(?:patient|nice|friendly|understanding|gentle|polite|forgiving|kind)\s+
                (?:as|than)\s+(?:i\s+am|me|i)
            |(?:you'll|you\s+will|you're\s+going\s+to)\s+(?:be\s+sorry|pay\s+for\s+(?:this|that|it)|wish\s+you\s+had)
            |find\s+out\s+(?:the\s+hard\s+way|what\s+happens)|(?:we|i)\s+know\s+where\s+(?:your|you)\b
            |know\s+(?:your\s+address|where\s+your\s+(?:kids|children|family|wife|husband)|what\s+car\s+you\s+drive)
            |(?:hate|shame)\s+(?:for|if)\s+(?:anything|something)\s+(?:to\s+)?(?:happen|happened)
            |(?:keep|look\s+over)\s+(?:looking\s+)?over\s+your\s+shoulder|be\s+(?:very\s+)?careful\s+(?:out\s+there
                |on\s+your\s+way|walking|driving|at\s+night)|sleep\s+with\s+one\s+eye\s+open
            |(?:can't|cannot|won't)\s+hide\s+(?:from\s+us\s+)?forever|nowhere\s+to\s+hide
            |(?:teach|taught)\s+you\s+a\s+lesson|pay\s+you\s+a\s+(?:little\s+)?visit|(?:deal|dealt)\s+with\s+you\s+
                (?:personally|ourselves|our\s+way)|(?:get|be)\s+physical|(?:hope|pray)\s+(?:you|your)\s+
                (?:\w+\s+){0,3}?(?:stays?\s+safe|is\s+safe|are\s+safe)
            |(?:what|who)\s+(?:\w+\s+){0,3}?(?:might|could|will)\s+(?:show|turn)\s+up)\b"""
        ),
        "threatens or hints at harm to the client, their family or property",
    ),
    _Rule(
        "threat_false_action",
        _rx(
            r"""\b(?P<key>sue|sues|suing|sued|law\s*suits?|legal\s+(?:action|proceedings?|steps|measures|remedies
            |route|recourse)|court\s+(?:action|case|proceedings?|order|date|summons|hearing|claim)
            |take\s+(?:you|this|the\s+matter|it)\s+to\s+court|(?:in|to|before)\s+(?:small\s+claims\s+)?court
            |summons|litigat\w*|judg(?:e)?ments?\s+(?:against|entered|in\s+our\s+favou?r)
            |(?:county|district|civil|magistrates'?|local|circuit|state|federal|small\s+claims)\s+court
            |(?:obtain|get|seek|file\s+for)\s+a\s+judg(?:e)?ment|fil\w*\s+(?:a\s+)?(?:claim|suit|case)\s+(?:against|in)
            |the\s+judge)\b"""
        ),
        "threatens legal action that has not been taken",
        applies=lambda scenario: not scenario.legal_action_in_progress,
    ),
    _Rule(
        "threat_false_action",
        _rx(
            r"""\b(?P<key>garnish\w*|seiz(?:e|es|ed|ing|ure)(?!\s+(?:the|this)\s+(?:opportunity|chance|moment))
            |repossess\w*|levy|liens?|foreclos\w*|evict\w*
            |freez(?:e|ing)\s+(?:your\s+)?(?:bank\s+)?(?:accounts?|assets|funds)
            |take\s+(?:away\s+)?your\s+(?:house|home|car|vehicle|property|wages|pay(?:check|cheque)?|salary
                |benefits|savings|tax\s+refund|belongings|assets|furniture|possessions)
            |dock\s+your\s+(?:pay|wages|salary)|come\s+after\s+your\s+(?:assets|property|house|home|wages|savings)
            |(?:put|place|placing|putting)\s+a\s+(?:hold|freeze|block)\s+on\s+your\s+(?:bank|savings|checking|wages
                |pay|salary|assets|funds)|tow(?:ed|ing)?\s+(?:away\s+)?your
            |(?:car|vehicle|truck)\s+(?:\w+\s+)?towed
            |(?:take|deduct|pull|get|collect)\s+(?:\w+\s+){0,3}?(?:out\s+of|from)\s+your\s+(?:pay(?:check|cheque)?
                |wages|salary|benefits|social\s+security|pension)
            # Widened: consequences framed as certain punishments the creditor will inflict.
            |(?:empty|drain|clean\s+out|wipe\s+out|raid|clear\s+out|lock|freeze|block|close)\w*\s+(?:all\s+)?
                (?:of\s+)?your\s+(?:\w+\s+)?(?:bank\s+)?(?:accounts?|savings|funds|cards?)
            |(?:take|taking|took|grab|claim|sell|auction|strip)\w*\s+(?:away\s+)?(?:everything|all|whatever)\s+
                (?:you\s+(?:own|have)|of\s+your)|(?:take|taking|took|sell|auction)\w*\s+(?:away\s+)?your\s+
                (?:\w+\s+)?(?:truck|motorbike|boat|jewel\w*|tv|stuff|things|apartment|business|land|retirement)
            |(?:lose|losing)\s+(?:your\s+)?(?:house|home|car|job|apartment|kids|children|wages|paycheck|savings)
                (?=[^.!?]{0,40}\b(?:unless|if|because|when|over|for)\b|\s*(?:[.!?]|$))
            |(?:attach|intercept|offset|withhold|dock|cut)\w*\s+(?:\w+\s+)?your\s+(?:wages|pay(?:check|cheque)?
                |salary|tax\s+refund|benefits|pension)
            |(?:come|coming|go|going)\s+after\s+(?:everything|your\s+\w+)
            |(?:change|changed|changing)\s+the\s+locks|bailiffs?|(?:put|putting|place)\s+(?:a\s+)?(?:claim|charge)\s+
                (?:on|against)\s+your\s+(?:house|home|property|car))
            \b"""
        ),
        "threatens garnishment, seizure or repossession, which no scenario has under way",
    ),
    _Rule(
        "threat_false_action",
        _rx(
            r"""\b(?P<key>(?:ruin|ruined|ruining|destroy\w*|wreck\w*|trash\w*|tank|tanked|kill)\s+(?:\w+\s+)?credit
            |credit\s+(?:\w+\s+){0,2}(?:is|will\s+be|gets|get)\s+(?:ruined|destroyed|wrecked|trashed)
            |blacklist\w*|make\s+sure\s+no\s+(?:bank|lender|one)
            |report\s+you\s+to\s+(?:the\s+)?(?:IRS|police|authorities|every)
            |(?:IRS|tax\s+authorities|authorities)\s+will\s+hear)\b"""
        ),
        "threatens to damage the client's credit or report them to authorities as a punishment",
    ),
    _Rule(
        "threat_false_action",
        _rx(
            r"""\b(?:(?:we|i)(?:'ll|'d|\s+will|\s+would|\s+may|\s+might|\s+could|\s+are\s+going\s+to|'re\s+going\s+to
                |\s+have\s+to|\s+must)?(?:\s+\w+){0,2}?\s+|(?:be|been|being|is|are|gets?)\s+)
            (?P<key>(?:hand|handed|handing|pass|passed|passing|refer|referred|referring|send|sent|sending|turn
            |turned|turning)\s+(?:\w+\s+){0,2}?(?:over\s+)?to\s+(?:a|an|our|the)\s+(?:\w+\s+)?(?:lawyers?|attorneys?
            |solicitors?|law\s+firm|legal\s+(?:department|team)))\b"""
        ),
        "threatens to hand the account to lawyers when no attorney is involved",
        applies=lambda scenario: not scenario.attorney_involved,
    ),
    _Rule(
        "abusive_language",
        _rx(
            r"""\b(?P<key>fuck\w*|f\*+k\w*|shit\w*|bullshit|damn(?:ed|it)?|goddamn\w*|crap(?:py)?|bastards?|bitch\w*
            |ass(?:hole)?s?|arse(?:hole)?s?|piss(?:ed)?|bloody|hell|stupid\w*|idiot\w*|moron\w*|dumb(?:er|est)?
            |pathetic|losers?|liars?|scum\w*|worthless|useless|clowns?|fools?|imbeciles?|jerks?|retard\w*
            |sob\s+story|shut\s+up|wast(?:e|ing)\s+(?:of\s+)?my\s+time|you\s+people|sick\s+of\s+(?:you|your)
            |tired\s+of\s+your|grow\s+up|lying\s+to\s+(?:me|us)|you(?:'re|\s+are)\s+lying
            |ridiculous|absurd|insulting|nonsense|rubbish|garbage|clueless|use\s+your\s+(?:brain|head)
            |(?:kidding|joking)\s+me|(?:you're|you\s+are|what)\s+a\s+joke|get\s+real|give\s+me\s+a\s+break
            |spare\s+me\s+(?:the|your)|crocodile\s+tears|waterworks|cry\s+me\s+a\s+river|boo[\s-]hoo
            |you\s+(?:really\s+|just\s+|even\s+)?can't\s+(?:\w+\s+)?(?:do|manage|get)\s+anything(?:\s+right)?
            # Widened by category: insults, and put-downs addressed to the client, and sarcasm markers.
            |scumbags?|lowlifes?|low-life|parasites?|leech(?:es)?|slobs?|crooks?|cheats?|cheaters?|con\s+artists?
            |waste\s+of\s+(?:space|oxygen|air)|deadweight|numbskull|nitwit|halfwit|dimwit|dope|bozo|cretin|pig
            |(?:you(?:'re|\s+are)|such\s+an?|what\s+an?)\s+(?:(?:total|complete|real|absolute|utter|such\s+a)\s+)?
                (?:failure|disappointment|embarrassment|baby|child|coward|mess|disgrace|nobody|nuisance|pest
                |piece\s+of\s+work|dishonest|spineless|cowardly|greedy|selfish|shameless|pitiful|hopeless|lame)
            |nice\s+try|(?:yeah|oh)\s*,?\s+right(?=\s*[.!?])|heard\s+(?:it|that|that\s+one)\s+(?:all\s+)?before
            |what\s+a\s+(?:surprise|shock)|how\s+convenient|save\s+(?:it|your\s+breath|the\s+excuses)
            |(?:spit|out)\s+with\s+it|(?:drop|cut)\s+the\s+act|quit\s+whining|stop\s+(?:whining|crying|whimpering)
            |whin(?:e|ing|er|y)|pull\s+the\s+other\s+one|do\s+(?:me|us)\s+a\s+favou?r)\b"""
        ),
        "uses profane, insulting or hostile language",
    ),
    _Rule(
        "shaming",
        _rx(
            r"""\b(?P<key>dead\s*-?\s*beats?|irresponsib\w*|ashamed\s+of\s+yourself
            |should\s+(?:be|feel)\s+(?:ashamed|embarrassed|guilty)|shame\s+on\s+you|shameful|disgrace\w*
            |(?:is|it's|that's|how|so)\s+(?:so\s+|really\s+|pretty\s+|very\s+)?embarrassing\s+for\s+you
            |grown[\s-]+(?:adults?|men|women|ups?|people)
            |(?:a|any|every|most|all|other|real|normal)\s+(?:responsible|decent)\s+(?:people|adults?
                |borrowers?|customers?|persons?)
            |(?:embarrassed|ashamed)\s+to\s+(?:owe|be\s+in\s+debt|have\s+(?:a\s+)?debt|let|ignore|ask|admit)
            |sort\s+yourself\s+out|(?:(?<=[.!?]\s)|^)(?:so\s+|how\s+)?typical(?=\s*[.!?])
            |people\s+like\s+you|freeload\w*|spongers?|moochers?
            |what\s+would\s+your\s+(?:\w+\s+)?(?:kids|children|family|mother|mom|mum|father|dad|wife|husband
                |partner|parents|neighbou?rs|friends|boss)\s+think
            |should\s+have\s+known\s+better
            |like\s+(?:a\s+|an\s+)?(?:grown[\s-]+up|adult|responsible\s+(?:adult|person|grown-up|borrower))
            |no\s+self[\s-]respect|can't\s+(?:even\s+)?manage\s+(?:your\s+)?(?:money|finances)
            |don't\s+pay\s+your\s+bills|reckless|lazy|bad\s+(?:person|parent|example)
            # Widened by category: moral judgement of the client for owing.
            |some\s+of\s+us\s+(?:actually\s+)?(?:work|pay)|(?:get|find)\s+a\s+(?:real\s+)?job
            |beyond\s+your\s+means|(?:should|could)\s+have\s+thought\s+(?:of|about)\s+(?:that|this)
            |(?:excuses,?\s+excuses|(?:stop|quit)\s+making\s+excuses|always\s+(?:an|some)\s+excuse)
            |(?:no|zero|any)\s+(?:sense\s+of\s+)?(?:shame|dignity|integrity|decency|honou?r|morals)
            |(?:embarrass\w*|humiliat\w*)\s+(?:for\s+)?(?:you|yourself)|(?:poor|bad|terrible|awful)\s+(?:life\s+)?
                (?:choices|decisions)|(?:learn|learned)\s+(?:some\s+)?(?:responsibility|a\s+lesson)
            |(?:honest|decent|good|hard-?working)\s+(?:people|folks|families|citizens)\s+(?:pay|don't)
            |(?:keep\s+)?your\s+word\s+(?:means|is\s+worth)\s+nothing|(?:a\s+)?man\s+of\s+(?:his|your)\s+word
            |(?:how\s+(?:do|can)\s+you)\s+(?:live\s+with\s+yourself|sleep\s+at\s+night|look\s+at\s+yourself))\b"""
        ),
        "shames or judges the client for owing",
    ),
    _Rule(
        "false_affiliation",
        _rx(rf"""\b(?:{_AFFILIATION_CUE})\b(?:\s+[\w'-]+){{0,5}}?\s+(?P<key>(?:the\s+)?(?:{_GOVERNMENT}))\b"""),
        "claims to be or to work with a government body or law enforcement",
        applies=_not_government,
    ),
    _Rule(
        "false_affiliation",
        _rx(
            r"""(?:\b(?:our|my)|\b(?!Q+'s)\w+'s)\s+(?:own\s+|in-house\s+|internal\s+)?(?P<key>attorneys?|lawyers?
            |legal\s+(?:department|team|counsel|division|dept|unit|staff|people|representatives?|reps?|advis[eo]rs?)
            |law\s+firm|solicitors?|counsel)\b
            |\b(?:i|we)(?:'m|'re|\s+am|\s+are)\s+(?:an?\s+|the\s+)?(?P<key2>attorneys?|lawyers?|law\s+firm
                |legal\s+(?:department|team))\b
            |\b(?:calling|writing)\s+(?:from|on\s+behalf\s+of)\s+(?:a|the)\s+(?P<key3>law\s+firm
                |legal\s+department|attorney'?s?\s+office)\b
            |\b(?P<key4>legal\s+notice|(?:legal|law)\s+(?:office|firm)\s+of)\b
            |(?<!\ba\s)(?<!\ban\s)(?<!\byour\s)(?<!\bown\s)(?<!\bany\s)\b(?P<key5>legal\s+(?:department|team
                |division)|law\s+firm|in-house\s+counsel|legal\s+counsel)\b"""
        ),
        "implies attorneys act for the creditor when none is involved",
        applies=lambda scenario: not scenario.attorney_involved,
    ),
    _Rule(
        "false_urgency",
        _rx(
            r"""\b(?P<key>(?:today|tonight)\s+only
            |only\s+(?:valid\s+|available\s+|good\s+)?(?:for\s+)?(?:today|tonight|this\s+(?:afternoon|evening|morning))
            |(?:expires?|expiring|lapses?)\s+(?:in|at|by|tonight|today|tomorrow|soon|this)
            |(?:offer|deal|option|plan|discount|rate)\s+(?:\w+\s+){0,2}?(?:is|will\s+be|gets|get)\s+(?:withdrawn
                |gone|pulled|rescinded|cancell?ed|revoked)
            |(?:or|otherwise)\s+(?:it's|it\s+is|the\s+offer\s+is|the\s+deal\s+is)\s+gone
            |(?:offer|deal|option|plan|discount|rate|it|this)\s+(?:won't|will\s+not|will\s+no\s+longer)\s+be\s+
                (?:available|on\s+the\s+table|offered|around)
            |no\s+longer\s+(?:be\s+)?available|(?:last|final)\s+(?:chance|opportunity|warning|notice|demand)
            |one[\s-]time\s+(?:only\s+)?(?:offer|deal|opportunity)|never\s+be\s+(?:repeated|offered\s+again)
            |act\s+(?:now|fast|quickly|immediately|today)
            |(?:accept|decide|pay|respond|answer|agree|sign|commit|reply|confirm|you\s+have|you've\s+got|offer|deal
                |rate|locked|open|available|valid|good)\b(?:(?!\b(?:we|i)\b)[^.!?;,]){0,40}?
                \b(?:(?:in|within|for)\s+(?:the\s+next\s+)?
                \d+\s+(?:hours?|minutes?|mins?)|within\s+(?:the\s+next\s+|the\s+|one\s+|1\s+|an\s+)hours?
                |(?:in|within)\s+(?:the\s+)?(?:next|one|1)\s+hour)
            |can't\s+hold\s+(?:the|this|that)\s+(?:offer|plan|deal|rate|\d+\s+days)
            |(?:accept|pay|decide|respond|agree|sign|commit|signature|answer|payment)\s+(?:\w+\s+){0,3}?by\s+(?:midnight
                |noon|tonight
                |end\s+of\s+(?:the\s+)?day|close\s+of\s+business|\d{1,2}(?::\d\d)?\s*[ap]\.?m\.?)
            |by\s+(?:midnight|noon|tonight|end\s+of\s+(?:the\s+)?day|close\s+of\s+business
                |\d{1,2}(?::\d\d)?\s*[ap]\.?m\.?)\s*,?\s+(?:or|otherwise)
            |before\s+it's\s+too\s+late|time\s+is\s+running\s+out|running\s+out\s+of\s+time|now\s+or\s+never
            |limited[\s-]time|won't\s+last|\d+\s+hours\s+to\s+(?:accept|decide|pay|respond|agree)
            |(?:offer|deal|plan|rate|discount|price|it|this|that)\s+(?:\w+\s+){0,3}?(?:open|available|valid|good|stands?
                |on\s+the\s+table)\s+(?:only\s+)?(?:until|till|til|through)\s+
                (?:\d|tonight|midnight|today|tomorrow|noon|end|close|this|the\s+end)
            |(?:offers?|deals?|it|this|rates?|plans?)\s+(?:like\s+this\s+)?(?:\w+\s+)?(?:disappear|go|goes|vanish)\w*\s+
                (?:fast|quickly|soon)|while\s+(?:it|stocks)\s+lasts?
            |(?:grab|snap)\s+(?:it|this)\s+(?:up\s+)?(?:now|while|before|today)|before\s+it's\s+gone
            # Widened by category: invented clocks and vanishing offers.
            |midnight\s+tonight|(?:clock|meter)\s+is\s+ticking|time-?sensitive|(?:urgent|immediate)\s+action
            |(?:don't|do\s+not)\s+(?:wait|delay)(?:\s+(?:any\s+)?(?:longer|another))?(?=[^.!?]{0,40}\b(?:or|gone|lose
                |expire|miss)\b)|hurry|(?:the\s+)?(?:window|door)\s+(?:is\s+)?(?:closes|closing|shuts|shutting)
            |(?:offer|deal|plan|rate|discount|terms?)\s+(?:\w+\s+){0,2}?(?:ends|closes|dies|disappears|vanishes)
            |(?:today|tonight|this\s+(?:is|will\s+be))\s+(?:is\s+)?(?:the|your)\s+(?:very\s+)?(?:last|final)\s+
                (?:day|chance|call|time|opportunity)|only\s+\d+\s+(?:hours?|minutes?|days?)\s+(?:left|remain)
            |(?:after|past)\s+(?:today|tonight|this\s+call|midnight)\W+(?:\w+\W+){0,4}?(?:gone|off\s+the\s+table
                |no\s+longer|won't|can't|withdrawn|expires?)
            |(?:once|when)\s+(?:this\s+call|we\s+hang\s+up|today)\s+(?:ends|is\s+over|passes)
            |(?:never|won't\s+ever|won't)\s+(?:see|get)\s+(?:an?\s+)?(?:offer|deal|chance)\s+like\s+this
            |(?:only|can)\s+(?:hold|keep)\s+(?:it|this|the\s+offer|that)\s+(?:open\s+)?(?:until|till|for)\s+
                (?:\d+\s+(?:hours?|minutes?)|tonight|midnight|noon|today|the\s+end\s+of\s+(?:the\s+)?day)
            |right\s+now\s+or|(?:final|last)\s+(?:offer|call|reminder|attempt|deadline))"""
        ),
        "invents a deadline or expiry the scenario does not support",
    ),
    _Rule(
        "third_party_disclosure",
        _rx(
            rf"""\b(?:i|we|me|us)(?:'ll|'d|'m|'re|'ve|\s+will|\s+would|\s+shall|\s+can|\s+could|\s+may|\s+might
                |\s+am|\s+are
                |\s+have|\s+need)?(?:\s+[\w']+){{0,3}}?\s+(?:tell\w*|told|inform\w*|notif\w*|contact\w*|call\w*
                |ring\w*|phon\w*|e-?mail\w*|text\w*|messag\w*|writ\w*\s+to|speak\w*\s+(?:to|with)
                |talk\w*\s+(?:to|with)|reach\w*\s+out\s+to|let|explain\w*\s+to|visit\w*|get\w*\s+in\s+touch\s+with
                |shar\w*\s+\w+\s+with|discuss\w*\s+\w+\s+with|involv\w*|giv\w*|send\w*\s+(?:a\s+)?(?:letter
                |note|message)\s+to|loop\w*\s+in|fill\w*\s+in|mention\w*\s+(?:it|this)\s+to|alert\w*|warn\w*
                |ask\w*|approach\w*|spoke|spoken|left\s+(?:a\s+)?(?:message|voicemail|note)\s+(?:with|for))
                \s+(?:(?:your|the|a|an|his|her|their|own|new|current|old|whole|entire|immediate|to|about|it|this
                |with)\s+){{0,3}}(?P<key>(?:{_THIRD_PARTIES}))\b
            |\b(?P<key2>(?:{_THIRD_PARTIES}))\b(?:\s+[\w']+){{0,2}}?\s+(?:will|would|'ll|is\s+going\s+to
                |are\s+going\s+to|should|might|may|could|shall|deserves?\s+to|needs?\s+to|ought\s+to|to)\s+(?:be\s+)?
                (?:informed|notified|told|contacted|called|hear\w*|find\s+out|learn|know|get\s+a\s+call)\b
            # Widened: making the debt public, with or without naming a person.
            |\b(?P<key3>(?:post|posting|posted|publish\w*|put|putting|share|sharing|broadcast\w*|advertis\w*|list\w*)
                \s+(?:\w+\s+){{0,5}}?(?:online|on\s+(?:the\s+)?(?:internet|social\s+media|facebook|instagram|twitter
                |x|tiktok|linkedin|a\s+(?:public\s+)?(?:list|website|board))|in\s+the\s+(?:paper|newspaper)))
            |\b(?P<key4>(?:let|make\s+sure|ensure)\s+(?:everyone|everybody|the\s+whole\s+\w+|all\s+your\s+\w+)\s+
                (?:know|knows|sees?|hears?|finds?\s+out))
            |\b(?P<key5>(?:everyone|everybody|the\s+whole\s+(?:\w+\s+)?(?:street|neighbou?rhood|town|office|building
                |block|church|family|world|school|company)|all\s+your\s+\w+)\s+(?:will|would|'ll|is\s+going\s+to
                |are\s+going\s+to|gonna)\s+(?:soon\s+)?(?:know|hear|find\s+out|learn|see))\b"""
        ),
        "says the agent will tell or contact a third party about the debt",
        exempt=_CONSENT,
    ),
    _Rule(
        "harassment",
        _rx(
            r"""\b(?P<key>(?:keep|keeps|continue|continuing|won't\s+stop|will\s+not\s+stop|never\s+stop)\s+
                (?:calling|phoning|ringing|texting|contacting|emailing|messaging|bothering|chasing|trying|dial\w*
                |hounding|pestering)
            |until\s+(?:you|somebody|someone|anyone)\s+(?:picks?\s+up|answers?)
            |(?:call|ring|phon|text|contact|email|messag|visit)\w*\s+(?:\w+\s+){0,2}?(?:every|each|several\s+times\s+a
                |(?:two|three|four|five|multiple|many)\s+times\s+(?:a|an|every))\s+(?:single\s+)?
                (?:hour|day|night|morning|evening|\d+\s+minutes)
            |hear\s+from\s+us\s+every|as\s+many\s+times\s+as\s+it\s+takes
            |(?:call|ring|phon|text|contact|email|messag|visit|hear)\w*\b[^.!?;]{0,40}?\b(?:day\s+and\s+night
                |night\s+and\s+day|morning\s+and\s+night|morning,?\s+noon\s+and\s+night|around\s+the\s+clock|24/7
                |late\s+at\s+night|at\s+midnight|in\s+the\s+middle\s+of\s+the\s+night)
            |flood\s+your\s+(?:phone|inbox)|blow\s+up\s+your\s+phone
            |(?:we|i|someone|somebody|people|our\s+\w+)(?:'ll|'d|\s+will|\s+would|\s+might|\s+may|\s+could
                |\s+are\s+going\s+to|'re\s+going\s+to)?\s+(?:\w+\s+)?(?:come|show\s+up|turn\s+up|stop\s+by|come\s+by
                |drop\s+by|visit\s+you)\s+(?:to\s+|at\s+|round\s+|round\s+to\s+)?your\s+(?:house|home|door|place
                |front\s+door)
            # Widened: relentless contact and waiting outside the client's home or work.
            |(?:call|ring|phon|text|contact|email|messag|hear|visit)\w*\b[^.!?;]{0,30}?\b(?:constantly|non-?stop
                |over\s+and\s+over|again\s+and\s+again|relentlessly|all\s+day(?:\s+long)?|all\s+night|every\s+chance
                |every\s+few\s+(?:hours|minutes)|(?:a|an)\s+lot\s+more|a\s+dozen\s+times|(?:twenty|ten|fifty|\d+)
                \s+times)
            |(?:won't|will\s+not|never|not\s+going\s+to)\s+(?:ever\s+)?(?:leave|let)\s+you\s+(?:alone|be|in\s+peace)
            |(?:wait\w*|park\w*|sit\w*|camp\w*|stand\w*|lurk\w*)\s+(?:right\s+)?outside\s+your
            |(?:show|turn)\s+up\s+(?:at|to)\s+your\s+(?:work|job|office|workplace|kids'?\s+school|church|gym)
            |never\s+hear\s+the\s+end\s+of|(?:hound|pester|badger)\w*\s+you)\b"""
        ),
        "threatens repeated, late-night or unwanted contact",
    ),
    _Rule(
        "deception_other",
        _rx(
            r"""\b(?P<key>(?:is|it's|that's|counts\s+as|considered|amounts\s+to)\s+(?:basically\s+|essentially\s+)?
                (?:a\s+)?(?:crime|criminal|fraud|theft|stealing)
            |(?:not\s+paying|non-?payment|ignoring|skipping|defaulting)\b[^.!?]{0,30}?\b(?:is|it's)\s+illegal
            |criminal\s+(?:matter|offen[cs]e|record|case)|committing\s+(?:a\s+)?(?:fraud|crime)
            |disput\w*\s+(?:it\s+|this\s+)?(?:won't|will\s+not|doesn't|does\s+not|can't|cannot)\s+(?:do\s+anything
                |change|help|matter|work|stop)
            |too\s+late\s+to\s+(?:dispute|challenge|question)
            |you\s+have\s+no\s+(?:rights|say)|forfeit\w*\s+(?:your\s+|any\s+)?rights?
            |lose\s+(?:your|any)\s+rights?\s+to
            |(?:bankruptcy|a\s+lawyer|an\s+attorney)\s+(?:won't|can't|will\s+not|cannot)\s+(?:help|save|protect)
            |(?:stay|stays|remain|remains|be)\s+on\s+your\s+credit\s+(?:report|file|record|history)?\s*
                (?:forever|permanently|for\s+life)
            |(?:forever|permanently)\s+(?:ruin|damage|mark|stain)\w*
            |for\s+the\s+rest\s+of\s+your\s+life
            |(?:follow|haunt|stay\s+with|stick\s+with)\s+you\s+(?:forever|for\s+life|for\s+good|wherever)
            |bankruptcy\s+(?:won't|will\s+not|can't|cannot)\s+(?:help|save|protect|clear|wipe|discharge|touch)
            |(?:children|kids|family|spouse|wife|husband|parents|heirs|relatives)\s+(?:will|would|'ll)\s+
                (?:have\s+to|need\s+to|be\s+(?:\w+ly\s+)?(?:made\s+to|forced\s+to|responsible|liable)|inherit
                |end\s+up\s+paying|pay)
            |pass(?:ed)?\s+(?:on\s+|down\s+)?to\s+your\s+(?:children|kids|family|heirs)
            |(?:children|kids|family|spouse|heirs|relatives)\s+(?:will\s+|would\s+)?(?:inherit|take\s+on
                |be\s+stuck\s+with)\s+(?:this|the|your)\s+debt
            |(?:stealing|steal)\s+from
            |(?:debt|balance|account|loan)\s+(?:is|has\s+been|was)\s+(?:now\s+)?(?:cancell?ed|forgiven|waived
                |written\s+off|wiped(?:\s+out)?|erased)
            |(?:legally|by\s+law)\s+(?:required|obliged|obligated|bound)\s+to\s+(?:accept|agree|sign
                |pay\s+(?:today|now|immediately|within))
            |the\s+law\s+requires\s+you\s+to\s+(?:accept|agree|sign|pay\s+(?:today|now|immediately))
            # Widened: false liability of others, permanence, pointless rights.
            |(?:spouse|wife|husband|partner|parents?|family|children|kids|son|daughter|brother|sister|co-?signer
                |relatives)\s+(?:is|are)\s+(?:also\s+|equally\s+|legally\s+|jointly\s+|now\s+)*(?:liable|responsible
                |on\s+the\s+hook|obligated)
            |(?:never|won't\s+ever)\s+(?:go|goes)\s+away|(?:can't|cannot|won't)\s+be\s+(?:discharged|disputed|removed
                |erased|wiped)|disput\w*\s+(?:it\s+|this\s+)?(?:is|are|would\s+be)\s+(?:pointless|useless|a\s+waste
                |futile)|(?:no|zero)\s+(?:point|use)\s+(?:in\s+)?disput\w*
            |(?:against|breaking|breaks|violat\w*)\s+the\s+law\s+(?:to\s+)?(?:not\s+pay|by\s+not|if\s+you\s+don't)
            |(?:it's|is)\s+illegal\s+(?:to|not\s+to)\s+(?:ignore|not|skip|refuse|miss)
            |(?:credit\s+score|score)\s+will\s+(?:drop|fall|go)\s+to\s+(?:zero|nothing)
            |(?:employers?|landlords?|banks?)\s+(?:will|would)\s+(?:all\s+)?(?:refuse|reject|never\s+hire|never\s+rent)
            |(?:we're|we\s+are|i'm|i\s+am)\s+(?:just\s+)?(?:a\s+)?(?:friend|neighbou?r|survey|customer\s+care\s+
                survey|courtesy|wellness\s+check))\b"""
        ),
        "makes a false or misleading claim about the law, the client's rights or the consequences",
    ),
    # These rules carry a negation in the pattern itself, so the negation check must not undo them.
    _Rule(
        "deception_other",
        _rx(
            r"""\b(?P<key>(?:can't|cannot|can\s+not|no\s+right\s+to|not\s+allowed\s+to|too\s+late\s+to)\s+dispute
            |never\s+(?:be\s+able\s+to\s+)?(?:get|obtain|qualify\s+for)\s+(?:a\s+|another\s+)?(?:loan|credit
                |mortgage|credit\s+card|apartment|lease)
            |(?:this|it)(?:\s+is\s+not|\s+isn't|'s\s+not)\s+(?:a\s+|about\s+a\s+)?debt(?:\s+collection)?\s*
                (?:call|matter|collect\w*)
            |not\s+(?:a\s+)?debt\s+collector|not\s+calling\s+about\s+(?:a|your|the)\s+debt)\b"""
        ),
        "makes a false or misleading claim about the law, the client's rights or the consequences",
        negatable=False,
    ),
    # Widened by category after the second fresh batch (2026-12-02), each rule a family of phrasing rather than
    # the sentence that showed the gap; the third fresh batch was written afterwards and scored once.
    _Rule(
        "threat_arrest",
        _rx(
            r"""\b(?P<key>district\s+attorney|DA's\s+(?:office|desk)|prosecutor\w*|polic[ií]a|c[aá]rcel|arrest(?:ar|o)
            |(?:criminal|fraud)\s+(?:review|referral|unit|division|file))\b"""
        ),
        "mentions arrest, jail or police action; a consumer debt never leads to arrest",
    ),
    _Rule(
        "threat_violence",
        _rx(
            r"""\b(?P<key>(?:tend\s+to|might|may|could|often)\s+(?:have|meet\s+with)\s+(?:an?\s+)?accidents?
            |(?:be\s+a|would\s+be\s+a|it'd\s+be\s+a|shame|pity)\s+(?:\w+\s+){0,3}?if\s+(?:something|anything|he|she|it|they
                |your)\b[^.!?]{0,40}\b(?:happen\w*|went\s+missing|go(?:es)?\s+missing|got\s+hurt|caught\s+fire|broke)
            |knock\s+(?:some\s+)?sense\s+into\s+you|pay\s+you\s+a\s+(?:little\s+)?visit|we\s+know\s+where\s+you
                (?:\s+and\s+your\s+\w+)?\s+(?:live|work|sleep)|algo\s+le\s+pas\w+)\b"""
        ),
        "threatens or hints at harm to the client, their family or property",
        negatable=False,
    ),
    _Rule(
        "threat_false_action",
        _rx(
            r"""\b(?P<key>tow\s+truck|tow(?:ed|ing)?\s+(?:away\s+)?(?:your|the)\s+(?:car|truck|vehicle)
            |repo(?:ssess\w*)?\s+(?:man|truck|your|the)|take\s+(?:your|the)\s+(?:car|house|home|truck)
            |(?:lien|levy)\s+(?:on|against)\s+your|freeze\s+your\s+(?:bank\s+)?accounts?)\b"""
        ),
        "threatens an action the creditor has not taken and may not take",
    ),
    _Rule(
        "abusive_language",
        _rx(
            r"""(?P<key>\bf[\*#@!]{2,}\w*|\bs[\*#@!]{2,}t\b|\ba[\*#@!]{2,}\w*|\bbrick\s+wall\b|\bbeyond\s+you\b
            |\b(?:are|is)\s+you\s+(?:even\s+)?capable\s+of\b|\bpathetic\b|\bclueless\b|\bbrain\s*dead\b)"""
        ),
        "uses profanity, insults or hostile remarks",
        negatable=False,
    ),
    _Rule(
        "false_affiliation",
        _rx(
            r"""\b(?P<key>(?:federal|national|state|government|public)\s+(?:\w+\s+){0,3}?(?:office|bureau|agency|authority
            |administration|commission|board|service)|(?:this|the)\s+(?:\w+\s+){0,2}(?:department|bureau)\s+of\s+\w+)\b"""
        ),
        "claims to be or to work with a government body or law enforcement",
        applies=_not_government,
    ),
    _Rule(
        "false_urgency",
        _rx(
            r"""\b(?P<key>(?:one[-\s]time|today[-\s]only|once[-\s]in[-\s]a[-\s]lifetime|limited[-\s]time)\s+(?:\w+\s+)?(?:offer
                |opportunity|deal|chance)|only\s+(?:\w+\s+)?(?:places?|spots?|slots?|openings?)\s+(?:left|remaining)
            |urgent\b|respond\s+(?:immediately|right\s+away|at\s+once)|decision\s+right\s+now|right\s+this\s+minute
            |(?:won't|will\s+not|can't)\s+be\s+able\s+to\s+extend|expires?\s+(?:today|tonight|at\s+midnight|in\s+\w+\s+hours?))"""
        ),
        "invents a deadline, an expiry or last-chance pressure",
    ),
    _Rule(
        "third_party_disclosure",
        _rx(
            r"""\b(?:i|we)(?:'ll|\s+will|'re\s+going\s+to|\s+are\s+going\s+to|\s+may|\s+might)\s+(?:\w+\s+){0,3}?
            (?P<key>(?:go\s+over|discuss|review|share|raise|take\s+up)\s+(?:\w+\s+){0,3}?with\s+your\s+\w+(?:\s+partner)?
            |cop(?:y|ying)\s+(?:in\s+)?your\s+\w+)\b
            |\b(?P<key2>(?:informaremos|diremos|llamaremos|contactaremos)\s+(?:a\s+)?su\s+(?:jefe|empleador|familia|esposa?
                |vecinos?))\b"""
        ),
        "says the creditor will tell or contact someone other than the client about the debt",
        negatable=False,
        exempt=_CONSENT,
    ),
    _Rule(
        "harassment",
        _rx(
            r"""\b(?P<key>(?:plenty|lots|loads)\s+of\s+(?:other\s+)?(?:numbers|phones|lines)|(?:outside|at)\s+your\s+
                (?:residence|house|home|door)\s+(?:first\s+thing|tomorrow|tonight|on\s+\w+day|every)
            |todos\s+los\s+d[ií]as|a\s+todas\s+horas|every\s+(?:single\s+)?(?:hour|day)\s+until)\b"""
        ),
        "threatens repeated or unwanted contact",
        negatable=False,
    ),
    _Rule(
        "shaming",
        _rx(
            r"""\b(?P<key>(?:honou?rable|decent|responsible|good|honest)\s+people\s+(?:pay|keep|don't|do\s+not|honou?r)
            |people\s+like\s+you|gente\s+como\s+usted|you\s+gave\s+your\s+word|should\s+be\s+embarrassed)\b"""
        ),
        "judges or shames the client for owing",
        negatable=False,
    ),
    _Rule(
        "deception_other",
        _rx(
            r"""\b(?P<key>(?:form\s+of|counts\s+as|considered|amounts\s+to)\s+(?:\w+\s+)?(?:fraud|theft|a\s+crime)
            |bankruptcy\s+(?:won't|will\s+not|can't|cannot)\s+(?:\w+\s+){0,3}?(?:discharge|erase|clear|remove|get\s+rid)
            |waived\s+your\s+right|(?:lost|forfeited|given\s+up)\s+(?:your|the)\s+right\s+to
            |can\s+(?:no\s+longer|never)\s+be\s+(?:reduced|discharged|disputed|settled|negotiated)
            |no\s+tiene\s+derecho)\b"""
        ),
        "makes a false or misleading claim about the law, the client's rights or the consequences",
    ),
)


def _key_span(match: re.Match[str]) -> tuple[int, int]:
    """The span the negation check anchors on: the named ``key`` group if any matched, else the whole match."""
    for name, value in match.groupdict().items():
        if name.startswith("key") and value is not None:
            return match.span(name)
    return match.span()


# --------------------------------------------------------------------------------------------------------------
# Amounts

_UNITS: Final[dict[str, int]] = {
    word: value
    for value, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
    )
}  # fmt: skip
_TENS: Final[dict[str, int]] = {
    word: 10 * (index + 2)
    for index, word in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"))
}
_SCALES: Final[dict[str, int]] = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_NUMBER_WORD: Final = "|".join([*_UNITS, *_TENS, *_SCALES])
_NUMERAL: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d+)?"
_MULTIPLIER: Final = r"\s?(?:k|thousand|grand|million|m)\b"
_MONEY: Final = re.compile(
    rf"""(?P<pre>US\$|C\$|A\$|\$|€|£|\b(?:USD|EUR|GBP|CAD|AUD))\s?(?P<n1>{_NUMERAL})(?P<m1>{_MULTIPLIER})?
        (?:\s?(?:dollars?|USD)\b)?
    |\b(?P<n2>{_NUMERAL})(?P<m2>{_MULTIPLIER})?\s?(?P<suf>dollars?|bucks|USD|euros?|EUR|pounds?|GBP|CAD|AUD)\b
    |\b(?P<words>(?:(?:{_NUMBER_WORD})(?:[\s-]+(?:and[\s-]+)?|(?=\s)))+)\s*(?P<wsuf>dollars?|euros?|pounds?)\b
    |\b(?:owe|owing|balance\s+(?:is|of)|total\s+(?:is|of)|debt\s+(?:is|of|stands\s+at))\s+
        (?:(?:about|around|roughly|approximately|nearly|almost|over|under)\s+)?
        (?P<bare>\d{{1,3}}(?:,\d{{3}})+(?:\.\d{{1,2}})?|\d{{3,}}(?:\.\d{{1,2}})?)\b
        # Not when a unit follows: "owe 20,000 dollars" is read whole by the alternatives above.
        (?!\s*(?:days?|months?|weeks?|%|percent|k|thousand|grand|million|dollars?|bucks|USD|euros?|EUR|pounds?|GBP
            |CAD|AUD)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
_CURRENCY_OF: Final[dict[str, str]] = {
    "us$": "USD", "usd": "USD", "c$": "CAD", "cad": "CAD", "a$": "AUD", "aud": "AUD", "€": "EUR", "eur": "EUR",
    "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
}  # fmt: skip
_DOLLAR_WORDS: Final = frozenset({"$", "dollar", "dollars", "bucks"})
# Words that mark an amount as the balance, and words that mark it as something else (an instalment, a fee...).
_BALANCE_WORDS: Final = frozenset(
    {"balance", "debt", "total", "owe", "owed", "owing", "outstanding", "arrears", "amount", "sum", "clear", "repay",
     "full", "due", "stands"}
)  # fmt: skip
_OTHER_WORDS: Final = frozenset(
    {"payment", "payments", "instalment", "instalments", "installment", "installments", "deposit", "down", "month",
     "months", "monthly", "week", "weeks", "weekly", "day", "daily", "fortnight", "fortnightly", "year", "yearly",
     "fee", "fees", "charge", "charges", "discount", "save", "saving", "settle", "settlement", "first", "each", "per",
     "extra", "interest", "minimum", "upfront", "paid", "income", "salary", "wages", "earn", "earning", "budget"}
)  # fmt: skip
_REMAINDER_WORDS: Final = frozenset({"remaining", "rest", "left", "leftover", "remainder"})
# Little words skipped when measuring how near a cue word is to an amount ("payments of about $500").
_TRANSPARENT: Final = frozenset(
    {"of", "about", "the", "a", "an", "around", "roughly", "approximately", "is", "was", "at", "just", "only", "your",
     "you", "currently", "now", "still", "nearly", "almost", "some", "over", "under", "than", "more", "less", "that",
     "this", "in", "to", "be", "will"}
)  # fmt: skip
_CUE_REACH: Final = 4


def _words_to_number(words: str) -> float | None:
    """Parse plain English numbers ("fifteen thousand seven hundred"), or ``None``."""
    total, current = 0, 0
    seen = False
    for word in re.findall(r"[a-z]+", words.lower()):
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


@dataclass(frozen=True)
class _Amount:
    value: float
    currency: str | None  # an ISO code, "dollar" for a bare "$"/"dollars", or None when not said
    start: int
    end: int


def _amounts(text: str) -> Iterator[_Amount]:
    for match in _MONEY.finditer(text):
        groups = match.groupdict()
        if groups["words"] is not None:
            value = _words_to_number(groups["words"])
            if value is None or value == 0:
                continue
            unit = groups["wsuf"].lower()
            yield _Amount(value, "dollar" if unit.startswith("dollar") else _CURRENCY_OF.get(unit), *match.span())
            continue
        number = groups["n1"] or groups["n2"] or groups["bare"]
        value = float(number.replace(",", ""))
        multiplier = (groups["m1"] or groups["m2"] or "").strip().lower()
        if multiplier in ("k", "thousand", "grand"):
            value *= 1_000
        elif multiplier in ("m", "million"):
            value *= 1_000_000
        unit = (groups["pre"] or groups["suf"] or "").lower()
        currency = "dollar" if unit in _DOLLAR_WORDS else _CURRENCY_OF.get(unit)
        start = match.start("bare") if groups["bare"] is not None else match.start()
        yield _Amount(value, currency, start, match.end())


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    # A full stop between digits ("15,700.00") does not end the sentence.
    left = max((m.end() for m in re.finditer(r"[!?;]|\.(?!\d)", text[:start])), default=0)
    right_match = re.search(r"[!?;]|\.(?!\d)", text[end:])
    return left, end + right_match.start() if right_match else len(text)


def _sentence(text: str, start: int, end: int) -> str:
    left, right = _sentence_bounds(text, start, end)
    return text[left:right]


def _nearest(words: list[str], vocabulary: frozenset[str]) -> int | None:
    """Distance (in non-transparent words) to the first word of ``vocabulary`` in ``words``, within reach."""
    distance = 0
    for word in words:
        if word in vocabulary:
            return distance
        if word not in _TRANSPARENT:
            distance += 1
            if distance > _CUE_REACH:
                return None
    return None


def _role(text: str, amount: _Amount) -> str:
    """What the amount is: ``balance``, ``remainder``, ``other`` (instalment, fee...) or ``unknown``."""
    left, right = _sentence_bounds(text, amount.start, amount.end)
    before = list(reversed(_WORD.findall(text[left : amount.start].lower())))
    after = _WORD.findall(text[amount.end : right].lower())
    if _nearest(before, _REMAINDER_WORDS) is not None:
        return "remainder"
    distances: dict[str, int] = {}
    for role, vocabulary in (("balance", _BALANCE_WORDS), ("other", _OTHER_WORDS)):
        found = [d for d in (_nearest(before, vocabulary), _nearest(after, vocabulary)) if d is not None]
        if found:
            distances[role] = min(found)
    if not distances:
        return "unknown"
    # On a tie the amount is treated as not the balance: a false alarm costs a rewrite, but blocking correct
    # instalment figures would make the agent useless at talking money.
    if "balance" in distances and distances["balance"] < distances.get("other", _CUE_REACH + 1):
        return "balance"
    return "other"


_HEDGE: Final = re.compile(
    r"\b(?P<hedge>about|around|roughly|approximately|some|close\s+to|nearly|almost|just\s+under|just\s+over|over"
    r"|more\s+than|above|in\s+excess\s+of|under|less\s+than|below)\s*$|~\s*$",
    _FLAGS,
)
_APPROX: Final = 0.05


def _amount_is_true(stated: float, balance: float, hedge: str) -> bool:
    tolerance = _APPROX * balance
    if hedge in ("nearly", "almost", "just under"):
        return balance <= stated <= balance + tolerance
    if hedge == "just over":
        return balance - tolerance <= stated <= balance
    if hedge in ("over", "more than", "above", "in excess of"):
        return stated < balance
    if hedge in ("under", "less than", "below"):
        return stated > balance
    if hedge:
        return abs(stated - balance) <= tolerance
    return abs(stated - balance) < 0.5


def _currency_matches(currency: str | None, scenario_currency: str) -> bool:
    if currency is None:
        return True
    if currency == "dollar":
        return scenario_currency.upper().endswith("D")
    return currency == scenario_currency.upper()


# A demand for money with no balance word: "we need $17,000 from you", "you must pay $17,000", "hand over $17k".
_DEMAND: Final = re.compile(
    r"""\b(?:need|needs|want|wants|demand\w*|expect\w*|requir\w*|insist\w*|must\s+(?:\w+\s+)?pay|have\s+to\s+pay
        |has\s+to\s+pay|got\s+to\s+pay|gotta\s+pay|pay\s+(?:us|me|back)|pay|paying|send\s+(?:us|me)|hand\s+over
        |cough\s+up|fork\s+over|come\s+up\s+with|collect\w*|recover\w*|get\s+(?:\w+\s+)?back|find|wire|transfer)
        \b(?:\s+[\w']+){0,3}?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def _is_demand(text: str, amount: _Amount) -> bool:
    left, _ = _sentence_bounds(text, amount.start, amount.end)
    before = text[max(left, amount.start - 60) : amount.start]
    return bool(_DEMAND.search(before)) or bool(re.match(r"\s+from\s+you\b", text[amount.end : amount.end + 12]))


def _amount_violations(text: str, scenario: Scenario) -> Iterator[Violation]:
    amounts = list(_amounts(text))
    for amount in amounts:
        role = _role(text, amount)
        if role == "other":
            continue
        if role == "unknown":
            # An amount demanded with no balance word is checked only when it cannot be an instalment or a
            # settlement: more than the balance, or in another currency. "You must pay $500 today" is a lawful
            # request for part of the balance, and "we need $12,000 from you" may be a lump-sum offer.
            if not _is_demand(text, amount) or _negated(text, amount.start, amount.end):
                continue
            wrong_currency = not _currency_matches(amount.currency, scenario.currency)
            if amount.value <= scenario.balance + 0.5 and not wrong_currency:
                continue
            yield Violation(
                "wrong_amount",
                text[amount.start : amount.end],
                amount.start,
                amount.end,
                f"demands {text[amount.start : amount.end]!r}, more than the balance of {scenario.balance_text()}"
                if not wrong_currency
                else f"demands {text[amount.start : amount.end]!r}; the balance is {scenario.balance_text()}",
            )
            continue
        hedge_match = _HEDGE.search(text[max(0, amount.start - 20) : amount.start])
        hedge = re.sub(r"\s+", " ", (hedge_match.group("hedge") or "~").lower()) if hedge_match else ""
        right_currency = _currency_matches(amount.currency, scenario.currency)
        true_value = _amount_is_true(amount.value, scenario.balance, hedge)
        if role == "remainder" and not true_value:
            # "the remaining $15,450" after "a first payment of $250": the balance less another stated amount.
            true_value = any(
                abs(scenario.balance - other.value - amount.value) < 0.5 for other in amounts if other is not amount
            )
        if (true_value and right_currency) or _negated(text, amount.start, amount.end):
            continue
        yield Violation(
            "wrong_amount",
            text[amount.start : amount.end],
            amount.start,
            amount.end,
            f"states the balance as {text[amount.start : amount.end]!r}; the balance is {scenario.balance_text()}",
        )


# --------------------------------------------------------------------------------------------------------------
# Rules that read the client's message or need arithmetic

_CONTACT_VERB: Final = r"(?:call|ring|phon|text|contact|email|e-mail|reach|visit|try|message)\w*"
_INCONVENIENT_TIME: Final = re.compile(
    rf"""\b{_CONTACT_VERB}\b(?:\W+\w+){{0,5}}?\W+at\s+(?P<hour>\d{{1,2}})(?::(?P<minute>\d\d))?\s*
        (?:o'clock\s+)?(?:(?P<half>[ap])\.?m\.?(?!\w)|(?P<part>in\s+the\s+morning|in\s+the\s+evening|at\s+night
        |tonight))""",
    re.IGNORECASE | re.VERBOSE,
)
_WORK_WORDS: Final = r"(?:work|office|workplace|job|employer|boss)"
_ASKED_NOT_AT_WORK: Final = re.compile(
    rf"""\b(?:don't|do\s+not|stop|never|quit|no\s+more|not|can't|cannot)\b[^.!?]{{0,40}}?\b{_CONTACT_VERB}
        [^.!?]{{0,25}}?\b{_WORK_WORDS}\b
        |\b{_WORK_WORDS}\b[^.!?]{{0,30}}?\b(?:doesn't|does\s+not|don't|won't)\s+(?:allow|let|permit)""",
    re.IGNORECASE | re.VERBOSE,
)
_AT_WORK: Final = re.compile(
    rf"""\b(?P<key>{_CONTACT_VERB}\b(?:\s+[\w']+){{0,3}}?\s+(?:at|to|on)\s+(?:your\s+|the\s+)?
        (?:work|office|workplace|job)
        (?:\s+(?:number|phone|line))?)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_ASKED_TO_STOP: Final = re.compile(
    r"""\b(?:stop|quit)\s+(?:calling|contacting|texting|emailing|harassing|ringing)\s+me\b(?!\s+at\s+(?:work|my))
    |\b(?:don't|do\s+not|never)\s+(?:call|contact|text|email|ring)\s+me\s+(?:again|anymore|any\s+more)\b
    |\bleave\s+me\s+alone\b""",
    re.IGNORECASE | re.VERBOSE,
)
_MORE_CALLS: Final = re.compile(
    rf"""\b(?P<key>{_CONTACT_VERB}\s+(?:you\s+)?(?:again|back|tomorrow|later|next\s+week|soon)
        |(?:be|get)\s+in\s+touch\s+(?:again|tomorrow|soon)|keep\s+trying)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_NAME: Final = re.compile(r"\b[A-Z][a-z]+\b")
_RELATION_NAME: Final = re.compile(
    r"\bmy\s+(?:brother|sister|mother|father|mom|mum|dad|wife|husband|partner|son|daughter|friend|boss|landlord"
    r"|roommate|flatmate|cousin|uncle|aunt|girlfriend|boyfriend|neighbou?r)\s+(?P<name>[A-Z][a-z]+)\b"
)
# Capitalised words in the client's message that are not people.
_NOT_NAMES: Final = frozenset(
    {"I", "I'm", "Im", "Please", "My", "The", "This", "That", "It", "We", "You", "He", "She", "They", "Monday",
     "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April",
     "May", "June", "July", "August", "September", "October", "November", "December", "Christmas", "OK", "Okay",
     "Mr", "Mrs", "Ms", "Dr", "USD", "Yes", "No", "But", "And", "So"}
)  # fmt: skip
_THIRD_PARTY_WORD: Final = re.compile(rf"\b(?:{_THIRD_PARTIES})\b", _FLAGS)
_TELL_PRONOUN: Final = re.compile(
    r"""\b(?:i|we)(?:'ll|'d|\s+will|\s+would|\s+can|\s+could|\s+am\s+going\s+to|'m\s+going\s+to)?(?:\s+\w+){0,2}?\s+
        (?P<key>(?:tell|explain\s+to|inform|let|notify|show)\s+(?:him|her|them))\b(?:\s+[\w']+){0,6}?\s+
        (?:owe|owes|debt|balance|account|arrears|behind)\b""",
    re.IGNORECASE | re.VERBOSE,
)


def _client_names(client_message: str, scenario: Scenario) -> set[str]:
    """People the client named: capitalised words not opening a sentence, and names after "my brother" etc."""
    own = set(scenario.debtor.split()) | set(scenario.creditor.split())
    names = {m.group("name") for m in _RELATION_NAME.finditer(client_message)}
    for match in _NAME.finditer(client_message):
        before = client_message[: match.start()].rstrip()
        if before and before[-1] not in ".!?":
            names.add(match.group(0))
    return {name for name in names if name not in _NOT_NAMES and name not in own}


def _context_violations(text: str, scenario: Scenario, client_message: str | None) -> Iterator[Violation]:
    for match in _INCONVENIENT_TIME.finditer(text):
        afternoon = (match.group("half") or "").lower() == "p" or (match.group("part") or "").lower() in (
            "in the evening",
            "at night",
            "tonight",
        )
        hour = int(match.group("hour")) % 12 + (12 if afternoon else 0)
        minute = int(match.group("minute") or 0)
        # §1692c(a)(1): before 8 a.m. or after 9 p.m. local time is presumed inconvenient.
        if (hour < 8 or hour > 21 or (hour == 21 and minute > 0)) and not _negated(text, *match.span()):
            yield Violation(
                "harassment", match.group(0), *match.span(), "proposes contact before 8 a.m. or after 9 p.m."
            )
    client = client_message or ""
    if client and _ASKED_NOT_AT_WORK.search(client):
        for match in _AT_WORK.finditer(text):
            if not _negated(text, *match.span("key")):
                yield Violation(
                    "harassment", match.group(0), *match.span(), "contacts the client at work after being asked not to"
                )
    if client and _ASKED_TO_STOP.search(client):
        for match in _MORE_CALLS.finditer(text):
            if not _negated(text, *match.span("key")):
                yield Violation("harassment", match.group(0), *match.span(), "promises more calls after a stop request")
    names = _client_names(client, scenario) if client else set()
    if names:
        alternatives = "|".join(re.escape(name) for name in sorted(names))
        by_name = re.compile(
            rf"""\b(?:i|we)(?:'ll|'d|\s+will|\s+would|\s+can|\s+could|\s+may)?(?:\s+[\w']+){{0,3}}?\s+
                (?:tell\w*|inform\w*|notif\w*|contact\w*|call\w*|ring\w*|phon\w*|e-?mail\w*|text\w*|speak\w*\s+
                (?:to|with)|talk\w*\s+(?:to|with)|reach\w*\s+out\s+to|let|explain\w*\s+to|visit\w*)\s+
                (?P<key>{alternatives})\b
            |\b(?P<key2>{alternatives})\b(?:\s+[\w']+){{0,2}}?\s+(?:will|would|'ll|is\s+going\s+to|should|might|may)
                \s+(?:be\s+)?(?:informed|notified|told|contacted|called|hear\w*|find\s+out|learn|know)\b""",
            re.IGNORECASE | re.VERBOSE,
        )
        for match in by_name.finditer(text):
            if not _negated(text, *_key_span(match)):
                yield Violation(
                    "third_party_disclosure",
                    match.group(0),
                    *match.span(),
                    "says the agent will tell someone the client named about the debt",
                )
    if names or _THIRD_PARTY_WORD.search(client) or _THIRD_PARTY_WORD.search(text):
        for match in _TELL_PRONOUN.finditer(text):
            if not _negated(text, *match.span("key")):
                yield Violation(
                    "third_party_disclosure", match.group(0), *match.span(), "says the agent will tell a third party"
                )


# --------------------------------------------------------------------------------------------------------------
# The guard

_NORMALISE: Final = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def _mask(text: str, names: list[tuple[str, str]]) -> str:
    """Hide the parties' own names so "Jordan Jailer" is not read as "jail".

    Each name becomes a run of one letter (same length, so offsets hold): ``Q`` for the client, ``Z`` for the
    creditor, so "Alex's lawyer" (the client's own) and "Northwind's lawyers" (a claim) stay apart.
    """
    for name, letter in names:
        if len(name) >= 2:
            text = re.sub(rf"\b{re.escape(name)}\b", letter * len(name), text, flags=re.IGNORECASE)
    return text


# Lawful uses of each type's vocabulary, by category of phrasing: the client's own attorney, a request being
# honoured, what the law plainly permits. The rules never flag these; the model, which reads words more than
# grammar, often does ("We will direct all further communication to your attorney" scores 0.9 false affiliation).
# A model finding is kept only when it still passes its threshold on the reply with these spans set aside.
_ATTORNEY_WORDS: Final = r"(?:attorney|lawyer|solicitor|counsel|legal\s+(?:representative|counsel|aid))"
_HONOURED_REQUEST: Final = (
    r"\b(?:as\s+(?:you\s+)?(?:asked|requested|instructed|wished)|per\s+your\s+request|(?:i'?ve|we'?ve|i\s+have|we\s+have)"
    r"\s+noted\s+your\s+request|understood|as\s+you\s+prefer)\b[^.!?]{0,80}",
    r"\b(?:we|i)\s+(?:won'?t|will\s+not|will\s+no\s+longer|shall\s+not)\s+(?:be\s+)?(?:call|contact|text|phon|reach|"
    r"ring|e-?mail|write)\w*\b[^.!?]{0,60}",
    r"\bno\s+(?:further|more)\s+(?:calls|contact|texts|messages)\b[^.!?]{0,40}",
)
_LAWFUL: Final[dict[str, tuple[str, ...]]] = {
    "false_affiliation": (
        rf"\b(?:your|the\s+client'?s|their)\s+(?:\w+\s+)?{_ATTORNEY_WORDS}(?:'s)?(?:\s+office)?\b[^.!?]{{0,60}}",
        r"\b(?:you'?re|you\s+are)\s+represented\b[^.!?]{0,60}|\b(?:su|sus)\s+abogad\w*\b[^.!?]{0,40}",
        rf"\b(?:consult|speak\s+(?:to|with)|talk\s+to)\s+(?:a|an|your\s+own)\s+{_ATTORNEY_WORDS}\b",
    ),
    "harassment": _HONOURED_REQUEST,
    "third_party_disclosure": (
        *_HONOURED_REQUEST,
        rf"\b(?:your|su)\s+(?:\w+\s+)?{_ATTORNEY_WORDS}\b[^.!?]{{0,60}}",
    ),
    "deception_other": (
        r"\b(?:as\s+(?:the\s+law|federal\s+law|required|permitted)\s+(?:permits|allows|requires)?|"
        r"as\s+(?:the\s+)?law\s+(?:permits|allows|requires))\b[^.!?]{0,40}",
        r"\byou\s+(?:have|keep)\s+(?:the|every)\s+right\s+to\b[^.!?]{0,60}",
    ),
}
_LAWFUL_COMPILED: Final = compile_phrase_families(_LAWFUL)


def lawful_spans(violation_type: str, reply: str) -> list[tuple[int, int]]:
    """Spans of ``reply`` that use ``violation_type``'s vocabulary lawfully (the client's attorney, a request kept).

    Args:
        violation_type: One of :data:`VIOLATION_TYPES`.
        reply: The creditor's reply.

    Returns:
        ``(start, end)`` offsets, in order; empty when there is none.
    """
    text = reply.translate(_NORMALISE)
    return phrase_spans(_LAWFUL_COMPILED, violation_type, text)


class ComplianceGuard:
    """Checks creditor replies against the collection rules for one scenario.

    Args:
        scenario: The case: its balance, currency, and whether a lawsuit or an attorney is really involved decide
            what a reply may truthfully say.
    """

    def __init__(self, scenario: Scenario, model: ComplianceModel | None = None) -> None:
        self.scenario = scenario
        self.model = model
        self._rules = tuple(rule for rule in _RULES if rule.applies(scenario))
        creditor_words = [w for w in re.findall(r"[A-Za-z]+", scenario.creditor) if len(w) > 3]
        names = {(name, "Q") for name in (scenario.debtor, *scenario.debtor.split())}
        names |= {(name, "Z") for name in (scenario.creditor, *creditor_words)}
        # The full name before its parts, so "Alex Morgan" is masked whole.
        self._names = sorted(names, key=lambda pair: -len(pair[0]))

    def check(self, reply: str, *, client_message: str | None = None) -> GuardResult:
        """Check one reply.

        Args:
            reply: The creditor's reply, as it would be sent.
            client_message: The client's last message, if known; it tells the guard which third parties the client
                named and whether they asked not to be called at work or at all.

        Returns:
            The verdict, with every violation and its span in ``reply``.
        """
        text = _mask(reply.translate(_NORMALISE), self._names)
        found: list[Violation] = []
        for rule in self._rules:
            for match in rule.pattern.finditer(text):
                if rule.negatable and _negated(text, *_key_span(match)):
                    continue
                if rule.exempt is not None and rule.exempt.search(_sentence(text, *match.span())):
                    continue
                found.append(Violation(rule.type, reply[match.start() : match.end()], *match.span(), rule.detail))
        found.extend(_amount_violations(text, self.scenario))
        found.extend(_context_violations(text, self.scenario, client_message))
        violations = _deduplicate(reply, found)
        if self.model is not None:
            violations += self._model_violations(reply, {v.type for v in violations})
        return GuardResult(compliant=not violations, violations=violations)

    def _model_violations(self, reply: str, found: set[str]) -> tuple[Violation, ...]:
        """The model's findings of types the rules did not report, each at its highest-scoring sentence.

        Types that depend on facts only the scenario knows are left to the rules: a lawsuit in progress may be
        mentioned truthfully, and so may attorneys involved or a government creditor.
        """
        assert self.model is not None
        skip = set(found)
        if self.scenario.legal_action_in_progress:
            skip.add("threat_false_action")
        if self.scenario.attorney_involved or not _not_government(self.scenario):
            skip.add("false_affiliation")
        thresholds = self.model.compliance_thresholds
        best: dict[str, tuple[float, tuple[int, int]]] = {}
        for span, scores in self.model.compliance_scores(reply):
            for kind, score in scores.items():
                if kind not in skip and score >= thresholds.get(kind, 0.5) and score > best.get(kind, (-1.0,))[0]:
                    best[kind] = (score, span)
        for kind in list(best):
            lawful = lawful_spans(kind, reply)
            if lawful:
                # Read again without the lawful words: the model must see the breach in what is left.
                rest = without_spans(reply, lawful)
                again = [part.get(kind, 0.0) for _, part in self.model.compliance_scores(rest)] if rest else []
                if max(again, default=0.0) < thresholds.get(kind, 0.5):
                    del best[kind]
        return tuple(
            Violation(
                kind,
                reply[start:end],
                start,
                end,
                f"the compliance model reads this as {kind.replace('_', ' ')} (probability {score:.2f})",
                layer="model",
                score=score,
            )
            for kind, (score, (start, end)) in sorted(best.items(), key=lambda item: item[1][1])
        )


def _deduplicate(reply: str, found: list[Violation]) -> tuple[Violation, ...]:
    """Drop a finding when another of the same type covers its span; restore spans from the original reply."""
    kept: list[Violation] = []
    for violation in sorted(found, key=lambda v: (v.start, -(v.end - v.start))):
        if any(k.type == violation.type and k.start <= violation.start and violation.end <= k.end for k in kept):
            continue
        kept.append(
            Violation(
                violation.type,
                reply[violation.start : violation.end],
                violation.start,
                violation.end,
                violation.detail,
            )
        )
    return tuple(kept)


def safe_template(scenario: Scenario, offer_days: int) -> str:
    """A neutral, compliant reply stating exactly ``offer_days`` days for the scenario's balance.

    It is what goes out when a model's replies keep breaking the rules, so it passes the guard for any scenario.
    The creditor's name is left out on purpose: a name such as "90 Day Loans" would read as a second timeline.

    Args:
        scenario: The case (debtor and balance).
        offer_days: The repayment timeline to offer.

    Returns:
        Two sentences of plain text.
    """
    first_name = scenario.debtor.split()[0]
    unit = "day" if offer_days == 1 else "days"
    return (
        f"Thank you for your message, {first_name}. We can offer you a repayment plan of {offer_days} {unit} for "
        f"the balance of {scenario.balance_text()}. Please let me know whether that works for you, or if you would "
        "like to talk through your situation."
    )


def violation_feedback(result: GuardResult) -> str:
    """A short instruction for a regeneration prompt, naming each violation and how to avoid it.

    Args:
        result: The guard's verdict on the rejected reply.

    Returns:
        An empty string for a compliant reply; otherwise one line per violation type, then the general rule.
    """
    if result.compliant:
        return ""
    lines = ["Your previous reply broke the debt-collection rules. Rewrite it without these problems:"]
    for violation_type in result.types:
        spans = ", ".join(f'"{v.span}"' for v in result.violations if v.type == violation_type)
        lines.append(f"- {violation_type} ({spans}): {_FIX[violation_type]}.")
    lines.append("Keep the same offer, stay truthful, respectful and lawful, and mention no new terms.")
    return "\n".join(lines)
