"""The offer parser: gold-set accuracy, each tricky category, the input contract, and the optional LLM extractor."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from pydantic import Field

from eq_negotiator.negotiation.offers import (
    ACTS,
    Act,
    LLMOfferExtractor,
    Offer,
    OfferExtraction,
    OfferExtractionError,
    OfferParser,
    RuleOfferParser,
    parse_offer,
    states_offer,
)
from tests.unit.graph.fakes import ScriptedChatModel

GOLD = Path(__file__).with_name("offer_gold.jsonl")
GOLD_KEYS = {"text", "speaker", "standing_offer_days", "days", "act", "amount"}


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def gold_accuracy(path: Path = GOLD, parser: OfferParser | None = None) -> tuple[float, list[str]]:
    """Share of gold messages whose days AND act both match, and a line per failure."""
    parser = parser or RuleOfferParser()
    rows = load_gold(path)
    failures = []
    for row in rows:
        offer = parser.parse(row["text"], speaker=row["speaker"], standing_offer_days=row["standing_offer_days"])
        if (offer.days, offer.act) != (row["days"], row["act"]):
            failures.append(
                f"{row['text']!r} ({row['speaker']}, standing {row['standing_offer_days']}): "
                f"expected {row['days']}/{row['act']}, got {offer.days}/{offer.act}"
            )
    return 1 - len(failures) / len(rows), failures


# --------------------------------------------------------------------------------------------------------------
# Gold set
# --------------------------------------------------------------------------------------------------------------


def test_gold_set_is_well_formed_and_varied() -> None:
    rows = load_gold()
    assert len(rows) >= 150
    for row in rows:
        assert set(row) == GOLD_KEYS, row
        assert isinstance(row["text"], str) and row["text"].strip()
        assert row["speaker"] in ("creditor", "debtor")
        assert row["act"] in ACTS
        assert row["days"] is None or (isinstance(row["days"], int) and row["days"] > 0)
        assert row["standing_offer_days"] is None or isinstance(row["standing_offer_days"], int)
        assert row["amount"] is None or isinstance(row["amount"], float)
        if row["act"] in ("reject", "other"):
            assert row["days"] is None, row  # the labelling rule the parser documents
    keys = [(r["text"], r["speaker"], r["standing_offer_days"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate gold rows"
    acts = Counter(r["act"] for r in rows)
    assert all(acts[act] >= 20 for act in ACTS), acts
    assert Counter(r["speaker"] for r in rows)["creditor"] >= 30


def test_gold_accuracy_is_at_least_97_percent() -> None:
    accuracy, failures = gold_accuracy()
    print(f"offer parser gold accuracy: {accuracy:.4f} ({len(failures)} failures)")
    assert accuracy >= 0.97, f"accuracy {accuracy:.4f}; failures:\n" + "\n".join(failures)


def test_gold_amounts() -> None:
    rows = load_gold()
    wrong = [
        f"{r['text']!r}: expected {r['amount']}, got {offer.amount}"
        for r in rows
        if (offer := parse_offer(r["text"], speaker=r["speaker"], standing_offer_days=r["standing_offer_days"])).amount
        != r["amount"]
    ]
    assert len(wrong) / len(rows) <= 0.03, "\n".join(wrong)


def test_gold_accuracy_counts_failures() -> None:
    class AlwaysOther(OfferParser):
        def _parse(self, text: str, speaker: Any, standing_offer_days: int | None) -> Offer:
            return Offer(None, "other")

    accuracy, failures = gold_accuracy(parser=AlwaysOther())
    expected_right = sum(1 for r in load_gold() if r["days"] is None and r["act"] == "other")
    assert accuracy == pytest.approx(expected_right / len(load_gold()))
    assert len(failures) == len(load_gold()) - expected_right


# --------------------------------------------------------------------------------------------------------------
# Categories (messages not in the gold set)
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I need thirty-five days", 35),
        ("how about eighty five days", 85),
        ("one hundred and fifty days please", 150),
        ("a hundred days", 100),
        ("give me three weeks", 21),
        ("i need nine months", 270),
        ("two quarters", 180),
        ("two years", 730),
        ("a week and a half", 11),  # 10.5 rounds half up
        ("a year and a half", 545),  # a year plus six months
        ("half a month", 15),
        ("one month and 5 days", 35),
        ("3 wks", 21),
        ("2 mths", 60),
        ("45-day plan", 45),
        ("7days", 7),
    ],
)
def test_numbers_and_units(text: str, days: int) -> None:
    assert parse_offer(text).days == days


@pytest.mark.parametrize(
    ("text", "speaker", "days"),
    [
        ("30 to 60 days", "debtor", 30),
        ("30 to 60 days", "creditor", 60),
        ("between 2 and 3 months", "debtor", 60),
        ("between 2 and 3 months", "creditor", 90),
        ("50 or 70 days", "debtor", 50),
        ("50 or 70 days", "creditor", 70),
        ("40–50 days", "creditor", 50),
        ("we can go from 20 to 35 days", "creditor", 35),
    ],
)
def test_ranges_give_the_listeners_bound(text: str, speaker: Any, days: int) -> None:
    offer = parse_offer(text, speaker=speaker)
    assert (offer.days, offer.act) == (days, "propose")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I can't do 20, maybe 35?", 35),
        ("not 20 days. 40 maybe", 40),
        ("20 days won't work, 45 might", 45),
        ("I can't manage 25 days... how about 50 days?", 50),
        ("I cannot pay sooner than 80 days", 80),  # a comparative: the negation bears on "sooner", not on 80
    ],
)
def test_hedged_counters_and_negated_numbers(text: str, days: int) -> None:
    offer = parse_offer(text, standing_offer_days=20)
    assert (offer.days, offer.act) == (days, "propose")


@pytest.mark.parametrize(
    ("text", "speaker", "days"),
    [
        ("you said 20 days, I can do 50", "debtor", 50),
        ("Your offer of 20 days is too short. 70 days.", "debtor", 70),
        ("rather than 20 days, could we say 65?", "debtor", 65),
        ("you're asking for 150 days; we can offer 50", "creditor", 50),
        ("The client wants 200 days, but we can give 60 days", "creditor", 60),
    ],
)
def test_quoted_numbers_are_not_the_offer(text: str, speaker: Any, days: int) -> None:
    offer = parse_offer(text, speaker=speaker, standing_offer_days=20 if speaker == "debtor" else 150)
    assert (offer.days, offer.act) == (days, "propose")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("I can pay $75 today", 75.0),
        ("I can send €40 a week", 40.0),
        ("how about 300 dollars a month", 300.0),
        ("I can pay 250 now", 250.0),
        ("we'd settle for $1,500", 1500.0),
        ("I can do $2k", 2000.0),
    ],
)
def test_money_is_an_amount_not_a_timeline(text: str, amount: float) -> None:
    offer = parse_offer(text)
    assert (offer.days, offer.act, offer.amount) == (None, "propose", amount)


@pytest.mark.parametrize(
    "text",
    [
        "ring me at 7",
        "I'm free after 4",
        "I get paid on the 28th",
        "my payday is 11/30",
        "call at 9:15",
        "I'll call you at 10am",
        "we spoke on June 3",
        "interest went up 15%",
        "it's 12 percent APR",
        "my account number is 99812-77",
        "my cell is 202 555 0143",
        "acct #4410",
        "ref: 55310",
        "I have 4 kids",
        "I called 5 times",
        "I'm 60",
        "I was laid off 2 months ago",
        "I have been sick for 3 weeks",
        "the balance is 90 days overdue",
        "I get paid every two weeks",
        "",
        "   ",
    ],
)
def test_numbers_that_are_not_terms(text: str) -> None:
    offer = parse_offer(text)
    assert (offer.days, offer.act) == (None, "other")


@pytest.mark.parametrize(
    ("text", "standing", "days", "act"),
    [
        ("ok", 40, 40, "accept"),
        ("yes.", None, None, "accept"),
        ("I agree", 75, 75, "accept"),
        ("deal, thanks", 50, 50, "accept"),
        ("that works", 30, 30, "accept"),
        ("sounds fair, 40 days", 40, 40, "accept"),
        ("sounds fair, 40 days", None, 40, "accept"),
        ("sounds fair, 40 days", 30, 40, "propose"),  # an acceptance of a number not on the table counters it
        ("40 days", 40, 40, "accept"),  # naming exactly the standing offer accepts it
        ("we accept your 80 days", None, 80, "accept"),
        ("would 40 days work?", None, 40, "propose"),  # a question does not accept
        ("ok, but 60 days", None, 60, "propose"),  # the "but" counter withdraws the acceptance
        ("I'd agree to 55 days", None, 55, "propose"),
    ],
)
def test_acceptance(text: str, standing: int | None, days: int | None, act: str) -> None:
    offer = parse_offer(text, standing_offer_days=standing)
    assert (offer.days, offer.act) == (days, act)


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "Nope, not doing that",
        "that is not acceptable to me",
        "I won't pay",
        "I refuse.",
        "I can't afford it",
        "hell no",
        "I don't agree",
        "15 days is absurd",
        "we cannot approve 200 days",
        "no deal",
        "that doesn't work",
        "No, that's not something I can accept.",
        "That is nothing we could agree to.",
    ],
)
def test_rejection_without_counter(text: str) -> None:
    assert parse_offer(text, standing_offer_days=15) == Offer(None, "reject")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("no, 80 days", 80),
        ("not acceptable. I need 100 days", 100),
        ("I refuse 15 days, give me 45", 45),
    ],
)
def test_rejection_with_counter_is_a_proposal(text: str, days: int) -> None:
    offer = parse_offer(text, standing_offer_days=15)
    assert (offer.days, offer.act) == (days, "propose")


@pytest.mark.parametrize(
    ("text", "days", "act"),
    [
        ("We can offer 50 days.", 50, "propose"),
        ("We can give you until 40 days, no longer.", 40, "propose"),
        ("We're happy with 70 days.", 70, "accept"),
        ("We can't stretch past 60 days", 60, "propose"),
        ("Unfortunately we cannot agree to 70 days.", None, "reject"),
        ("Your account is 120 days late.", None, "other"),
    ],
)
def test_creditor_messages(text: str, days: int | None, act: str) -> None:
    offer = parse_offer(text, speaker="creditor", standing_offer_days=70)
    assert (offer.days, offer.act) == (days, act)


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("Thirty days!? You must be joking", "reject"),
        ("30 days?", "other"),
        ("would 30 days work?", "other"),
    ],
)
def test_a_question_repeating_the_standing_offer_is_an_echo_not_an_acceptance(text: str, act: Act) -> None:
    assert parse_offer(text, standing_offer_days=30) == Offer(None, act)


def test_relative_extensions_are_not_read_as_a_number_of_days() -> None:
    # "two more weeks" is relative to the standing offer; the parser does not resolve it, and must not say 2 days.
    assert parse_offer("give me two more weeks", standing_offer_days=30) == Offer(None, "other")


def test_instalments_are_counted_not_read_as_days() -> None:
    offer = parse_offer("can I do 5 monthly payments of $120?")
    assert (offer.days, offer.act, offer.instalments, offer.amount) == (None, "propose", 5, 120.0)
    offer = parse_offer("6 instalments over 3 months")
    assert (offer.days, offer.instalments) == (90, 6)


def test_amount_and_timeline_together() -> None:
    offer = parse_offer("I can pay $400 a month for 5 months")
    assert (offer.days, offer.act, offer.amount) == (150, "propose", 400.0)


def test_span_names_the_words_read() -> None:
    assert parse_offer("Fine. Ninety days, then.", standing_offer_days=30).span == "Ninety days"
    assert parse_offer("deal", standing_offer_days=30).span is None


def test_speaker_only_moves_range_bounds() -> None:
    assert parse_offer("I need 45 days", speaker="creditor") == parse_offer("I need 45 days", speaker="debtor")


def test_deterministic() -> None:
    texts = [row["text"] for row in load_gold()]
    assert [parse_offer(t) for t in texts] == [parse_offer(t) for t in texts]


# --------------------------------------------------------------------------------------------------------------
# Contract
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, 42, b"60 days", ["60 days"]])
def test_non_string_is_a_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        parse_offer(bad)


@pytest.mark.parametrize("text", ["", " ", "\n\t"])
def test_empty_is_other(text: str) -> None:
    assert parse_offer(text, standing_offer_days=30) == Offer(None, "other")


def test_argument_checks() -> None:
    with pytest.raises(ValueError, match="speaker"):
        parse_offer("60 days", speaker="agent")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="standing_offer_days"):
        parse_offer("60 days", standing_offer_days=True)
    with pytest.raises(TypeError, match="standing_offer_days"):
        parse_offer("60 days", standing_offer_days="30")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        parse_offer("60 days", standing_offer_days=-1)


def test_offer_is_frozen_and_json_safe() -> None:
    offer = parse_offer("I can pay $50 a week for 2 months", standing_offer_days=30)
    with pytest.raises(dataclasses.FrozenInstanceError):
        offer.days = 1  # type: ignore[misc]
    data = offer.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "days": 60,
        "act": "propose",
        "amount": 50.0,
        "instalments": None,
        "span": "2 months",
        "basis": None,
        "pay_date": None,
        "doubt": None,
        "note": None,
    }


def test_long_timelines_are_capped() -> None:
    assert parse_offer("I need 40 years").days == 3650


# --------------------------------------------------------------------------------------------------------------
# states_offer
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "expected"),
    [
        ("We can offer you 60 days to repay.", 60, True),
        ("I hear you. Your 120 days is too long, but 60 days works for us.", 60, True),
        ("Two months is what we can do.", 60, True),
        ("We can offer 60 days, or 75 days with autopay.", 60, False),
        ("We can offer 45 days.", 60, False),
        ("Let's talk about your plan.", 60, False),
        ("Your account is 45 days past due; we can offer 60 days.", 60, True),
    ],
)
def test_states_offer(text: str, days: int, expected: bool) -> None:
    assert states_offer(text, days) is expected


# --------------------------------------------------------------------------------------------------------------
# LLM extractor, with a fake tool-calling chat model
# --------------------------------------------------------------------------------------------------------------


class ToolCallingFake(ScriptedChatModel):
    """The scripted fake, recording the tools it was bound to (its structured output is tool calling)."""

    bound: list[Any] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        self.bound.extend(tools)
        return self


def tool_reply(**args: Any) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": "OfferExtraction", "args": args, "id": "call-1"}])


def test_llm_extractor_returns_the_models_structured_answer() -> None:
    model = ToolCallingFake(replies=[tool_reply(days=75, act="propose", amount=100.0)])
    extractor = LLMOfferExtractor(model)
    assert isinstance(extractor, OfferParser)
    offer = extractor.parse("thirty is a no from me, seventy-five?", speaker="debtor", standing_offer_days=30)
    assert offer == Offer(75, "propose", 100.0)
    assert model.bound == [OfferExtraction]
    system, human = model.seen[0]
    assert "repayment timeline" in system.text
    assert "Speaker: debtor" in human.text and "30 days" in human.text and "seventy-five" in human.text


def test_llm_extractor_fills_in_the_standing_offer_and_clears_reject_days() -> None:
    model = ToolCallingFake(replies=[tool_reply(act="accept"), tool_reply(days=30, act="reject")])
    extractor = LLMOfferExtractor(model)
    assert extractor.parse("fine", standing_offer_days=45) == Offer(45, "accept")
    assert extractor.parse("30? never", standing_offer_days=30) == Offer(None, "reject")


@pytest.mark.parametrize(
    "reply",
    [
        tool_reply(days="sixty", act="propose"),
        tool_reply(days=60, act="haggle"),
        tool_reply(days=-5, act="propose"),
        AIMessage(content="I think they propose 60 days."),  # prose instead of a tool call
    ],
)
def test_llm_extractor_rejects_malformed_answers(reply: AIMessage) -> None:
    extractor = LLMOfferExtractor(ToolCallingFake(replies=[reply]))
    with pytest.raises(OfferExtractionError):
        extractor.parse("60 days")


def test_llm_extractor_skips_the_model_for_empty_text_and_checks_input() -> None:
    model = ToolCallingFake()
    extractor = LLMOfferExtractor(model)
    assert extractor.parse("  ") == Offer(None, "other")
    with pytest.raises(TypeError):
        extractor.parse(None)  # type: ignore[arg-type]
    assert model.calls == []


def test_llm_extractor_needs_structured_output_support() -> None:
    with pytest.raises(OfferExtractionError, match="structured output"):
        LLMOfferExtractor(ScriptedChatModel())  # no tool calling, and no script: it is never called


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Nothing on the table yet: a timeline asked about and then refused is an echo of the creditor's, not a deal.
        ("Thirty days? That's impossible. You people always want everything at once!", Offer(None, "reject")),
        ("30 days?? No way.", Offer(None, "reject")),
        # Asked about without a refusal, it is still the client's proposal.
        ("Could you do 60 days?", Offer(60, "propose", span="60 days")),
        ("60 days? Sure, that works.", Offer(60, "accept", span="60 days")),
    ],
)
def test_question_then_refusal_with_no_standing_offer(text: str, expected: Offer) -> None:
    assert parse_offer(text, standing_offer_days=None) == expected


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("Great, this is really helpful.", "other"),  # thanks for an explanation, not a deal
        ("Perfect, that explains the fees.", "other"),
        ("Great!", "accept"),
        ("Perfect, thanks.", "accept"),
        ("Great, we're in agreement then.", "accept"),
        ("Ok, this is fine.", "accept"),
    ],
)
def test_enthusiasm_alone_opening_a_longer_message_accepts_nothing(text: str, act: str) -> None:
    assert parse_offer(text, standing_offer_days=60).act == act
