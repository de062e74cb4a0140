"""The LLM judge and the simulated customer, driven by scripted fakes."""

from __future__ import annotations

from evals.judge import judge_conversation, judge_prompt
from evals.records import TurnRecord
from evals.runner import RunOptions, run_suite
from evals.schema import SimTask, ToolExpect
from evals.simulator import STOP, expected_state_sha256, run_trial
from graphs.context import Context
from tests.evals.conftest import make_suite
from tests.fakes import failing, scripted

TURNS = [TurnRecord(index=0, say="where is #W3456789?", reply="It is processed.")]

CANCEL = SimTask(
    id="cancel",
    customer="alex_morgan_1001",
    instruction="You want to cancel order #W1234567; you no longer need it.",
    actions=[
        ToolExpect(
            name="cancel_pending_order",
            args={"order_id": "#W1234567", "reason": "no longer needed"},
        )
    ],
)


def test_judge_prompt_is_the_versioned_rubric_filled_in():
    prompt = judge_prompt("order status", TURNS, 1000.0)
    assert "CUSTOMER: where is #W3456789?" in prompt and "ASSISTANT: It is processed." in prompt
    assert "$1,000.00" in prompt and "{transcript}" not in prompt
    assert '"helpfulness": 1-5' in prompt


def test_judge_scores_and_failures():
    answer = (
        'Here you go:\n```json\n{"helpfulness": 4, "tone": 5, "policy_adherence": 3, '
        '"rationale": "ok"}\n```'
    )
    score = judge_conversation(scripted(answer), "d", TURNS, 1000.0)
    assert (score.helpfulness, score.tone, score.policy_adherence, score.error) == (4, 5, 3, None)
    assert judge_conversation(scripted("no json here"), "d", TURNS, 1000.0).error
    out_of_range = '{"helpfulness": 9, "tone": 5, "policy_adherence": 3}'
    assert "outside" in judge_conversation(scripted(out_of_range), "d", TURNS, 1000.0).error
    assert "Throttling" in judge_conversation(failing(), "d", TURNS, 1000.0).error


def test_judge_runs_on_every_case_when_a_judge_model_is_given(eval_backends):
    suite = make_suite(
        """
name: j
version: 1
cases: [{id: a, turns: [{say: hello}]}, {id: b, turns: [{say: thanks}]}]
"""
    )
    scores = '{"helpfulness": 5, "tone": 4, "policy_adherence": 5, "rationale": "fine"}'
    judge = scripted(scores, scores)
    run = run_suite(suite, eval_backends, RunOptions(judge_model=judge))
    assert run.judge.status == "ran"
    assert run.metrics["judge_helpfulness"] == 5 and run.metrics["judge_tone"] == 4
    assert "CUSTOMER: hello" in judge.seen[0][0].content


def test_expected_state_applies_the_gold_actions(eval_backends):
    untouched = expected_state_sha256(eval_backends, SimTask(id="x", instruction="nothing"))
    assert expected_state_sha256(eval_backends, CANCEL) != untouched


def test_a_simulated_customer_who_reaches_the_goal_scores_one(eval_backends):
    customer = scripted("Hi, please cancel my order #W1234567", "I no longer need it", "yes", STOP)
    trial = run_trial(CANCEL, 0, eval_backends, customer, Context(model=""))
    assert trial.error is None
    assert (trial.reward, trial.db_match, trial.ended_by) == (1.0, True, "customer")
    assert len(trial.transcript) == 3 and "cancelled" in trial.transcript[-1]["bot"]
    system = customer.seen[0][0].content
    assert "cancel order #W1234567" in system and "###STOP###" in system


def test_a_customer_who_declines_leaves_the_database_unexpected(eval_backends):
    customer = scripted("cancel order #W1234567 no longer needed", "no", STOP)
    trial = run_trial(CANCEL, 0, eval_backends, customer, Context(model=""))
    assert (trial.reward, trial.db_match) == (0.0, False)


def test_simulation_reports_pass_hat_k(eval_backends):
    suite = make_suite(
        """
name: sim
version: 1
tasks:
  - id: cancel
    customer: alex_morgan_1001
    instruction: Cancel order #W1234567, no longer needed.
    actions: [{name: cancel_pending_order, args: {order_id: "#W1234567", reason: no longer needed}}]
  - id: laptop
    customer: alex_morgan_1001
    instruction: Return the laptop from #W4567890.
    handoff: true
"""
    )
    lines = [
        "cancel order #W1234567 no longer needed",
        "yes",
        STOP,  # cancel, trial 0: success
        "cancel order #W1234567 no longer needed",
        "no",
        STOP,  # cancel, trial 1: failure
        "return my laptop order #W4567890",  # laptop, trial 0: handed over
        "return my laptop order #W4567890",  # laptop, trial 1: handed over
    ]
    run = run_suite(suite, eval_backends, RunOptions(user_model=scripted(*lines), trials=2))
    assert run.simulation.status == "ran"
    results = {task.id: task for task in run.tasks}
    assert [t.reward for t in results["cancel"].trials] == [1.0, 0.0]
    assert [t.ended_by for t in results["laptop"].trials] == ["handoff", "handoff"]
    assert results["laptop"].successes == 2
    assert run.metrics["pass^1"] == 0.75
    assert run.metrics["pass^2"] == 0.5
    assert run.judge.status == "skipped"
