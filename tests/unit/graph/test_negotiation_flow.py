"""The negotiation layer end to end through the graph: offers, agreement, progress, the guard and escalation.

Every expectation here is worked out by hand from the rules, not read back from a run:

- The default scenario: creditor target 30 days, authorised limit 90, balance USD 4,850.00, client Alex Morgan.
- The linear curve with the default 15 rounds: ``offer(t) = 30 + 60 * t / 14`` in round ``k`` (the client's
  ``k``-th message; rounds are turns), with ``t = k - 1``, rounded half up: 30, 34.29 -> 34, 38.57 -> 39,
  42.86 -> 43, 47.14 -> 47. With ``max_rounds=3`` it is ``30 + 60 * t / 2``: 30, 60, 90.
- The ``vanilla`` policy keeps no belief, so the emotional time factor is exactly 1 and the numbers above hold;
  the default ``eq`` policy's belief bends time within bounds, which a separate test recomputes from state.
- The creditor accepts a client ask up to 5 days above its own offer for the round; a client ask within 5 days of
  the creditor's standing offer is an agreement on the client's figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command

from eq_negotiator.dialogue import DialogueClosedError
from eq_negotiator.graph import Context, build_graph
from eq_negotiator.graph.builder import make_builder
from eq_negotiator.graph.services import Services, policy_namespace
from eq_negotiator.graph.session import EscalatedError, Negotiator, open_negotiator
from eq_negotiator.negotiation.concession import ConcessionConfig, ConcessionStrategy
from eq_negotiator.negotiation.guard import ComplianceGuard, safe_template
from eq_negotiator.negotiation.offers import states_offer
from eq_negotiator.negotiation.rights import RightsEvent, appropriate_reply, detect_rights_events, most_serious
from eq_negotiator.nodes.check_compliance import DISCLOSURE
from eq_negotiator.reasoning import Policy
from eq_negotiator.responders.offline import AGREED, ENDED
from eq_negotiator.scenario import Scenario
from eq_negotiator.sensing import EmotionSensor
from tests.unit.graph.fakes import ScriptedChatModel, keyword_sensor, say

SCENARIO = Scenario()
TARGET, LIMIT = SCENARIO.creditor_target_days, SCENARIO.authorised_limit_days
OPENER = "Hello, I got your letter about the balance."
VIOLATING = "Pay now or we will have you arrested. We can offer 30 days."
CLEAN_30 = "We can offer a plan of 30 days for the balance. Would that work for you?"
DAYS = re.compile(r"\b\d+\s*-?\s*days?\b", re.IGNORECASE)

# One message per escalating kind, each checked against negotiation.rights by test_escalation_messages_are_detected.
RIGHTS_MESSAGES: dict[str, str] = {
    "crisis": "Honestly I just want to end it all.",
    "cease_contact": "Please stop calling me.",
    "attorney": "Talk to my lawyer from now on.",
    "dispute": "This is not my debt.",
    "no_work_contact": "Don't call me at work, my boss is listening.",
}


def negotiator(
    *,
    model: ScriptedChatModel | None = None,
    sensor: EmotionSensor | None = None,
    **settings: Any,
) -> Negotiator:
    """A negotiator over in-memory checkpoints and store; ``settings`` are :class:`Context` fields."""
    return open_negotiator("memory", context=Context(**settings), sensor=sensor or keyword_sensor(), model=model)


def offer_days(n: Negotiator, thread_id: str) -> int:
    return int(n.state(thread_id)["offer"]["days"])


def ai_texts(n: Negotiator, thread_id: str) -> list[str]:
    return [m.text for m in n.state(thread_id)["messages"] if isinstance(m, AIMessage)]


def formatted(phrases: Sequence[str], days: int) -> set[str]:
    values = {"first": "Alex", "creditor": SCENARIO.creditor, "balance": SCENARIO.balance_text(), "days": days}
    return {phrase.format(**values) for phrase in phrases}


# ----------------------------------------------------------------------------------------------------------------
# Offers


def test_the_client_offer_is_parsed_and_the_creditor_follows_the_linear_curve() -> None:
    n = negotiator(policy="vanilla")
    offers, client_offers, checks = [], [], []
    for _ in range(5):
        result = n.send("curve", "I can do 120 days")
        state = n.state("curve")
        offers.append(result.offer["days"] if result.offer else None)
        client_offers.append(result.client_offer)
        checks.append(state["draft"]["offer_check"])
        assert result.status == "ongoing"
        assert states_offer(result.reply, offers[-1] or 0), result.reply
    assert offers == [30, 34, 39, 43, 47]
    assert all(c is not None and c["days"] == 120 and c["act"] == "propose" for c in client_offers)
    assert [o["days"] for o in n.state("curve")["offers"]] == offers
    assert [o["round"] for o in n.state("curve")["offers"]] == [1, 2, 3, 4, 5]
    assert [o["days"] for o in n.state("curve")["client_offers"]] == [120] * 5
    assert checks == ["stated"] * 5  # the offline responder states the offer it is given


def test_offers_under_the_emotional_policy_recompute_from_state_and_never_decrease() -> None:
    n = negotiator()  # the default eq policy: its belief stretches or slows time within bounds
    messages = [OPENER, "I am furious, this is unfair! 150 days.", "I lost my job, I'm so sad.", "100 days?", "no"]
    for text in messages:
        n.send("eq", text)
    state = n.state("eq")
    offers = [o["days"] for o in state["offers"]]
    strategy = ConcessionStrategy(SCENARIO, ConcessionConfig(curve="linear", max_rounds=15))
    expected, previous = [], None
    for turn in range(1, len(messages) + 1):
        # The creditor's offer follows this turn's belief (answer_offer runs after select_strategy); rounds are turns.
        belief = state["decisions"][turn - 1]["belief"]
        assert belief, "the eq policy keeps a belief from the first turn on"
        plan = strategy.offer_for_round(turn, belief, previous_offer=previous)
        previous = plan.days
        expected.append(plan.to_dict())
    assert offers == [plan["days"] for plan in expected]
    assert [o["round"] for o in state["offers"]] == [plan["round"] for plan in expected] == [1, 2, 3, 4, 5]
    assert [o["reason"] for o in state["offers"]] == [plan["reason"] for plan in expected]
    assert all(o["reason"].startswith(f"Round {o['round']}:") for o in state["offers"])
    assert all(TARGET <= days <= LIMIT for days in offers)
    assert offers == sorted(offers)


def test_the_offer_reason_follows_this_turns_belief_not_the_last_ones() -> None:
    n = negotiator()  # eq policy: sad -> belief leans distressed; furious -> confrontational
    results = [n.send("belief", text) for text in ("I lost my job, I'm so sad.", "I am furious! This is a scam.")]
    leaning = [max(result.belief, key=result.belief.__getitem__) for result in results]
    assert leaning == ["distressed", "confrontational"]
    reasons = [result.offer["reason"] for result in results if result.offer]
    assert len(reasons) == 2
    assert reasons[0].startswith("Round 1:") and "for a client who seems distressed" in reasons[0]
    assert reasons[1].startswith("Round 2:") and "for a client who seems confrontational or strategic" in reasons[1]
    # The shares the reason quotes are this turn's belief, the one shown beside it.
    for result, reason in zip(results, reasons, strict=True):
        hostile = result.belief["confrontational"] + result.belief["strategic"]
        assert f": distressed {result.belief['distressed']:.2f}, confrontational or strategic {hostile:.2f})" in reason


def test_the_same_dialogue_gives_the_same_numbers() -> None:
    script = [OPENER, "I need 120 days", "I am angry. 110 days", "What about 95 days?"]

    def run(thread_id: str) -> list[Any]:
        n = negotiator()
        for text in script:
            n.send(thread_id, text)
        state = n.state(thread_id)
        return [state["offers"], state["client_offers"], state["progress"]]

    assert run("a") == run("a") == run("b")


def test_a_model_that_states_other_days_is_redrafted_then_replaced_by_the_template() -> None:
    model = ScriptedChatModel(replies=["We can offer 10 days.", "Fine: we can offer 10 days."])
    n = negotiator(model=model)
    result = n.send("wrong-days", "I can do 120 days")
    state = n.state("wrong-days")
    assert result.offer is not None and result.offer["days"] == 30
    assert result.reply == safe_template(SCENARIO, 30)
    assert states_offer(result.reply, 30) and "10 days" not in result.reply
    assert state["draft"]["offer_check"] == "template" and state["draft"]["days"] == 30
    assert len(model.calls) == 2  # one draft, one redraft, then the template (which the guard passes)
    feedback = model.calls[1]["messages"][-1]
    assert isinstance(feedback, SystemMessage) and "exactly 30 days" in feedback.text
    assert "State exactly 30 days" in model.calls[0]["messages"][0].text  # the prompt gave it the number
    assert result.guard is not None and result.guard["action"] == "passed"


def test_a_model_that_states_other_days_once_is_redrafted() -> None:
    model = ScriptedChatModel(replies=["We can offer 10 days.", CLEAN_30])
    n = negotiator(model=model)
    result = n.send("redraft", "I can do 120 days")
    assert result.reply == CLEAN_30
    assert n.state("redraft")["draft"]["offer_check"] == "redrafted"
    assert len(model.calls) == 2


def test_a_model_that_states_the_offer_is_sent_as_written() -> None:
    model = ScriptedChatModel(replies=[CLEAN_30])
    n = negotiator(model=model)
    result = n.send("stated", "I can do 120 days")
    assert result.reply == CLEAN_30
    assert n.state("stated")["draft"]["offer_check"] == "stated"
    assert len(model.calls) == 1


# ----------------------------------------------------------------------------------------------------------------
# Agreement, breakdown, round limit


def test_the_client_accepting_the_standing_offer_agrees_closes_and_teaches_the_policy() -> None:
    n = negotiator()
    n.send("deal", OPENER)
    assert offer_days(n, "deal") == 30
    result = n.send("deal", "ok, 30 days works for me")
    state = n.state("deal")
    assert result.client_offer is not None and result.client_offer["act"] == "accept"
    assert result.agreement is not None
    assert result.agreement["days"] == 30
    assert result.agreement["closed_by"] == "client"
    assert result.agreement["round"] == 2
    assert result.status == "agreed"
    assert result.reply in formatted(AGREED, 30)  # confirms the agreement, no new terms
    assert states_offer(result.reply, 30)
    assert state["closed"] is True
    assert state["outcome"]["status"] == "agreed"
    store = n.graph.store
    assert store is not None and store.get(policy_namespace("default"), "eq") is not None
    with pytest.raises(DialogueClosedError, match="has ended"):
        n.send("deal", "one more thing")
    assert len(n.state("deal")["messages"]) == 4


def test_a_client_ask_within_tolerance_of_the_creditors_new_offer_is_accepted_by_the_creditor() -> None:
    n = negotiator(policy="vanilla")
    n.send("creditor-accepts", OPENER)  # offer 30
    # 38 is 8 days above the standing 30 (no agreement by tolerance), but within 5 of this round's offer of 34.
    result = n.send("creditor-accepts", "I can do 38 days")
    assert result.agreement is not None
    assert result.agreement["days"] == 38
    assert result.agreement["closed_by"] == "creditor"
    # The summary is what the client is told: never the creditor's unspoken 34 for this round (kept in the record).
    assert result.agreement["summary"] == "Agreed on 38 days in round 2; the creditor accepted the client's offer."
    assert "34" not in result.agreement["summary"]
    plan = n.state("creditor-accepts")["outcome"]["creditor_plan"]
    assert (plan["round"], plan["days"]) == (2, 34)
    assert result.status == "agreed"
    assert result.reply in formatted(AGREED, 38)
    assert n.state("creditor-accepts")["closed"] is True


def test_a_client_ask_within_tolerance_of_the_standing_offer_is_an_agreement_by_the_client() -> None:
    n = negotiator(policy="vanilla")
    n.send("client-close", OPENER)
    result = n.send("client-close", "I can do 35 days")
    assert result.agreement is not None and result.agreement["days"] == 35
    assert result.agreement["closed_by"] == "client"


def test_a_client_ask_beyond_tolerance_is_countered() -> None:
    n = negotiator(policy="vanilla")
    n.send("counter", OPENER)
    result = n.send("counter", "I can do 40 days")  # above 34 + 5
    assert result.agreement is None and result.status == "ongoing"
    assert result.offer is not None and result.offer["days"] == 34


def test_the_round_limit_ends_the_negotiation_with_the_final_offer() -> None:
    n = negotiator(policy="vanilla", max_rounds=3)
    statuses, offers = [], []
    for _ in range(3):
        result = n.send("limit", "I need 120 days")
        statuses.append(n.state("limit")["status"])
        offers.append(result.offer["days"] if result.offer else None)
    assert statuses == ["ongoing", "ongoing", "max_rounds"]
    assert offers == [30, 60, 90]  # the linear curve reaches the authorised limit in the last round
    assert result.agreement is None
    assert result.reply in formatted(ENDED, 90)
    state = n.state("limit")
    assert state["closed"] is True and "maximum of 3 rounds" in state["outcome"]["sentence"]
    with pytest.raises(DialogueClosedError):
        n.send("limit", "ok fine, 90 days")


def test_three_rejections_in_a_row_break_the_negotiation_down() -> None:
    n = negotiator(policy="vanilla")
    n.send("breakdown", OPENER)
    statuses = []
    for text in ("no", "no way", "not happening"):
        n.send("breakdown", text)
        statuses.append(n.state("breakdown")["status"])
    assert statuses == ["ongoing", "ongoing", "breakdown"]
    state = n.state("breakdown")
    assert state["outcome"]["consecutive_rejections"] == 3
    assert state["outcome"]["closed_by"] == "client"
    assert state["closed"] is True
    assert ai_texts(n, "breakdown")[-1] in formatted(ENDED, offer_days(n, "breakdown"))
    with pytest.raises(DialogueClosedError):
        n.send("breakdown", "wait, 60 days?")


@pytest.mark.parametrize(
    ("script", "status"),
    [(["I need 120 days"] * 3, "max_rounds"), ([OPENER, "no", "no way", "not happening"], "breakdown")],
    ids=["max_rounds", "breakdown"],
)
def test_the_turn_result_says_how_the_negotiation_ended(script: list[str], status: str) -> None:
    n = negotiator(policy="vanilla", max_rounds=3 if status == "max_rounds" else 15)
    for text in script:
        result = n.send("ended", text)
    assert result.status == status


def test_a_counter_offer_resets_the_rejection_count() -> None:
    n = negotiator(policy="vanilla")
    n.send("reset", OPENER)
    statuses = [n.send("reset", text).status for text in ("no", "no way", "I can do 100 days", "not happening")]
    assert statuses == ["ongoing"] * 4
    assert n.state("reset")["outcome"]["consecutive_rejections"] == 1


# ----------------------------------------------------------------------------------------------------------------
# Progress signal


class ProgressSpy(Services):
    """Services whose policy records the progress signal it is given on every decision."""

    def __init__(self) -> None:
        super().__init__(sensor=keyword_sensor())
        self.seen: list[bool | None] = []

    def policy(self, context: Context, store: Any) -> Policy:
        policy = super().policy(context, store)
        decide = type(policy).decide
        seen = self.seen

        def spy(reading: Any, history: Any, progress: Any = None) -> Any:
            seen.append(progress)
            return decide(policy, reading, history, progress)

        policy.decide = spy  # type: ignore[method-assign]
        return policy


def test_the_progress_signal_reaches_the_policy() -> None:
    services = ProgressSpy()
    graph = make_builder(services).compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    n = Negotiator(graph, Context())
    script = ["I can do 120 days", "I can do 90 days", "Let me think about it.", "I need 120 days", "no"]
    signals = []
    for text in script:
        n.send("progress", text)
        signals.append(n.state("progress")["progress_signal"])
    # 120 against the opening offer: nothing to compare yet; 120 -> 90: toward the creditor; no numbers: unknown;
    # 90 -> 120: away from it; a rejection: no progress.
    assert signals == [None, True, None, False, False]
    assert n.state("progress")["progress"] == signals
    assert services.seen == signals


# ----------------------------------------------------------------------------------------------------------------
# Compliance guard


def test_a_violating_draft_is_regenerated_and_never_reaches_the_client() -> None:
    model = ScriptedChatModel(replies=[VIOLATING, CLEAN_30])
    n = negotiator(model=model)
    result = n.send("guard", "I can do 120 days")
    guard = result.guard
    assert guard is not None and guard["action"] == "regenerated"
    arrest = [v for v in guard["violations"] if v["type"] == "threat_arrest"]
    assert arrest and arrest[0]["span"] == "arrested"
    assert VIOLATING[arrest[0]["start"] : arrest[0]["end"]] == "arrested"
    assert guard["redraft_violations"] == []
    assert result.reply == CLEAN_30
    assert all("arrest" not in text for text in ai_texts(n, "guard"))
    feedback = model.calls[1]["messages"][-1]
    assert isinstance(feedback, SystemMessage) and "threat_arrest" in feedback.text
    assert n.state("guard")["guard_events"] == [guard]


def test_a_draft_that_violates_twice_falls_back_to_the_safe_template() -> None:
    model = ScriptedChatModel(replies=[VIOLATING, VIOLATING])
    n = negotiator(model=model)
    result = n.send("fallback", "I can do 120 days")
    guard = result.guard
    assert guard is not None and guard["action"] == "fallback"
    assert "threat_arrest" in {v["type"] for v in guard["violations"]}
    assert "threat_arrest" in {v["type"] for v in guard["redraft_violations"]}
    assert result.reply == safe_template(SCENARIO, 30)
    assert ComplianceGuard(SCENARIO).check(result.reply).compliant
    assert all("arrest" not in text for text in ai_texts(n, "fallback"))


def test_a_compliant_redraft_that_misstates_the_offer_falls_back_too() -> None:
    model = ScriptedChatModel(replies=[VIOLATING, "We can offer 10 days."])
    n = negotiator(model=model)
    result = n.send("misstated", "I can do 120 days")
    assert result.guard is not None and result.guard["action"] == "fallback"
    assert result.reply == safe_template(SCENARIO, 30)


def test_the_stream_yields_a_reply_that_passed_the_guard_once() -> None:
    n = negotiator(model=ScriptedChatModel(replies=[CLEAN_30]))
    assert list(n.stream("stream-clean", "I can do 120 days")) == [CLEAN_30]


STREAM_LEAK = (
    "product bug: stream_reply (eq_negotiator/graph/session.py, REPLY_NODES) passes on every AIMessage emitted "
    "while check_compliance runs, including the chat model's own redraft (write_reply in nodes/replying.py calls the "
    "model inside that node), so a redraft is yielded before the guard has judged it: a violating redraft reaches "
    "the client and a clean one is yielded twice. Fix: invoke the model in write_reply with "
    "config tags=[langgraph.constants.TAG_NOSTREAM] (or yield only the node's final message, matched by id)"
)


def test_the_stream_never_yields_a_violating_redraft() -> None:
    n = negotiator(model=ScriptedChatModel(replies=[VIOLATING, VIOLATING]))
    chunks = list(n.stream("stream-fallback", "I can do 120 days"))
    assert n.last_turn("stream-fallback").reply == safe_template(SCENARIO, 30)  # what send() would return
    assert not any("arrest" in chunk for chunk in chunks)
    assert chunks == [safe_template(SCENARIO, 30)]


def test_the_stream_yields_a_regenerated_reply_once() -> None:
    n = negotiator(model=ScriptedChatModel(replies=[VIOLATING, CLEAN_30]))
    assert list(n.stream("stream-regenerated", "I can do 120 days")) == [CLEAN_30]


def test_guard_events_accumulate_one_per_turn() -> None:
    model = ScriptedChatModel(replies=[CLEAN_30, VIOLATING.replace("30 days", "34 days"), "We can offer 34 days."])
    n = negotiator(model=model, policy="vanilla")
    n.send("events", OPENER)
    n.send("events", "I can do 120 days")  # turn 2: offer 34
    events = n.state("events")["guard_events"]
    assert [(e["turn"], e["action"]) for e in events] == [(1, "passed"), (2, "regenerated")]
    assert events[0]["violations"] == []
    assert "threat_arrest" in {v["type"] for v in events[1]["violations"]}
    assert n.state("events")["guard"] == events[-1]


def test_the_disclosure_opens_the_first_reply_only() -> None:
    n = negotiator(disclosure=True, policy="vanilla")
    first = n.send("disclosure", OPENER)
    second = n.send("disclosure", "I can do 120 days")
    assert first.reply.startswith(DISCLOSURE + " ")
    assert states_offer(first.reply, 30)
    assert DISCLOSURE not in second.reply and "debt collector" not in second.reply
    plain = negotiator(policy="vanilla").send("no-disclosure", OPENER)
    assert DISCLOSURE not in plain.reply


# ----------------------------------------------------------------------------------------------------------------
# Escalation


def expected_rights_reply(text: str) -> tuple[str, str]:
    """The kind of the most serious escalating event in ``text`` and the fixed reply for it."""
    event = most_serious(e for e in detect_rights_events(text) if e.escalates)
    assert event is not None, text
    return event.kind, appropriate_reply(RightsEvent(event.kind, event.span, event.reason), SCENARIO)


def test_escalation_messages_are_detected() -> None:
    for kind, text in RIGHTS_MESSAGES.items():
        assert expected_rights_reply(text)[0] == kind


@pytest.mark.parametrize("opened", [False, True], ids=["first-message", "mid-negotiation"])
@pytest.mark.parametrize("kind", list(RIGHTS_MESSAGES))
def test_a_rights_event_stops_the_negotiation(kind: str, opened: bool) -> None:
    n = negotiator(policy="vanilla")
    thread_id = f"rights-{kind}"
    if opened:
        n.send(thread_id, "I can do 120 days")
    text = RIGHTS_MESSAGES[kind]
    _, fixed = expected_rights_reply(text)
    result = n.send(thread_id, text)
    assert result.status == "escalated"
    assert result.reply == fixed
    assert "pay" not in result.reply.lower() and not DAYS.search(result.reply)  # no payment talk, no terms
    assert result.escalation is not None and result.escalation["event"]["kind"] == kind
    assert result.escalation["decision"] is None
    assert result.stance is None and result.guard is None and result.client_offer is None
    # The standing offer is the one made before the event (none on a first message); the event made no new one.
    if opened:
        assert result.offer is not None and (result.offer["days"], result.offer["round"]) == (30, 1)
    else:
        assert result.offer is None
    assert len(n.state(thread_id).get("offers", [])) == (1 if opened else 0)
    assert n.escalated(thread_id)
    messages = len(n.state(thread_id)["messages"])
    with pytest.raises(EscalatedError, match="handed to a person"):
        n.send(thread_id, "I can do 60 days")
    with pytest.raises(EscalatedError):
        n.stream(thread_id, "hello?")
    with pytest.raises(EscalatedError):
        n.close(thread_id)
    assert len(n.state(thread_id)["messages"]) == messages  # nothing more was said or saved
    assert n.escalated(thread_id)


def test_the_stream_of_an_escalated_turn_yields_the_fixed_reply() -> None:
    n = negotiator()
    text = RIGHTS_MESSAGES["cease_contact"]
    assert list(n.stream("stream-rights", text)) == [expected_rights_reply(text)[1]]
    assert n.escalated("stream-rights")


def test_an_operator_continue_lets_the_next_message_be_negotiated() -> None:
    n = negotiator(policy="vanilla")
    n.send("resume", OPENER)
    n.send("resume", RIGHTS_MESSAGES["dispute"])
    values = n.resume_escalation("resume", action="continue", operator="ops", note="verified by phone")
    assert values["status"] == "ongoing"
    assert values["escalation"]["decision"] == {"action": "continue", "operator": "ops", "note": "verified by phone"}
    assert not n.escalated("resume")
    result = n.send("resume", "I can do 120 days")
    assert result.status == "ongoing" and result.escalation is None
    # Turn 3 (the escalated message counted as turn 2): round 2 of the linear curve.
    assert result.turn == 3
    assert result.offer is not None and result.offer["days"] == 39
    assert states_offer(result.reply, 39)
    assert [e["kind"] for e in n.state("resume")["rights_events"]] == ["dispute"]


def test_an_operator_close_ends_the_thread() -> None:
    n = negotiator()
    n.send("op-close", RIGHTS_MESSAGES["attorney"])
    values = n.resume_escalation("op-close", action="close", operator="ops")
    assert values["closed"] is True and values["status"] == "closed"
    assert not n.escalated("op-close")
    assert n.last_turn("op-close").status == "closed"
    with pytest.raises(DialogueClosedError):
        n.send("op-close", "hello again")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"action": "reopen", "operator": "ops"}, "action must be one of continue, close"),
        ({"action": "continue", "operator": "  "}, "name the operator"),
    ],
)
def test_a_bad_operator_decision_is_refused_and_the_thread_keeps_waiting(kwargs: dict[str, Any], match: str) -> None:
    n = negotiator()
    n.send("bad-op", RIGHTS_MESSAGES["crisis"])
    before = n.state("bad-op")
    with pytest.raises(ValueError, match=match):
        n.resume_escalation("bad-op", **kwargs)
    assert n.escalated("bad-op")
    assert n.state("bad-op") == before


def test_resuming_a_thread_that_is_not_escalated_is_refused() -> None:
    n = negotiator()
    n.send("not-escalated", OPENER)
    with pytest.raises(ValueError, match="not waiting for an operator"):
        n.resume_escalation("not-escalated", action="continue", operator="ops")


def test_a_malformed_resume_value_on_the_raw_graph_is_refused_and_the_thread_keeps_waiting() -> None:
    graph = build_graph("memory", "memory", sensor=keyword_sensor())
    config: RunnableConfig = {"configurable": {"thread_id": "raw-resume"}}
    graph.invoke(say(RIGHTS_MESSAGES["cease_contact"]), config, context=Context())
    assert graph.get_state(config).next == ("escalate",)
    values = graph.invoke(Command(resume=[{"type": "bogus", "args": None}]), config, context=Context())
    # The malformed answer is not kept: the node asks again, naming the error, and the thread keeps waiting.
    assert graph.get_state(config).next == ("escalate",)
    assert values["status"] == "escalated"
    interrupts = graph.get_state(config).tasks[0].interrupts
    (request,) = interrupts[0].value
    assert "type must be one of accept, response, ignore, got 'bogus'" in request["action_request"]["args"]["error"]


def test_a_valid_decision_after_a_malformed_one_resumes_the_thread() -> None:
    graph = build_graph("memory", "memory", sensor=keyword_sensor())
    config: RunnableConfig = {"configurable": {"thread_id": "raw-resume-after"}}
    graph.invoke(say(RIGHTS_MESSAGES["cease_contact"]), config, context=Context())
    graph.invoke(Command(resume=[{"type": "bogus", "args": None}]), config, context=Context())
    answer = [{"type": "accept", "args": {"then": "continue"}, "operator": "ops"}]
    values = graph.invoke(Command(resume=answer), config, context=Context())
    assert values["status"] == "ongoing"
    assert graph.get_state(config).next == ()


def test_a_client_threat_is_recorded_but_does_not_escalate() -> None:
    n = negotiator(policy="vanilla")
    n.send("threat", OPENER)
    result = n.send("threat", "I'll come down there and hurt you")
    state = n.state("threat")
    assert result.status == "ongoing" and result.escalation is None
    assert not n.escalated("threat")
    assert [e["kind"] for e in state["rights_events"]] == ["client_threat"]
    assert state["rights_event"] is None
    assert result.offer is not None and result.offer["days"] == 34
    assert ComplianceGuard(SCENARIO).check(result.reply).compliant
    follow_up = n.send("threat", "I can do 120 days")
    assert follow_up.status == "ongoing" and follow_up.offer is not None and follow_up.offer["days"] == 39


def test_messages_keep_their_order_across_an_escalation() -> None:
    n = negotiator()
    n.send("order", OPENER)
    n.send("order", RIGHTS_MESSAGES["no_work_contact"])
    n.resume_escalation("order", action="continue", operator="ops")
    n.send("order", "I can do 120 days")
    messages = n.state("order")["messages"]
    assert [type(m) for m in messages] == [HumanMessage, AIMessage] * 3


# ----------------------------------------------------------------------------------------------------------------
# Terms as people say them, and doubt that asks (issue 14). The scenario carries an explicit reference date.

DATED = {"reference_date": "2025-03-12"}  # a Wednesday


def test_a_garbled_number_gets_a_clarifying_question_and_never_an_agreement() -> None:
    n = negotiator(policy="vanilla", scenario=DATED)
    n.send("exp", OPENER)
    result = n.send("exp", "I'll pay in 10^9 days")
    state = n.state("exp")
    assert result.status == "ongoing" and result.agreement is None
    assert result.client_offer is not None
    assert (result.client_offer["days"], result.client_offer["doubt"]) == (None, "unreadable_number")
    assert "10^9" in result.client_offer["note"]  # the turn record says why it asked
    assert "unclear" in state["outcome"]["sentence"]
    assert "exact terms" in result.reply and "9 days" not in result.reply
    assert offer_days(n, "exp") == TARGET  # the creditor's offer stays where it was
    assert states_offer(result.reply, TARGET)
    assert n.send("exp", "Sorry, I meant 60 days.").status == "ongoing"  # the dialogue goes on


@pytest.mark.parametrize(
    ("text", "doubt"),
    [
        ("I agree to 60 days", "conflicting_accept"),
        ("I can do 31 days, maybe 32 days", "several_numbers"),
        ("0 days", "implausible"),
        ("I need 40 years", "implausible"),
        ("I can pay on the 15th", "unclear_amount"),
    ],
)
def test_doubtful_terms_are_asked_about_even_when_the_creditor_would_accept_them(text: str, doubt: str) -> None:
    n = negotiator(policy="vanilla", scenario=DATED)
    n.send("doubt", OPENER)  # the creditor offers 30 days
    result = n.send("doubt", text)
    assert result.client_offer is not None and result.client_offer["doubt"] == doubt
    assert result.status == "ongoing" and result.agreement is None
    assert n.state("doubt")["draft"]["offer_check"] == "stated"
    assert "exact terms" in result.reply


@pytest.mark.parametrize(
    ("text", "pay_date"),
    [("I can pay 4850 today", "2025-03-12"), ("I'll pay it all tomorrow", "2025-03-13")],
)
def test_a_full_payment_now_is_accepted_at_once_and_the_amount_confirmed(text: str, pay_date: str) -> None:
    n = negotiator(policy="vanilla", scenario=DATED)
    result = n.send("full", text)
    assert result.status == "agreed"
    assert result.agreement is not None
    assert (result.agreement["days"], result.agreement["basis"], result.agreement["amount"]) == (1, "in_full", 4850.0)
    assert result.agreement["pay_date"] == pay_date
    assert SCENARIO.balance_text() in result.reply and pay_date in result.reply and "in full" in result.reply
    assert SCENARIO.balance_text() in result.agreement["summary"]


def test_an_instalment_rate_is_negotiated_as_the_days_it_needs() -> None:
    n = negotiator(policy="vanilla", scenario=DATED)
    n.send("rate", OPENER)
    result = n.send("rate", "I can do 200 a month")
    assert result.client_offer is not None
    assert (result.client_offer["days"], result.client_offer["basis"], result.client_offer["instalments"]) == (
        750,
        "instalments",
        25,
    )
    assert result.status == "ongoing" and offer_days(n, "rate") == 34
