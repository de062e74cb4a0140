"""Run a suite: every case through the real support graph, then judge, simulate, score.

Cases run on a thread pool (`concurrency`), each with its own services and checkpointer.
With a model configured the LLM judge scores each conversation and the suite's
simulated-customer tasks run k times each; offline both are skipped and say so.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from evals import checks
from evals.backends import (
    EvalBackends,
    close_orders,
)
from evals.conversation import ConversationDriver
from evals.grounding import Evidence
from evals.judge import judge_conversation
from evals.loader import LoadedSuite
from evals.metadata import run_metadata
from evals.metrics import compute_metrics, pass_hat_k
from evals.models import ModelSpec, model_id, model_name, resolve_model
from evals.records import CaseResult, CaseStatsRecord, RunResult, StageStatus, TaskResult, Usage
from evals.schema import Case, Suite
from evals.simulator import expected_state_sha256, run_trial
from graphs.context import Context
from graphs.drafting.pricing import cost_usd
from prompts.templates import pinned_versions

Progress = Callable[[str, int, int], None]
"""Called as `(stage, done, total)` after each case or trial."""


@dataclass
class RunOptions:
    """How to run a suite."""

    model: str = ""
    """init_chat_model string (or bare Bedrock id) for drafting; empty: offline."""
    chat_model: Any = None
    """A ready chat model for drafting (overrides `model`; tests pass scripted fakes)."""
    judge_model: ModelSpec = None
    """The judge; defaults to the drafting model. Given alone, it judges the offline bot."""
    user_model: ModelSpec = None
    """The simulated customer; defaults to the drafting model. Given alone, it talks to the
    offline bot."""
    prompt_versions: dict[str, int] = field(default_factory=dict)
    concurrency: int = 1
    trials: int = 3
    judge: bool = True
    simulate: bool = True
    only: list[str] = field(default_factory=list)
    """Run only the cases whose id or tag is listed."""
    check_latency: bool = True
    """Hold each turn to its latency budget (off where timing says nothing: a shared machine,
    the test suite)."""

    @property
    def online(self) -> bool:
        """Whether a drafting model is configured."""
        return bool(self.model) or self.chat_model is not None


def _stats(case: Case, result: CaseResult) -> CaseStatsRecord:
    stats = CaseStatsRecord()
    for turn, record in zip(case.turns, result.turns, strict=False):
        if turn.expect.intent is not None:
            stats.intent_pairs.append((turn.expect.intent, record.intent or ""))
        if turn.expect.tools is not None:
            matched, missing, unexpected = checks.match_tools(
                turn.expect.tools, checks.graph_calls(record)
            )
            stats.tool_tp += matched
            stats.tool_fn += len(missing)
            stats.tool_fp += len(unexpected)
        stats.claims += len(record.claims)
        stats.grounded_claims += sum(1 for c in record.claims if c.grounded)
    stats.handoff_actual = any(r.handoff for r in result.turns)
    if case.expect.handoff is not None:
        stats.handoff_expected = case.expect.handoff
    if case.expect.handoff_reason is not None and stats.handoff_actual:
        reason = next((r.handoff_reason for r in result.turns if r.handoff), None)
        stats.handoff_reason_ok = reason == case.expect.handoff_reason
    stats.violations = len(result.violations)
    return stats


def run_case(
    case: Case, suite: Suite, backends: EvalBackends, options: RunOptions, judge: Any = None
) -> CaseResult:
    """Play one scripted conversation and check it."""
    customer = suite.customer_of(case)
    services = backends.services(options.chat_model)
    context = Context(
        customer_id=customer, model=model_id(options.model), tenant=backends.settings.tenant
    )
    evidence = Evidence(policy=backends.policy_index)
    result = CaseResult(id=case.id, description=case.description, tags=case.tags, customer=customer)
    budget = suite.defaults.model_latency_ms if options.online else suite.defaults.latency_ms
    with pinned_versions(options.prompt_versions):
        driver = ConversationDriver(services, context, evidence, suite.defaults.channel)
        for turn in case.turns:
            record = driver.say(turn.say)
            result.checks += checks.turn_checks(turn.expect, record, evidence)
            if record.error:
                result.error = record.error
                break
        result.turns = driver.records
    final_orders: dict[str, Any] = {}
    for order_id in case.expect.final_orders:
        try:
            final_orders[order_id] = services.orders.get_order_details(order_id)
        except Exception:
            final_orders[order_id] = None
    close_orders(services)
    if options.check_latency:
        budgets = [t.expect.latency_ms or budget for t in case.turns]
        result.checks.append(checks.latency_check(result.turns, budgets))
    result.checks += checks.case_checks(case.expect, result.turns, final_orders)
    result.checks += checks.policy_checks(
        result.turns, customer, backends.owners, backends.emails, backends.settings.refund_limit
    )
    if result.error:
        result.checks.append(
            checks.CheckResult(name="error", passed=False, actual=result.error, policy=False)
        )
    usage = Usage()
    for record in result.turns:
        usage = usage.add(record.usage)
    result.usage = usage
    priced = options.model or (usage.models[0] if usage.models else None)
    result.cost_usd = cost_usd(priced, usage.input_tokens, usage.output_tokens)
    result.passed = all(check.passed for check in result.checks)
    result.stats = _stats(case, result)
    if judge is not None:
        with pinned_versions(options.prompt_versions):
            result.judge = judge_conversation(
                judge, case.description, result.turns, backends.settings.refund_limit
            )
    return result


def _result_or_error(future: Future[CaseResult], case: Case) -> CaseResult:
    try:
        return future.result()
    except Exception as error:  # a crashing case is recorded as failed; the run goes on
        message = f"{type(error).__name__}: {error}"
        return CaseResult(
            id=case.id,
            description=case.description,
            tags=case.tags,
            error=message,
            checks=[checks.CheckResult(name="error", passed=False, actual=message)],
        )


def _selected(suite: Suite, only: list[str]) -> list[Case]:
    if not only:
        return list(suite.cases)
    return [c for c in suite.cases if c.id in only or set(c.tags) & set(only)]


def new_run_id(suite: str, commit: str | None) -> str:
    """A sortable, unique run id: UTC time, suite name, short commit and a random suffix."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    short = (commit or "nogit")[:7]
    return f"{stamp}-{suite}-{short}-{uuid.uuid4().hex[:4]}"


def _simulate(
    suite: Suite,
    backends: EvalBackends,
    options: RunOptions,
    user_model: Any,
    progress: Progress | None,
) -> list[TaskResult]:
    context = Context(model=model_id(options.model), tenant=backends.settings.tenant)
    expected = {task.id: expected_state_sha256(backends, task) for task in suite.tasks}
    results = {task.id: TaskResult(id=task.id) for task in suite.tasks}
    jobs = [(task, trial) for task in suite.tasks for trial in range(options.trials)]

    def work(task: Any, trial: int) -> Any:
        with pinned_versions(options.prompt_versions):
            return run_trial(
                task, trial, backends, user_model, context, options.chat_model,
                expected[task.id], suite.defaults.channel,
            )  # fmt: skip

    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        futures = {pool.submit(work, task, trial): task.id for task, trial in jobs}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]].trials.append(future.result())
            if progress:
                progress("simulation", done, len(jobs))
    for task_result in results.values():
        task_result.trials.sort(key=lambda t: t.trial)
    return list(results.values())


def run_suite(
    loaded: LoadedSuite,
    backends: EvalBackends,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run every case (and, with a model, the judge and the simulated tasks) of a suite."""
    options = options or RunOptions()
    suite = loaded.suite
    settings = backends.settings
    cases = _selected(suite, options.only)
    judge_spec = options.judge_model or options.chat_model or options.model or None
    user_spec = options.user_model or options.chat_model or options.model or None
    judge = resolve_model(judge_spec, settings) if options.judge else None
    models = {
        "agent": model_name(options.chat_model or options.model),
        "judge": model_name(judge_spec) if judge else None,
        "customer": model_name(user_spec) if suite.tasks and options.simulate else None,
    }
    run_options = {
        "concurrency": options.concurrency,
        "trials": options.trials,
        "only": options.only,
        "prompts": options.prompt_versions,
    }
    metadata = run_metadata(
        settings, backends.catalogue, options.prompt_versions, models, run_options
    )
    run = RunResult(
        run_id=new_run_id(suite.name, metadata["code"].get("commit")),
        suite={
            "name": suite.name,
            "version": suite.version,
            "path": str(loaded.path),
            "sha256": loaded.sha256,
            "cases": len(cases),
            "tasks": len(suite.tasks),
        },
        metadata=metadata,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        futures = {pool.submit(run_case, c, suite, backends, options, judge): c for c in cases}
        for done, future in enumerate(as_completed(futures), start=1):
            run.cases.append(_result_or_error(future, futures[future]))
            if progress:
                progress("cases", done, len(futures))
    order = {case.id: i for i, case in enumerate(cases)}
    run.cases.sort(key=lambda c: order[c.id])
    if judge is not None:
        run.judge = StageStatus(status="ran", model=models["judge"])
    elif not options.judge:
        run.judge = StageStatus(reason="disabled with --no-judge")
    else:
        run.judge = StageStatus(reason="no model configured (offline run)")
    user_model = resolve_model(user_spec, settings) if options.simulate else None
    if not suite.tasks:
        run.simulation = StageStatus(reason="the suite has no simulated-customer tasks")
    elif not options.simulate:
        run.simulation = StageStatus(reason="disabled with --no-simulate")
    elif user_model is None:
        run.simulation = StageStatus(reason="no model configured (offline run)")
    else:
        run.tasks = _simulate(suite, backends, options, user_model, progress)
        run.simulation = StageStatus(status="ran", model=models["customer"])
    run.duration_s = round(time.perf_counter() - started, 3)
    run.metrics = compute_metrics(run.cases)
    if run.tasks:
        successes = [task.successes for task in run.tasks]
        for k in range(1, options.trials + 1):
            run.metrics[f"pass^{k}"] = pass_hat_k(successes, options.trials, k)
    return run
