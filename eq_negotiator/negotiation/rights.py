"""Client rights and vulnerability: messages that must stop the negotiation and go to a person.

:func:`detect_rights_events` reads a client message with fixed patterns (no model, no randomness) and reports:

- ``crisis``: a statement of suicidal thoughts or self-harm ("I want to end it all", "I can't go on").
- ``cease_contact``: a request to stop contacting them (FDCPA §1692c(c)). The statute asks for written notice; an
  agent in a chat should still stop and hand over, so any clear request counts.
- ``attorney``: they are represented by an attorney (§1692c(a)(2)), so the collector must talk to the attorney.
- ``dispute``: they dispute the debt or its amount, or ask for proof of it (§1692g, Regulation F §1006.34).
- ``no_work_contact``: they must not be contacted at work (§1692c(a)(3)).
- ``client_threat``: the client threatens violence ("I'll kill you"). Reported so it is never mistaken for
  self-harm, and so the reply can set a calm boundary; it does not escalate on its own (:data:`ESCALATING_KINDS`).

Decisions on ambiguous wording
------------------------------
- Crisis leans toward recall: a false alarm costs one caring message and a person's review, a miss can cost a life.
  "I'd rather be dead than pay this" counts. Plain idioms that never speak of one's own death or harm ("this debt
  is killing me", "I'm dying to sort this out", "I'd kill for a lower rate") do not, nor does someone else's death
  ("my brother killed himself"), nor an explicit denial ("I'm not suicidal"). "I can't go on" counts unless it is
  followed by what cannot go on ("...paying 400 a month", "...with these calls").
- "Stop calling me at work" is ``no_work_contact``, not ``cease_contact``; so is "don't contact my employer".
  "Don't call me before 9am" or "...on this number" restrict time or channel and are neither. "Stop harassing me"
  and "leave me alone" count as cease requests: the client plainly wants contact to end.
- ``attorney`` needs present representation: "talk to my lawyer", "I have an attorney", "my lawyer told me...".
  Future intent ("I might get a lawyer", "I'll talk to a lawyer") and a lawyer who is not theirs in this matter
  ("my lawyer friend said", "my cousin is a lawyer") do not count. Such messages deserve care but do not oblige
  the collector to stop.
- ``dispute`` covers denial of the debt or the amount, identity theft, "I already paid this off", and requests
  for proof or validation. "I don't owe you an explanation" and "I'm not disputing the debt" do not count.
- A request that is itself denied ("I'm not asking you to stop contacting me", "I'm not saying don't call me at
  work") does not count, but a condition does ("If you don't stop calling me I'm reporting you").

Each kind is reported once per message, at its first match.

Limitations
-----------
These are patterns, not understanding. Figures on the labelled messages
(``tests/unit/negotiation/rights_cases.jsonl``), per kind, precision / recall:

- Tuning splits (``dev1``, ``dev2``, ``dev3``, ``holdout_used``): 1.00 / 1.00 for every kind. These are the
  messages the patterns were built on, so this says nothing about new wording.
- First holdout (57 messages, now ``holdout_used``), measured before any tuning on it: precision 1.00; recall
  crisis 0.50 (4/8), cease_contact 0.33 (2/6), attorney 0.50 (3/6), dispute 0.38 (3/8), no_work_contact
  0.20 (1/5), client_threat 0.67 (2/3). Its misses ("I'm done with life", "No more calls. I mean it.", "I retained
  counsel yesterday.", "This was settled years ago.") led to widening by category of phrasing, not by sentence:
  crisis (done with life, not wanting to wake up, nothing to live for, disappearing, method words such as
  jumping or hanging, "thinking about / going to end it", "can't take it anymore" beside a hopeless word, life
  not worth living, final goodbyes), cease (no more calls/texts, "don't want you to contact me again", cease
  contacting, do-not-call list, "stop bothering me", "done talking to you"), attorney (retained/hired counsel,
  "my counsel will...", anything sent "to/through my lawyer", represented by, legal aid), dispute (settled or
  paid off long ago, "not mine", never had an account, fraud, wrong amount, asking for proof or the original
  contract, any "dispute" not denied, time-barred), work (store/shop/place of work, "no calls to my work",
  "my boss will fire me if you call", "can't talk at work"), threat (property damage, weapons). Each came with
  hard negatives ("stop calling it a debt", "I'm done with this process", "my friend is a lawyer", "settled on
  60 days?", "I work from home so call any time", "life is hard but I'll pay"), kept in ``dev3``.
- Second holdout (``holdout2``, 65 messages written after that widening), measured once and never tuned on:
  precision 1.00 for every kind (no false positive on 20 hard negatives); recall crisis 0.40 (4/10),
  cease_contact 0.64 (7/11), attorney 0.75 (6/8), dispute 0.50 (5/10), no_work_contact 0.80 (4/5),
  client_threat 0.00 (0/3). Missed: indirect crisis signs ("I don't see the point of any of it", "everyone
  would be happier if I wasn't around", giving things away, a rope, "all my meds at once"), typos ("stop
  callin me"), "no longer wish to be contacted", "retained the services of an attorney", "the balance is way
  off", "my ex opened this account", time-barred debt in plain words, and veiled threats ("see what happens").

So this check is a floor, not a net. It is weakest exactly where a miss costs most (indirect crisis language),
and it cannot be fixed by more patterns: pair it with a model-based check and human review, above all for
crisis. It reads English only, one message at a time (a request split across two messages is missed), and
cannot tell sarcasm or quoted speech from a real request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, get_args

from eq_negotiator.negotiation.text import compile_phrase_families, phrase_spans, without_spans
from eq_negotiator.scenario import Scenario

RightsKind = Literal["crisis", "cease_contact", "attorney", "dispute", "no_work_contact", "client_threat"]
RIGHTS_KINDS: Final[tuple[RightsKind, ...]] = get_args(RightsKind)
ESCALATING_KINDS: Final[frozenset[str]] = frozenset(
    {"crisis", "cease_contact", "attorney", "dispute", "no_work_contact"}
)
"""Kinds that stop the negotiation and hand the dialogue to a person."""


Layer = Literal["rules", "model"]


@dataclass(frozen=True)
class RightsEvent:
    """One rights or vulnerability signal in a client message.

    Attributes:
        kind: What was detected.
        span: ``(start, end)`` character offsets of the words that triggered it: the matched words for the rules,
            the highest-scoring sentence for the model.
        reason: Why it matters, in one sentence.
        layer: Which check found it: the word ``rules`` or the ``model``.
        score: The model's probability for the kind (``None`` for a rules event).
    """

    kind: RightsKind
    span: tuple[int, int]
    reason: str
    layer: Layer = "rules"
    score: float | None = None

    @property
    def escalates(self) -> bool:
        """Whether this event stops the negotiation and hands the dialogue to a person."""
        return self.kind in ESCALATING_KINDS

    def matched(self, text: str) -> str:
        """The words of ``text`` that triggered the event."""
        return text[self.span[0] : self.span[1]]

    def to_dict(self) -> dict[str, Any]:
        """Return the event as JSON-safe data."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "span": list(self.span),
            "reason": self.reason,
            "escalates": self.escalates,
            "layer": self.layer,
        }
        if self.score is not None:
            data["score"] = round(self.score, 4)
        return data


class RightsModel(Protocol):
    """A learned reader of rights signals (the embedded perception model implements it)."""

    def rights_scores(self, text: str) -> list[tuple[tuple[int, int], dict[str, float]]]:
        """Per-kind probabilities for each part of ``text``: ``[((start, end), {kind: probability}), ...]``."""
        ...

    @property
    def rights_thresholds(self) -> dict[str, float]:
        """The probability at or above which each kind counts as detected."""
        ...


# Pattern building blocks. Messages are typed fast: apostrophes are optional and "dont"/"cant" are common.
_NOT = r"(?:n'?t|\s+not)"  # don't / dont / do not (attach right after the auxiliary)
_DONT = rf"(?:do{_NOT}|please\s+do{_NOT}|never)"
_I = r"\bi(?:'?m|\s+am|'?ll|\s+will|'?d|\s+would|'?ve|\s+have)?"
_ONE_VERB = r"(?:call(?:ing)?|contact(?:ing)?|text(?:ing)?|e-?mail(?:ing)?|messag(?:e|ing)|phon(?:e|ing)|ring(?:ing)?)"
_CONTACT_VERB = rf"{_ONE_VERB}(?:(?:\s*,\s*|\s+)(?:(?:and|or)\s+)?{_ONE_VERB})*"  # "call, text or email"
# What may follow "stop calling me" in a cease request; anything else ("...a liar", "...Mr Morgan") is not one.
_CEASE_TAIL = (
    r"(?=\s*(?:$|[.!?,;:)]|again\b|already\b|any\s*more\b|ever\b|please\b|now\b|immediately\b|and\b|or\b|about\b|"
    r"regarding\b|every\b|so\b|all\s+the\s+time\b|at\s+home\b|on\s+(?:my|this|here)\b|period\b|for\s+good\b|you\b|i\b|"
    r"here\b|right\s+now\b|today\b|at\s+all\b|altogether\b|no\s+more\b|asap\b|thanks?\b|thank\s+you\b|ok\b|okay\b))"
)
_WORK_NOUN = (
    r"(?:work(?:place)?|job|office|employer|boss|manager|supervisor|store|shop|restaurant|salon|site|factory|"
    r"warehouse|school|clinic|hospital|place\s+of\s+(?:work|employment|business)|work\s+(?:number|phone|line))"
)
_WORKPLACE = (
    r"(?:(?:at|to)\s+(?:my\s+|the\s+)?(?:work(?:place)?|job|office|shop|store|place\s+of\s+(?:work|employment))|"
    rf"my\s+{_WORK_NOUN}|during\s+(?:my\s+)?(?:work(?:ing)?\s+hours|shifts?|work)|on\s+my\s+shift)"
)

_LAWYER = (
    r"(?:lawyers?|attorneys?|solicitors?|counsel|legal\s+(?:representative|counsel|team|rep|adviser|advisor)|"
    r"law\s*firm|public\s+defender)\b"
)
# "my lawyer friend", "my attorney cousin", "a lawyer's letter", "lawyer fees" are not representation.
_NOT_MY_LAWYER = (
    r"(?!\s+(?:friend|cousin|brother|sister|uncle|aunt|neighbou?r|in\s+the\s+family|fees?|bills?|costs?)\b)"
)

_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "crisis": (
        r"\b(?:kill(?:ing)?|hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?)\s+myself\b",
        r"\bself[-\s]?harm",
        r"\bsuicidal\b",
        r"\b(?:think|thinking|thought|thoughts|considering|contemplating)\s+(?:about\s+|of\s+)?"
        r"(?:suicide|ending\s+(?:my\s+life|it\s+all))",
        r"\bcommit(?:ting)?\s+suicide\b",
        r"\bend(?:ing)?\s+(?:my\s+(?:own\s+)?life|it\s+all|everything)\b",
        r"\bpoint\s+(?:in|of|to)\s+(?:living|life|going\s+on|being\s+alive)\b",
        r"\boverdos\w*|\bpills\b[^.!?]{0,60}\b(?:take|taking|swallow\w*)\s+(?:them\s+)?all\b|"
        r"\b(?:take|taking|swallow\w*)\s+all\s+(?:of\s+)?(?:my|the|those|these)\s+pills\b",
        r"\bwant\s+(?:it\s+all|everything)\s+to\s+(?:stop|end)\s+(?:for\s+good|forever)\b",
        r"\b(?:nobody|no\s+one|no-one)\s+would\s+(?:even\s+)?(?:miss\s+me|care\s+if\s+i)\b",
        r"\bif\s+i\s+(?:was|were)\s+(?:gone|dead|not\s+(?:here|around))\b",
        r"\bif\s+i\s+(?:wasn'?t|weren'?t)\s+(?:here|around|alive)\b",
        r"\btak(?:e|ing)\s+my\s+(?:own\s+)?life\b",
        # "I can't go on", unless it says what cannot go on (paying, these calls...).
        r"\bca(?:n'?t|nnot)\s+go\s+on\b(?!\s+(?:pay|paying|making|with\s+(?:the|these|this|those|your|all)\b))",
        rf"\b(?:do{_NOT}|no\s+longer)\s+want\s+to\s+(?:live|be\s+alive|be\s+here)\b",
        r"\bwant\s+to\s+die\b",
        r"\bwish\s+i\s+(?:was|were)\s+dead\b",
        r"\bbetter\s+off\s+(?:dead|without\s+me)\b",
        r"\brather\s+(?:be\s+dead|die)\b",
        r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on)\b",
        r"\bnever\s+wake\s+up\b",
        # Widened by category after the first holdout (see the Limitations section).
        r"\b(?:done|finished)\s+with\s+(?:life|living|being\s+alive|this\s+(?:life|world)|existing)\b",
        rf"\b(?:do{_NOT}|never)\s+want\s+to\s+wake\s+up\b|\bhope\s+i\s+(?:do{_NOT}\s+|never\s+)wake\s+up\b|"
        r"\b(?:go\s+to\s+)?sleep\s+and\s+(?:not|never)\s+wake\s+up\b",
        r"\bno(?:thing)?\s+(?:left\s+)?(?:reason\s+)?to\s+live\s+for\b|\bno\s+reason\s+to\s+(?:keep\s+)?(?:live|living|going)\b",
        r"\b(?:want|wanna|wish\s+i\s+could|going)\s+(?:to\s+)?(?:just\s+)?disappear\b(?!\s+(?:for\s+a\s+(?:bit|while|week|day)))",
        r"\b(?:ways?|how)\s+to\s+(?:die|end\s+it(?:\s+all)?|kill\s+myself|end\s+my\s+life)\b",
        r"\b(?:hang|shoot|drown|poison|stab|starve)(?:ing)?\s+myself\b|\bunalive\b",
        r"\bjump(?:ing|ed)?\s+(?:off|from)\s+(?:a|the|my|this|that)\s+(?:\w+\s+)?"
        r"(?:bridge|building|roof(?:top)?|cliff|balcony|ledge|tower|overpass|window)\b",
        r"\b(?:jump|step|walk|throw\s+myself|lie\s+down)(?:ing|ed)?\s+in\s+front\s+of\s+(?:a|the)\s+(?:\w+\s+)?"
        r"(?:train|bus|car|truck|lorry|traffic)\b|\bthrow(?:ing)?\s+myself\s+(?:off|under)\b",
        r"\b(?:think(?:ing)?|thought|thoughts|going|gonna|want|wanna|plan(?:ning)?|ready|tempted|consider(?:ing)?|"
        r"decided|about)\s+(?:about\s+|of\s+|to\s+)?(?:just\s+)?end(?:ing)?\s+it\b"
        r"(?!\s+(?:with|early|here|by|on|via|through|now\s+by|and\s+(?:pay|settle)))",
        r"\bca(?:n'?t|nnot)\s+(?:take|handle|bear|stand|cope\s+with|do)\s+(?:life|living|being\s+alive)\b|"
        r"\bca(?:n'?t|nnot)\s+(?:take|handle|bear|cope\s+with)\s+(?:it|this|any\s+of\s+(?:it|this))\s+any\s*more\b"
        r"(?=[^\n]{0,100}?\b(?:life|living|alive|hopeless|pointless|give\s+up|giving\s+up|end\s+it|gone|nobody|"
        r"no\s+one|done|die|dead|over)\b)",
        r"\b(?:life|living)\s+(?:is|'s)(?:n'?t|\s+not)\s+worth\s+(?:it|living|anything)\b|"
        r"\bnot\s+worth\s+(?:living|being\s+alive)\b",
        r"\b(?:tired|sick|weary)\s+of\s+(?:living|life|being\s+alive|existing)\b|"
        r"\bgiv(?:e|ing)\s+up\s+on\s+(?:life|living|everything)\b",
        r"\b(?:goodbye|good\s+bye|bye)\s+forever\b|\bthis\s+is\s+(?:my\s+)?goodbye\b|"
        r"\bsay(?:ing)?\s+(?:my\s+)?goodbyes?\s+to\s+(?:everyone|everybody|my\s+(?:family|kids|children|wife|husband))\b",
        rf"\b(?:wo{_NOT}|will\s+not)\s+be\s+(?:around|here|alive)\s+(?:much\s+longer|for\s+(?:much\s+)?long(?:er)?)\b",
        r"\b(?:wanna|want\s+to|wish\s+i\s+could)\s+(?:just\s+)?(?:die|be\s+dead|sleep\s+forever|not\s+exist|"
        r"stop\s+existing)\b|\bwish\s+i\s+(?:was|were|had)\s+(?:never\s+(?:been\s+)?born|not\s+alive)\b|"
        r"\bwish\s+i\s+(?:wasn'?t|weren'?t)\s+(?:alive|born)\b",
        r"\bend\s+my\s+(?:suffering|misery|pain)\b|\bout\s+of\s+my\s+misery\b|\bbetter\s+without\s+me\b",
    ),
    "client_threat": (
        r"\b(?:i'?ll|i\s+will|i'?m\s+(?:going|gonna)\s+to|i'?m\s+gonna|gonna)\s+(?:\w+\s+){0,4}?"
        r"(?:kill|hurt|shoot|stab|strangle|beat|punch|find|come\s+(?:after|for))\s+(?:you|your)\b",
        r"\bbreak\s+your\s+(?:neck|legs?|arms?|face|jaw|nose)\b",
        r"\bknow\s+where\s+you\s+live\b",
        r"\b(?:i'?ll|i\s+will|gonna|going\s+to)\s+make\s+you\s+pay\b",
        r"\bbeat\s+you\s+up\b",
        r"\bwatch\s+your\s+back\b",
        r"\byou'?re\s+(?:dead|a\s+dead\s+man|dead\s+meat)\b",
        r"\b(?:smash|burn|torch|trash|wreck|vandali[sz]e|blow\s+up|firebomb|key)\w*\s+(?:up\s+|down\s+)?(?:your|ur)\s+"
        r"(?:\w+\s+)?(?:office|offices|building|car|house|home|windows?|place|shop|store|head|face|skull)\b",
        r"\b(?:bring|grab|get|got|have)\w*\s+(?:my|a)\s+(?:gun|knife|shotgun|rifle|baseball\s+bat)\b",
    ),
    "no_work_contact": (
        rf"\b(?:{_DONT}|stop|quit|no\s+more)\s+(?:ever\s+)?{_CONTACT_VERB}\s+(?:me\s+)?{_WORKPLACE}",
        rf"\bno\s+(?:more\s+)?(?:phone\s+)?(?:calls|contact|texts|messages|calling)\s+{_WORKPLACE}",
        r"\b(?:fire|fired|sack|sacked|lose\s+my\s+job|get\s+me\s+(?:fired|sacked|in\s+trouble)|write\s+me\s+up)\b"
        r"[^.!?]{0,40}\b(?:if|when|because|cause|cuz|since)\s+(?:you|u|your|y'?all|they|these)\b[^.!?]{0,30}"
        r"\b(?:call|ring|contact|phon|text|show)\w*",
        rf"\b(?:if|when)\s+(?:you|u)\s+(?:keep\s+|ever\s+)?(?:call|ring|contact|phon|text)\w*\s+(?:me\s+)?{_WORKPLACE}"
        r"[^.!?]{0,40}\b(?:fire|fired|sack|sacked|lose\s+my\s+job|trouble)",
        r"\bca(?:n'?t|nnot)\s+(?:talk|speak|take\s+(?:personal\s+)?calls|answer|be\s+on\s+(?:the|my)\s+phone|"
        r"use\s+my\s+phone|have\s+my\s+phone)\b[^.!?]{0,20}?\b(?:at|during|while\s+(?:i'?m\s+)?at|on)\s+"
        r"(?:work|my\s+job|the\s+job|the\s+office|my\s+shift|shift)\b",
        rf"\b(?:work|job|office|shift)\b[^\n]{{0,60}}?\b(?:{_DONT}|stop|quit)\s+{_CONTACT_VERB}\s+(?:me\s+)?there\b",
        rf"\b(?:{_DONT}|stop)\s+(?:ever\s+)?{_CONTACT_VERB}\s+(?:me\s+)?(?:\w+\s+)?(?:during|while\s+i'?m\s+at)\s+work",
        rf"\b(?:{_DONT}|stop|quit)\s+(?:ever\s+)?{_CONTACT_VERB}\s+[^.!?]{{0,25}}\bwhere\s+i\s+work\b",
        r"\byou\s+(?:called|contacted|rang|phoned)\s+(?:me\s+at\s+)?(?:my\s+)?"
        r"(?:job|work(?:place)?|office|employer|boss)\b",
        r"\bmy\s+(?:employer|boss|work|job|manager|company)\s+(?:does|do)(?:n'?t|\s+not)\s+"
        r"(?:allow|permit|let\s+me\s+take)\b",
        r"\b(?:ca(?:n'?t|nnot)|(?:am|i'?m)\s+not\s+(?:allowed|permitted|able)\s+to)\s+(?:take|answer|get)\s+"
        r"(?:\w+\s+)?(?:calls|phone\s+calls)\s+(?:at|during|while\s+at|while\s+i'?m\s+at)\s+work\b",
    ),
    "cease_contact": (
        r"\bno\s+(?:more|further)\s+(?:phone\s+)?(?:calls|texts|e-?mails|messages|contact|letters|communications?|"
        r"calling|texting)\b(?!\s+(?:to|at)\s+my\b)",
        rf"\b(?:do{_NOT}|never)\s+(?:ever\s+)?want\s+(?:you\s+(?:guys\s+|people\s+|lot\s+)?(?:to\s+)?{_CONTACT_VERB}\s+me|"
        r"to\s+(?:be|get)\s+(?:contacted|called|texted|e-?mailed|messaged)|to\s+hear\s+from\s+(?:you|u|your\s+\w+))"
        r"\b(?=\s*(?:$|[.!?,;]|again\b|any\s*more\b|ever\b|at\s+all\b|period\b|no\s+more\b|about\s+this\b))",
        r"\bnever\s+(?:want\s+to\s+)?hear\s+from\s+(?:you|u)\s+again\b",
        r"\bstop\s+(?:harass|bother|hound|pester|bug|badger|stalk)(?:ing)?\s+me\b(?!\s+about\s+(?:the\s+)?(?:fee|interest))|"
        r"\bstop\s+blowing\s+up\s+my\s+phone\b",
        r"\bleave\s+me\s+(?:the\s+hell\s+)?be\b",
        rf"\bcease\s+(?:all\s+)?{_CONTACT_VERB}\b",
        r"\bdo[-\s]?not[-\s]?(?:call|contact)\s+(?:list|registry)\b|\bdnc\s+list\b",
        r"\b(?:unsubscribe|opt)\s+me\b|^\W*(?:stop|unsubscribe)\W*$",
        r"\b(?:i'?m|i\s+am|we'?re|we\s+are)\s+done\s+(?:talking|speaking|communicating|dealing)\s+(?:to|with)\s+(?:you|u)\b",
        r"\bstop\s+sending\s+me\s+(?:any\s+more\s+|anymore\s+)?(?:letters|texts|e-?mails|messages|mail)\b",
        # "stop calling me", "stop texting and calling me"; not "stop calling me a liar" or "...at work".
        rf"\b(?:stop|quit)\s+(?:all\s+)?{_CONTACT_VERB}\s+me\b{_CEASE_TAIL}",
        r"\bstop\s+(?:all\s+)?(?:contact|communications?)\b",
        rf"\b{_DONT}\s+(?:ever\s+)?{_CONTACT_VERB}\s+me\s+(?:again|anymore|any\s+more|ever)\b",
        r"\b(?:communications?|contact|calls|messages)\s+(?:from\s+you\s+)?(?:to|must|should|needs?\s+to)\s+"
        r"(?:stop|cease|end)\b",
        r"\blose\s+my\s+(?:number|details)\b",
        rf"\b(?:no\s+longer|do{_NOT})\s+consent\s+to\s+(?:being\s+|you\s+)?{_ONE_VERB}",
        rf"\b{_DONT}\s+(?:ever\s+)?{_CONTACT_VERB}\s+me\s*(?:[.!]|$)",
        r"\bcease\s+(?:and\s+desist\b|(?:all\s+|any\s+|further\s+)?(?:contact|communications?)\b)",
        r"\brevok\w*\s+(?:my\s+)?(?:consent|permission)\b",
        r"\bleave\s+me\s+alone\b",
        r"\bstop\s+harass(?:ing)?\s+me\b",
        r"\bdo(?:n'?t|\s+not)\s+want\s+(?:any\s+more|anymore|any\s+further|further)\s+"
        r"(?:calls|contact|letters|messages)\b",
        r"\b(?:take|remove)\s+(?:me|my\s+(?:name|number))\s+(?:off|from)\s+your\s+"
        r"(?:call(?:ing)?\s+|contact\s+|mailing\s+|phone\s+|text(?:ing)?\s+|sms\s+)?lists?\b",
    ),
    "attorney": (
        r"\b(?:talk|speak|go|refer|direct\s+(?:all\s+)?(?:communications?|calls|questions)|contact|call)\s+"
        r"(?:to\s+|with\s+)?"
        r"my\s+(?:lawyer|attorney|solicitor|counsel|legal\s+(?:representative|counsel))\b",
        rf"\bmy\s+{_LAWYER}{_NOT_MY_LAWYER}"
        r"(?=\s+(?:\w+\s+)?(?:is|are|will|'ll|has|have|had|said|says|told|advised|advises|handles|handling|wants|would|"
        r"can|should|asked|sent|represents|recommended|recommends|insists|instructed|needs|contacted|wrote|"
        r"filed|says)\b|'s\s+(?:name|number|details|contact|e-?mail|phone|office|letter|info)\b)",
        rf"\b(?:to|with|through|thru|via|from|by)\s+my\s+{_LAWYER}{_NOT_MY_LAWYER}",
        rf"\bi\s+(?:have|'?ve\s+got|got|now\s+have|have\s+now\s+got)\s+(?:a\s+|an\s+|my\s+own\s+|legal\s+)?(?:\w+\s+)?"
        rf"(?:lawyers?|attorneys?|solicitors?|counsel)\b{_NOT_MY_LAWYER}(?!'s)",
        r"\b(?:hired|retained|engaged|instructed)\s+(?:myself\s+)?(?:a\s+|an\s+|my\s+own\s+|legal\s+)?(?:\w+\s+)?"
        rf"(?:lawyers?|attorneys?|solicitors?|counsel|representation|law\s*firm)\b{_NOT_MY_LAWYER}(?!'s)",
        r"\b(?:being\s+|now\s+)?represented\s+by\b|\brepresent(?:s|ing)\s+me\b",
        r"\blegal\s+aid\b[^.!?]{0,40}\b(?:handling|representing|dealing|helping|took|taking|on\s+(?:my|the)\s+case)\b",
        r"\bi\s+(?:have|'?ve\s+got|'?ve\s+(?:hired|retained))\s+(?:a|an)\s+(?:\w+\s+)?(?:lawyer|attorney|solicitor)\b"
        r"(?!\s+(?:friend|cousin|brother|sister|in\s+the\s+family))",
        r"\b(?:hired|retained|engaged|gave\s+me|got(?:\s+me)?|assigned\s+me|working\s+with)\s+(?:a|an)\s+(?:\w+\s+)?"
        r"(?:lawyer|attorney|solicitor|counsel)\b",
        r"\b(?:have|got|under)\s+(?:legal\s+)?(?:representation|legal\s+counsel)\b",
        r"\b(?:i'?m|i\s+am)\s+(?:legally\s+)?represented\b",
        r"\b(?:lawyer|attorney|solicitor|counsel|law\s*firm|public\s+defender)\s+(?:is\s+|are\s+)?(?:now\s+)?"
        r"(?:handling|representing|dealing\s+with|taking\s+care\s+of)\s+(?:this|it|me|my|the)\b",
    ),
    "dispute": (
        r"\b(?:is|'s)\s*(?:n'?t|\s+not)\s+my\s+(?:debt|account|loan|bill)\b(?!\s+(?:that|which)\b)",
        r"\bnot\s+my\s+(?:debt|account|loan)\b(?!\s+(?:that|which)\b)",
        r"\b(?:debt|account|loan|balance)\s+(?:is|'s)(?:n'?t|\s+not)\s+mine\b",
        r"\bi\s+(?:dispute|am\s+disputing|'?m\s+disputing|contest)\b",
        r"\bnever\s+(?:borrowed|signed|took\s+out|opened|applied|had\s+(?:a|an|this|that)\s+(?:loan|account))",
        rf"\bdo{_NOT}\s+(?:even\s+)?owe\s+(?:you\s+)?(?:this|that|it|anything|a\s+(?:penny|cent|dime|thing)|"
        r"(?:the|this|that)\s+(?:money|debt|amount|balance))\b",
        r"\bidentity\s+(?:theft|was\s+stolen)|\bstole\s+my\s+identity\b|\bopened\s+in\s+my\s+name\b",
        r"\b(?:proof|evidence)\s+(?:that\s+)?i\s+owe\b",
        r"\b(?:validat\w*|verif\w*)\s+(?:of\s+)?(?:the|this|that|my)\s+(?:debt|balance|amount|account)\b",
        r"\b(?:debt|balance|amount|account)\s+(?:\w+\s+)?(?:validated|verified)\b",
        r"\bwrong\s+person\b",
        r"\bnever\s+heard\s+of\s+(?:you\b|your\b|this\b|that\b|them\b|it\b|(?-i:[A-Z]))",
        r"\b(?:balance|amount|figure|total|debt)\s+(?:is|'s)\s+(?:wrong|incorrect|not\s+right|inflated)\b",
        r"\bi\s+only\s+borrowed\b",
        r"\b(?:debt|account|loan|it)\s+(?:belongs|belonged)\s+to\s+(?:my\s+\w+|someone|somebody|another)\b",
        r"\bvictim\s+of\s+(?:identity\s+)?(?:fraud|theft)\b|\bused\s+my\s+(?:name|identity|details)\b|\bfraudulent\b",
        rf"\bdo{_NOT}\s+(?:think|believe)\s+i\s+owe\b",
        r"\bpaid\s+(?:this|it|that|the)(?:\s+(?:debt|loan|balance|account|bill))?\s+(?:off|in\s+full)\b",
        r"\bdo(?:n'?t|\s+not)\s+recogni[sz]e\s+(?:this|that|the)\s+(?:debt|account|loan|charge|balance)\b",
        r"\bthe\s+amount\s+is\s+wrong\b",
        r"\b(?:this|that|it|the\s+(?:debt|account|loan|balance|bill))\s+(?:was|were|has\s+been|had\s+been|got|is)\s+"
        r"(?:already\s+|fully\s+|all\s+)?(?:settled|paid(?:\s+(?:off|up|in\s+full))?|cleared|closed|resolved|"
        r"discharged|written\s+off|forgiven)\b(?!\s+(?:on|by|for|if|when|with)\b)",
        r"\b(?:settled|paid\s+(?:off|in\s+full|up)|cleared)\b[^.!?]{0,30}\b(?:years?|months?|ages)\s+ago\b",
        r"\balready\s+(?:paid|settled|cleared)\s+(?:this|that|it|the\s+(?:debt|account|loan|balance|bill)|"
        r"in\s+full|off|everything)\b",
        r"\bdischarged\s+(?:in|through|by)\s+(?:my\s+)?bankruptcy\b|\bstatute\s+of\s+limitations?\b|\btime[-\s]barred\b",
        r"\b(?:is|'s|was|are)\s*(?:n'?t|\s+not)\s+mine\b(?!\s+to\b)|\bnot\s+mine\b(?!\s+to\b)|\bnone\s+of\s+(?:this|it|that)\s+is\s+mine\b",
        r"\bnever\s+(?:had|held|opened|used|owned|signed\s+up\s+for)\s+(?:a|an|any|this|that|the)\s+(?:\w+\s+)?"
        r"(?:loan|account|card|contract|service|plan|policy)\b|"
        r"\bnever\s+(?:been\s+(?:a|your)\s+customer|did\s+business|dealt\s+with|done\s+business|bought|ordered|purchased)\b",
        r"\b(?:did|have)(?:n'?t|\s+not)\s+(?:ever\s+)?(?:borrow(?:ed)?\s+(?:this|that|any|the|money|from)|"
        r"sign(?:ed)?\s+(?:anything|this|that|for\s+(?:this|that|any))|take\s+out\s+(?:this|that|a|any)|"
        r"open(?:ed)?\s+(?:this|that|an?|any)\s+(?:\w+\s+)?(?:account|loan|card))",
        r"\bfraud\w*\s+(?:on|charges?|account|activity|transactions?)\b|"
        r"\b(?:someone|somebody)\s+(?:else\s+)?(?:opened|used|took\s+out|stole)\b|\bstolen\s+identity\b|"
        r"\bidentity\s+(?:fraud|got\s+stolen)\b|\bid\s+theft\b",
        r"\b(?:balance|amount|figure|total|debt|number|sum|bill|charges?|fees?|interest)\b[^.!?]{0,30}?"
        r"\b(?:is|'s|are|was|looks|seems)\s+(?:\w+\s+)?(?:wrong|incorrect|inaccurate|not\s+(?:right|correct|accurate)|"
        r"inflated|made\s+up|a\s+mistake|an\s+error|bogus)\b|"
        r"\b(?:wrong|incorrect|inaccurate|inflated)\s+(?:amount|balance|figure|total|sum|charges?)\b",
        rf"\bdo{_NOT}\s+owe\s+(?:you\s+)?(?:that\s+much|(?:anywhere\s+)?(?:near|close\s+to))\b|\bi\s+only\s+owed?\b|"
        r"\bowe\s+(?:way\s+|much\s+|a\s+lot\s+)?less\s+than\b",
        r"\b(?:want|need|request(?:ing)?|demand(?:ing)?|ask(?:ing)?\s+for|send\s+me|show\s+me|see|give\s+me)\s+"
        r"(?:\w+\s+){0,3}?(?:proof|evidence|verification|validation|the\s+original\s+(?:contract|agreement|paperwork|"
        r"documents?|loan\s+\w+)|(?:a\s+)?copy\s+of\s+(?:the|my)\s+(?:original\s+|signed\s+)?(?:contract|agreement|"
        r"signature|loan\s+agreement))\b(?!\s+of\s+(?:my\s+|the\s+)?(?:payments?|income|address|hardship|"
        r"identity|employment))|\bprove\s+(?:it|that|this|i\s+owe)\b|\bvalidation\s+(?:letter|notice)\b",
        r"\bdisput(?:e|ing|ed)\b",
        r"\bwrong\s+(?:guy|girl|man|woman|name|number|customer|individual)\b|"
        r"\bgot\s+me\s+(?:confused|mixed\s+up|mistaken)\b|\bmistaken\s+identity\b|"
        r"\bsomeone\s+else'?s?\s+(?:debt|account|loan)\b",
    ),
}

# A request the client says they are *not* making: "I'm not asking you to stop...", "not saying don't call me...".
# Only these framings count as negation; a bare "don't" before a request is usually a condition ("if you don't stop
# calling me...") and must not cancel it.
_DENIED_REQUEST = re.compile(
    r"(?:\bnot\s+(?:asking|saying|telling|requesting|disputing)|\bdo(?:n'?t|\s+not)\s+(?:want|need)\s+you\s+to|"
    r"\bdid(?:n'?t|\s+not)\s+(?:say|ask)|\bnever\s+(?:said|asked))\b[^.!?;]{0,30}$"
)
# Crisis words that the client immediately denies: "I'm not suicidal", "I would never hurt myself".
# Negators are listed whole: a bare "n't?" would also match the "nt" of "want" ("I want to end it all").
_DENIED_CRISIS = re.compile(
    r"(?:\bnot\s+that\s+i(?:'?d|\s+would)?\s+(?:ever\s+)?$)|\b(?:not|never|cannot|(?:do|does|did|would|could|will|wo|ca|is|am|are|was|were|should)n'?t)\s+(?:\w+\s+){0,2}$"
)
_DENIED_VERB = re.compile(
    r"\b(?:not|no|never|(?:do|does|did|have|has|had|would|will|wo|ca|is|are|was|were)n'?t)\s+(?:\w+\s+){0,2}$"
)
_DENIABLE_ATTORNEY = re.compile(r"^(?:hired|retained|engaged|instructed|(?:being\s+|now\s+)?represent)")
_DENIABLE_CRISIS = re.compile(r"^(?:suicidal|kill|hurt|harm|cut|end|tak|hang|shoot|drown|poison|stab|jump|done)")

# Benign uses of each kind's vocabulary, by category of phrasing: idioms of death, someone else's death or lawyer,
# lawyers in the future or in another matter, limits on time or channel, work mentioned as a fact, denials. The
# word rules never match these; the model, which reads words more than grammar, often does ("This debt is killing
# me" scores 0.9 crisis, "my cousin is a lawyer" 1.0 attorney). A model event is kept only when it still passes its
# threshold on the message with these spans set aside (see :func:`detect_rights`), so a crisis written beside an
# idiom still escalates.
_BENIGN: Final[dict[str, tuple[str, ...]]] = {
    "crisis": (
        r"\b(?:is|are|was|it'?s|they'?re|that'?s|this\s+is|these\s+are|(?:is|are)\s+(?:really|literally|honestly|just)|"
        r"\w+\s+(?:is|are))\s+(?:slowly\s+)?killing\s+(?:me|us)\b",
        r"\bkilling\s+(?:me|us)\s+(?:here|slowly|financially|inside)\b|\bkills\s+me\b",
        r"\b(?:i'?m|i\s+am|been|we'?re)\s+(?:just\s+|really\s+|literally\s+|honestly\s+)?dying\s+(?:to|for)\b",
        r"\b(?:to\s+die\s+for|kill\s+for|kill\s+two\s+birds|drop[-\s]dead|dead[-\s](?:tired|broke|serious|set|end|line)|"
        r"deadline|(?:scared|bored|sick|worried|tired)\s+to\s+death|the\s+death\s+of\s+me|over\s+my\s+dead\s+body|"
        r"murder\s+on|dying\s+(?:of\s+)?(?:laughter|embarrassment|boredom))\b",
        # Someone else's death or illness.
        r"\bmy\s+(?:\w+\s+){0,2}(?:died|passed(?:\s+away|\s+on)?|is\s+dying|was\s+killed|killed\s+(?:him|her)self|"
        r"took\s+(?:his|her|their)\s+own\s+life)\b[^.!?;,]{0,60}",
        r"\b(?:he|she|they)\s+(?:died|passed\s+away|killed\s+(?:him|her|them)sel(?:f|ves)|"
        r"took\s+(?:his|her|their)\s+own\s+life)\b|\b(?:funeral|falleci\w*|muri\w+)\b",
        # Denials: "not that I'd ever hurt myself", "I'm not suicidal".
        r"\b(?:not\s+that\s+i'?d?\s+(?:would\s+)?(?:ever\s+)?|i'?m\s+not\s+|i\s+am\s+not\s+|i\s+would\s+never\s+|"
        r"i'?d\s+never\s+|never\s+going\s+to\s+)(?:hurt|harm|kill)\s+myself\b|\b(?:i'?m|i\s+am)\s+not\s+suicidal\b",
        r"\b(?:goodbye|bye)\s+to\s+(?:credit|debt|(?:my|the|these|those)\s+(?:cards?|debts?|loans?|bills?))\b",
        r"\bdisappear\s+(?:to|for|on)\s+(?:a|an|the|some)\b[^.!?;,]{0,60}",
    ),
    "attorney": (
        # Someone else's lawyer, or a lawyer in another matter.
        r"\bmy\s+(?:\w+[-\s]){0,2}?(?:friend|cousin|brother|sister|uncle|aunt|neighbou?r|dad|father|mom|mum|mother|"
        r"son|daughter|wife|husband|partner|boss|coworker|co-worker|colleague|roommate|in-law|brother-in-law|"
        r"sister-in-law)(?:'s\s+(?:\w+\s+)?(?:lawyer|attorney)|\s+(?:is|was|works\s+as)\s+(?:a|an)\s+(?:\w+\s+)?"
        r"(?:lawyer|attorney|solicitor|paralegal)|\s+practi[cs]es\s+law)\b",
        r"\b(?:lawyer|attorney)\s+(?:friend|cousin|brother|sister|neighbou?r)\b",
        r"\b(?:lawyer|attorney)\s+(?:i\s+had\s+|who\s+(?:did|handled)\s+)?for\s+(?:my|the|a|his|her)\s+"
        r"(?:divorce|custody|accident|house|estate|will|business|immigration)\b[^.!?;,]{0,60}|"
        r"\b(?:lawyer|attorney)\s+handled\s+(?:my|the)\s+\w+[^.!?;,]{0,60}|\b\w+'s\s+(?:divorce\s+)?(?:lawyer|attorney)\b",
        # Lawyers in the future, in doubt, or on a screen.
        r"\b(?:thinking\s+(?:about|of)|considering|might|may|maybe|should\s+i|could|going\s+to\s+have\s+to|"
        r"(?:will|'ll)\s+have\s+to|planning\s+to|want\s+to|looking\s+(?:at|for|into)|ca(?:n'?t|nnot)\s+afford)\s+"
        r"(?:\w+\s+){0,4}?(?:lawyers?|attorneys?|legal\s+aid|counsel|law\s*firms?)\b[^.!?;,]{0,60}",
        r"\b(?:lawyers?|attorneys?)\s+(?:on|from)\s+(?:youtube|tiktok|tv|television|the\s+radio|a\s+podcast|reddit)\b"
        r"[^.!?;,]{0,60}|\b(?:youtube|tiktok|tv)\s+(?:lawyers?|attorneys?)\b",
        # Regulators and prosecutors are not the client's representation.
        r"\b(?:state\s+|district\s+)?attorneys?[-\s]general(?:'s)?(?:\s+office)?\b|\bdistrict\s+attorney\b",
        # Denials.
        r"\b(?:i\s+)?(?:do(?:n'?t|\s+not)|never)\s+(?:have|had|hired|need)\s+(?:a|an|any)\s+(?:lawyer|attorney|"
        r"counsel|representation)\b|\bno\s+(?:lawyer|attorney|legal\s+representation)\b|"
        r"\bnot\s+(?:legally\s+)?represented\b|\bno\s+tengo\s+abogad\w\b",
    ),
    "cease_contact": (
        # Limits on time, day or channel, often with the channel that is fine.
        r"\b(?:don'?t|do\s+not|please\s+don'?t|no)\s+(?:\w+\s+){0,2}?(?:call(?:s|ing)?|text(?:s|ing)?|"
        r"contact)\s+(?:me\s+)?(?:before|after|past|until|on\s+(?:weekends?|sundays?|saturdays?)|at\s+night|"
        r"(?:on\s+)?(?:sundays?|saturdays?|weekends?|mornings?|evenings?|nights?))\b[^.!?;,]{0,60}",
        r"\b(?:don'?t|do\s+not|stop)\s+(?:leav(?:e|ing)|sending|mailing)\s+(?:me\s+)?(?:any\s+)?(?:voicemails?|"
        r"voice\s*mails?|paper\s+(?:statements?|bills?|letters?)|statements?\s+by\s+(?:post|mail))\b[^.!?;,]{0,60}",
        r"\bstop\s+(?:calling|texting|contacting|ringing)\s+(?:my\s+(?:landline|home\s+phone|old\s+number|mom'?s|"
        r"mum'?s|mother'?s|dad'?s|parents'?)|the\s+(?:landline|old\s+number))\b[^.!?;,]{0,60}",
        r"\b(?:just|please|only)\s+(?:e-?mail|text|write\s+to)\s+me\b|\b(?:cell|mobile|e-?mail|text)\s+"
        r"(?:is|works)\s+(?:fine|better|ok)\b",
        # Complaints about frequency, and requests the client denies making.
        r"\b(?:frequency|number|volume)\s+of\s+(?:these\s+|your\s+|the\s+)?calls\b[^.!?;,]{0,60}|"
        r"\b(?:\w+|\d+)\s+times\s+a\s+(?:day|week)\b",
        r"\b(?:not|never)\s+(?:asking|saying|telling|requesting)\b[^.!?;,]{0,60}",
    ),
    "no_work_contact": (
        r"\bi\s+work\s+(?:nights|days|evenings|late|weekends|from\s+home|remotely|two\s+jobs|shifts?)\b",
        r"\b(?:someone|somebody|a\s+(?:friend|colleague|coworker))\s+(?:at|from)\s+work\b[^.!?;,]{0,60}",
        r"\bmy\s+(?:employer|job|work|company)\s+(?:pays|does\s+direct\s+deposit|deposits)\b[^.!?;,]{0,60}|"
        r"\b(?:payday|paycheck|pay\s+cheque|paid)\b[^.!?;,]{0,60}",
        r"\b(?:not|never)\s+(?:asking|saying|telling|requesting)\b[^.!?;,]{0,60}",
    ),
    "dispute": (r"\b(?:i'?m|i\s+am)\s+not\s+(?:disputing|contesting)\b[^.!?;,]{0,60}|\bi\s+know\s+i\s+owe\b",),
}
_BENIGN_COMPILED: Final = compile_phrase_families(_BENIGN)


def benign_spans(kind: str, text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that use ``kind``'s vocabulary benignly (an idiom, someone else's lawyer, a time limit).

    Args:
        kind: One of :data:`RIGHTS_KINDS`.
        text: The client's message.

    Returns:
        ``(start, end)`` offsets, in order; empty when there is none.
    """
    normalised = text.translate(_QUOTES)
    return phrase_spans(_BENIGN_COMPILED, kind, normalised)


_REASONS: Final[dict[str, str]] = {
    "crisis": "The client may be at risk of self-harm; their safety comes before any negotiation.",
    "cease_contact": "The client asked us to stop contacting them (FDCPA §1692c(c)).",
    "attorney": "The client has an attorney; we must communicate with the attorney instead (FDCPA §1692c(a)(2)).",
    "dispute": "The client disputes the debt; collection of the disputed amount pauses until it is verified (§1692g).",
    "no_work_contact": "The client cannot be contacted at work (FDCPA §1692c(a)(3)).",
    "client_threat": "The client threatened harm to someone; set a calm boundary (this does not end the negotiation).",
}

_COMPILED: Final = compile_phrase_families(_PATTERNS)

# Curly quotes are the same length as straight ones, so spans into the normalised text are spans into the original.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _clause_prefix(text: str, start: int) -> str:
    """The text from the start of the match's sentence up to the match."""
    boundary = max(text.rfind(mark, 0, start) for mark in ".!?;")
    return text[boundary + 1 : start]


def _is_denied(kind: str, text: str, match: re.Match[str]) -> bool:
    prefix = _clause_prefix(text, match.start()).lower()
    word = match.group(0).lower()
    if kind == "dispute" and word.startswith("disput") and _DENIED_VERB.search(prefix):
        return True  # "I'm not disputing", "no dispute", "I don't want to dispute it"
    if kind == "attorney" and _DENIABLE_ATTORNEY.match(word) and _DENIED_VERB.search(prefix):
        return True  # "I haven't hired a lawyer", "I never retained counsel"
    if kind == "crisis":
        return bool(_DENIABLE_CRISIS.match(match.group(0).lower()) and _DENIED_CRISIS.search(prefix))
    if kind in ("cease_contact", "no_work_contact", "dispute", "attorney"):
        return bool(_DENIED_REQUEST.search(prefix))
    return False


def _first_match(kind: str, text: str) -> re.Match[str] | None:
    matches = [m for pattern in _COMPILED[kind] for m in pattern.finditer(text) if not _is_denied(kind, text, m)]
    return min(matches, key=lambda m: m.start(), default=None)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def detect_rights(text: str, model: RightsModel | None = None) -> list[RightsEvent]:
    """Find rights and vulnerability signals with the rules and, when given, the model.

    A kind is reported when either layer finds it: rules events first (with the matched words), then a model event
    for each kind the rules missed (with its score and the sentence that scored highest). The rules never overrule
    the model: a paraphrase the patterns miss still escalates.

    Args:
        text: The client's message.
        model: The learned layer, or ``None`` for the rules alone.

    Returns:
        The events, in order of position within each layer.
    """
    events = detect_rights_events(text)
    if model is None:
        return events
    found = {event.kind for event in events}
    thresholds = model.rights_thresholds
    best: dict[str, tuple[float, tuple[int, int]]] = {}
    for span, scores in model.rights_scores(text):
        for kind, score in scores.items():
            if score >= thresholds.get(kind, 0.5) and score > best.get(kind, (-1.0, span))[0]:
                best[kind] = (score, span)
    for kind in RIGHTS_KINDS:
        if kind in best and kind not in found:
            score, span = best[kind]
            reason = f"{_REASONS[kind]} (read by the model, probability {score:.2f})"
            benign = benign_spans(kind, text)
            if benign:
                # Read again without the benign words: the model must see the signal in what is left.
                rest = without_spans(text, benign)
                score = max((s.get(kind, 0.0) for _, s in model.rights_scores(rest)), default=0.0) if rest else 0.0
                if score < thresholds.get(kind, 0.5):
                    continue
                reason = (
                    f"{_REASONS[kind]} (read by the model, probability {score:.2f} with "
                    f"{', '.join(repr(text[a:b]) for a, b in benign)} set aside)"
                )
            events.append(RightsEvent(kind, span, reason, layer="model", score=score))
    return events


def detect_rights_events(text: str) -> list[RightsEvent]:
    """Find rights and vulnerability signals in a client message with the word rules alone.

    Args:
        text: The client's message.

    Returns:
        At most one event per kind, ordered by where it appears in ``text``; empty when there is none.
    """
    normalised = text.translate(_QUOTES)
    found: dict[RightsKind, tuple[int, int]] = {}
    for kind in RIGHTS_KINDS:
        match = _first_match(kind, normalised)
        if match is not None:
            found[kind] = match.span()
    # "Stop calling me at work" also reads as a cease request; the workplace request is the narrower, truer one.
    if (
        "cease_contact" in found
        and "no_work_contact" in found
        and _overlaps(found["cease_contact"], found["no_work_contact"])
    ):
        del found["cease_contact"]
    events = [RightsEvent(kind, span, _REASONS[kind]) for kind, span in found.items()]
    return sorted(events, key=lambda event: event.span)


def escalates(events: Iterable[RightsEvent]) -> bool:
    """Whether any of ``events`` stops the negotiation and hands the dialogue to a person."""
    return any(event.escalates for event in events)


def appropriate_reply(event: RightsEvent, scenario: Scenario) -> str:
    """A fixed, careful reply to a rights event. None of them asks for payment or mentions terms.

    Args:
        event: The event to answer (for several, answer the most serious; see :func:`most_serious`).
        scenario: The case, for the creditor's name.

    Returns:
        The reply text.
    """
    creditor = scenario.creditor
    replies: dict[str, str] = {
        "crisis": (
            "I'm really sorry you're feeling this way, and I'm glad you told me. Your safety matters far more than "
            "this conversation. If you are in immediate danger, please call 911 or your local emergency number. If "
            "you are in the U.S., you can call or text 988 to reach the 988 Suicide & Crisis Lifeline, free and "
            "confidential, at any time; elsewhere, please contact your local crisis line. I'm stopping this "
            "conversation here, and nothing else needs your attention from us right now."
        ),
        "cease_contact": (
            f"Understood. We have recorded your request, and {creditor} will stop contacting you about this debt, "
            "except where the law allows, such as a written notice confirming this or telling you about a specific "
            "step we are required to notify you of. If you have not already, you can also send this request to us "
            "in writing."
        ),
        "attorney": (
            "Thank you for letting us know. Please share your attorney's name and contact details (phone or email), "
            f"and from now on {creditor} will communicate with your attorney about this debt rather than with you."
        ),
        "dispute": (
            f"Thank you for telling us. We have recorded that you dispute this debt. {creditor} will send you "
            "verification of the debt, and we will pause collection of the disputed amount until we have done so. "
            "A member of our team will follow up in writing."
        ),
        "no_work_contact": (
            "Understood. We have noted that you can't take our calls at work, and we will not contact you at your "
            "workplace. A member of our team will confirm a better way and time to reach you."
        ),
        "client_threat": (
            "I want to keep this conversation safe and respectful for both of us, and I can't continue if there are "
            "threats of harm. If you would like to carry on calmly, I'm here, or we can continue in writing."
        ),
    }
    return replies[event.kind]


_SEVERITY: Final[tuple[str, ...]] = (
    "crisis",
    "attorney",
    "cease_contact",
    "dispute",
    "no_work_contact",
    "client_threat",
)
"""Most serious first: safety, then who we may talk to at all, then what we may do."""


def most_serious(events: Iterable[RightsEvent]) -> RightsEvent | None:
    """The event to answer first: crisis, then attorney, cease, dispute, work contact, threat; ``None`` if none."""
    return min(events, key=lambda event: _SEVERITY.index(event.kind), default=None)
