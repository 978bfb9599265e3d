import json

import numpy as np
import pytest

from eq_negotiator.emotions import LABELS, NEGATIVE, EmotionReading
from eq_negotiator.reasoning import POLICY_NAMES, History, StrategyDecision, make_policy, play
from eq_negotiator.reasoning.hmm import StanceHMM
from eq_negotiator.reasoning.policies import EqPolicy, EqPolicyConfig
from eq_negotiator.reasoning.policies.paper1 import PAPER1_EMISSION, PAPER1_NEGATIVE_BIAS, PAPER1_TRANSITION

from .helpers import reading, readings


def random_readings(seed: int, n: int) -> list[EmotionReading]:
    rng = np.random.default_rng(seed)
    return [EmotionReading.from_probabilities(rng.dirichlet(np.full(len(LABELS), 0.3))) for _ in range(n)]


# -- registry and contract ------------------------------------------------------------------------------------------


def test_unknown_policy_lists_the_valid_names() -> None:
    with pytest.raises(ValueError, match=r"unknown policy 'best'; valid policies: eq, paper1, paper2, vanilla"):
        make_policy("best")
    with pytest.raises(ValueError, match="fixed:joy"):
        make_policy("fixed:rage")


@pytest.mark.parametrize("name", POLICY_NAMES)
def test_every_policy_decides_json_safe_and_reproducibly(name: str) -> None:
    dialogue = random_readings(7, 25)
    first = play(make_policy(name, seed=3), dialogue)
    second = play(make_policy(name, seed=3), dialogue)
    assert first.stances() == second.stances()
    for decision in first.decisions:
        assert decision.policy == name
        assert decision.stance is None or decision.stance in LABELS
        assert decision.reason.endswith(".")
        data = json.loads(json.dumps(decision.to_dict()))
        assert StrategyDecision.from_dict(data) == decision
    restored = History.from_dict(json.loads(json.dumps(first.to_dict())))
    assert restored.stances() == first.stances()


def test_seeded_random_policies_differ_across_seeds() -> None:
    dialogue = random_readings(1, 30)
    assert (
        play(make_policy("random", seed=1), dialogue).stances()
        != play(make_policy("random", seed=2), dialogue).stances()
    )


def test_a_decision_can_be_made_again_from_a_restored_history() -> None:
    """Resuming a dialogue elsewhere (history from JSON) gives the same next decision."""
    dialogue = random_readings(5, 12)
    for name in ("eq", "paper1", "paper2", "gtft"):
        policy = make_policy(name, seed=4)
        history = play(policy, dialogue[:-1])
        restored = History.from_dict(json.loads(json.dumps(history.to_dict())))
        assert policy.decide(dialogue[-1], restored) == policy.decide(dialogue[-1], history)


# -- eq ---------------------------------------------------------------------------------------------------------------


def test_eq_holds_firm_against_a_confrontational_client_for_at_most_two_turns() -> None:
    history = play(make_policy("eq"), readings(*["anger"] * 9))
    stances = history.stances()
    assert "anger" in stances
    run = 0
    for stance in stances:
        run = run + 1 if stance == "anger" else 0
        assert run <= 2
    # The first two turns are too few negatives (3 needed) to open the gate.
    assert stances[:2] != ["anger", "anger"]
    firm = [d for d in history.decisions if d.stance == "anger"]
    assert all(d.branch == "firmness" for d in firm)
    assert all(d.gate["dominant_stance"] in ("confrontational", "strategic") for d in firm)
    after_limit = history.decisions[stances.index("anger") + 2]
    assert after_limit.branch == "cool_down" and after_limit.stance in ("neutral", "sadness")


def test_eq_never_answers_a_distressed_client_with_firmness() -> None:
    history = play(make_policy("eq"), readings("sadness", "fear", "sadness", "anger", "fear", "sadness", "fear"))
    assert "anger" not in history.stances()
    assert history.decisions[-1].stance == "sadness"
    assert history.decisions[-1].branch == "empathy"


def test_eq_meets_a_first_clear_distress_with_empathy() -> None:
    policy = make_policy("eq")
    for opener in (reading("fear", 0.95), reading("sadness", 0.85)):
        decision = policy.decide(opener, History())
        assert (decision.stance, decision.branch) == ("sadness", "clear_distress")
        assert "clearly distressed" in decision.reason and "at least 0.80" in decision.reason
    # The sensor often splits distress between fear and sadness: the two together count.
    split = EmotionReading.from_probabilities([0.01, 0.35, 0.01, 0.6, 0.01, 0.01, 0.01])
    assert policy.decide(split, History()).branch == "clear_distress"


def test_eq_clear_distress_needs_a_confident_distressed_reading() -> None:
    policy = make_policy("eq")
    assert policy.decide(reading("fear", 0.5), History()).branch == "best_response"  # 0.58 with the spread rest
    assert policy.decide(reading("neutral", 0.95), History()).stance != "sadness"
    # Anger, however confident, is not distress: firmness stays behind its gate.
    assert policy.decide(reading("anger", 0.99), History()).stance != "anger"
    off = EqPolicy(config=EqPolicyConfig(clear_distress_confidence=None))
    assert off.decide(reading("fear", 0.95), History()).branch == "best_response"
    with pytest.raises(ValueError, match="clear_distress_confidence"):
        EqPolicyConfig(clear_distress_confidence=1.5)


def test_eq_uses_anger_only_through_the_firmness_gate() -> None:
    policy = make_policy("eq")
    for seed in range(40):
        history = play(policy, random_readings(seed, 15), progress=[None, True, False] * 5)
        for reading_, decision in zip(history.readings, history.decisions, strict=True):
            if decision.stance == "anger":
                assert decision.branch == "firmness"
                assert reading_.label in NEGATIVE
                assert int(decision.gate["negative_turns"]) >= 3


def test_eq_thresholds_are_configurable() -> None:
    strict = EqPolicy(config=EqPolicyConfig(min_negative=5))
    stances = play(strict, readings(*["anger"] * 6)).stances()
    assert stances[:4].count("anger") == 0
    assert stances[4] == "anger"
    never = EqPolicy(config=EqPolicyConfig(max_firm_turns=0))
    assert "anger" not in play(never, readings(*["anger"] * 8)).stances()


def test_eq_win_stays_and_loss_shifts() -> None:
    policy = make_policy("eq")
    start = History()
    first = policy.decide(reading("neutral"), start)
    history = start.append(reading("neutral"), first)
    stay = policy.decide(reading("neutral"), history, progress=True)
    assert stay.branch == "win_stay" and stay.stance == first.stance
    shift = policy.decide(reading("neutral"), history, progress=False)
    assert shift.branch == "lose_shift" and shift.stance != first.stance
    calmer = policy.decide(reading("joy"), history)  # valence rose: a win without a progress signal
    assert calmer.gate["outcome"] == "win"
    unknown = policy.decide(reading("neutral"), history)
    assert unknown.branch == "best_response"


def test_eq_belief_follows_the_hmm_filter() -> None:
    hmm = StanceHMM()
    dialogue = readings("neutral", "anger", "anger")
    history = play(EqPolicy(hmm=hmm), dialogue)
    belief = None
    for item in dialogue:
        belief = hmm.filter(belief, item.probabilities())
    assert list(history.decisions[-1].belief.values()) == pytest.approx(belief.tolist())
    assert list(history.decisions[-1].forecast.values()) == pytest.approx(hmm.forecast(belief).tolist())


def test_eq_learning_persists_across_dialogues_and_a_new_dialogue_starts_fresh() -> None:
    policy = make_policy("eq")
    before = policy.decide(reading("anger"), History())
    for _ in range(6):
        policy.learn(play(policy, readings(*["anger"] * 8)), succeeded=False)
    after = policy.decide(reading("anger"), History())
    # The new dialogue starts from the start probabilities, not the last dialogue's belief...
    hmm = policy.hmm  # type: ignore[attr-defined]
    assert list(after.belief.values()) == pytest.approx(hmm.filter(None, reading("anger").probabilities()).tolist())
    # ...but with the learned parameters, which now expect more anger.
    assert after.forecast["anger"] > before.forecast["anger"]
    clone = make_policy("eq")
    clone.load_state_dict(json.loads(json.dumps(policy.state_dict())))
    assert clone.decide(reading("anger"), History()) == after


def test_eq_config_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="unknown eq policy settings"):
        EqPolicyConfig.from_dict({"windw": 5})
    with pytest.raises(ValueError, match="min_negative must be between 1 and window"):
        EqPolicyConfig(window=3, min_negative=4)
    with pytest.raises(ValueError, match="unknown stances"):
        EqPolicyConfig(firm_toward=("angry",))


# -- paper1 -----------------------------------------------------------------------------------------------------------


def test_paper1_switches_to_its_hmm_after_three_of_five_negatives_and_matches_a_hand_step() -> None:
    policy = make_policy("paper1", seed=0)
    history = play(policy, readings("joy", "neutral", "anger", "anger", "anger"))
    assert [d.branch for d in history.decisions] == ["payoff", "payoff", "payoff", "payoff", "hmm"]
    stances = history.stances()
    assert stances[0] == "joy"  # the unique best response to joy
    # Hand step: counts start at the paper's tables, +1 on (last, last) and (last, client) for turns 2..4.
    transition = np.array(PAPER1_TRANSITION)
    emission = np.array(PAPER1_EMISSION)
    labels = ["joy", "neutral", "anger", "anger", "anger"]
    for turn in (1, 2, 3):
        last = LABELS.index(stances[turn - 1])
        transition[last, last] += 1
        emission[last, LABELS.index(labels[turn])] += 1
    transition /= transition.sum(axis=1, keepdims=True)
    emission /= emission.sum(axis=1, keepdims=True)
    scores = transition[LABELS.index(stances[3])] * emission[:, LABELS.index("anger")] * np.array(PAPER1_NEGATIVE_BIAS)
    assert stances[4] == LABELS[int(np.argmax(scores))]


def test_paper1_learning_only_ever_touches_the_transition_diagonal() -> None:
    """The published engine's defect, kept on purpose and documented."""
    policy = make_policy("paper1", seed=2)
    before = np.array(policy.state_dict()["transition_counts"])
    policy.learn(play(policy, random_readings(3, 20)))
    change = np.array(policy.state_dict()["transition_counts"]) - before
    assert change.sum() == 19
    assert np.count_nonzero(change - np.diag(np.diag(change))) == 0


# -- paper2 -----------------------------------------------------------------------------------------------------------


def test_paper2_belief_ignores_the_client_emotion() -> None:
    """The published engine's defect, kept on purpose: the client's emotion cancels out of the belief update."""
    policy = make_policy("paper2")
    joyful = policy.decide(reading("joy"), History())
    furious = policy.decide(reading("anger"), History())
    assert joyful.belief == furious.belief


def test_paper2_lose_shift_never_fires_and_hmm_needs_four_negatives() -> None:
    policy = make_policy("paper2")
    for seed in range(30):
        assert "lose_shift" not in {d.branch for d in play(policy, random_readings(seed, 15)).decisions}
    history = play(policy, readings("anger", "fear", "anger", "disgust", "neutral", "joy"))
    assert [d.branch for d in history.decisions] == ["payoff", "payoff", "payoff", "hmm", "hmm", "payoff"]


def test_paper2_learning_moves_the_played_payoff_cells() -> None:
    policy = make_policy("paper2")
    history = play(policy, readings("neutral", "neutral"))
    before = np.array(policy.state_dict()["payoffs"])
    policy.learn(history, succeeded=True)
    after = np.array(policy.state_dict()["payoffs"])
    cell = (LABELS.index("neutral"), LABELS.index(history.stances()[0]))
    assert after[cell] - before[cell] == pytest.approx(
        0.05 * sum(1 for s in history.stances() if s == history.stances()[0])
    )
    policy.learn(history, succeeded=False)
    assert np.array(policy.state_dict()["payoffs"])[cell] < after[cell]


# -- baselines --------------------------------------------------------------------------------------------------------


def test_baselines() -> None:
    dialogue = readings("anger", "joy", "fear")
    assert play(make_policy("vanilla"), dialogue).stances() == [None, None, None]
    assert play(make_policy("fixed:fear"), dialogue).stances() == ["fear"] * 3
    assert play(make_policy("tft"), dialogue).stances() == ["anger", "joy", "fear"]
    assert play(make_policy("gtft", seed=0), readings("joy", "neutral")).stances() == ["joy", "neutral"]


def test_wsls_stays_after_a_win_and_shifts_after_a_loss() -> None:
    history = play(make_policy("wsls"), readings("joy", "joy", "anger"))
    assert history.stances()[:2] == ["joy", "joy"]  # joy vs joy earns 4 >= 3: stay
    assert history.decisions[2].branch == "lose_shift"  # joy vs anger earns 1: shift
    assert history.stances()[2] == "surprise"  # best response to anger other than joy
