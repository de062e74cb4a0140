"""Simulated customers (as in τ-bench): an LLM plays the customer until the task is done.

For each task the customer model gets the `simulated_customer` prompt template with the
task's instruction and talks to the real support graph until it writes `###STOP###`, the
conversation is handed to a human, or `max_turns` is reached. The trial succeeds when the
final order database equals the expected one (the initial data with the task's gold
actions applied, compared by τ-bench's hash), every required output was said, and the
handoff matches. pass^k is reported over k trials per task.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from evals.backends import EvalBackends, close_orders, export_orders
from evals.conversation import ConversationDriver
from evals.grounding import Evidence, normalise
from evals.models import fill, reply_text
from evals.records import TrialResult, Usage
from evals.schema import SimTask
from evals.tau_writes import WriteAudit
from evals.usage import UsageCollector, collect
from graphs.context import Context
from graphs.drafting.llm import STORE_NAME
from graphs.services import Services
from prompts.templates import load_template
from tools.orders import invoke_tool, state_sha256
from tools.orders.sqlite_store import SqliteOrderStore

STOP = "###STOP###"
OPENING = "Hi! How can I help you today?"


def expected_state_sha256(backends: EvalBackends, task: SimTask) -> str:
    """τ-bench's hash of the initial data with the task's gold actions applied."""
    store = backends.orders.clone()
    try:
        for action in task.actions:
            invoke_tool(store, action.name, action.args)
        return state_sha256(store.export_tau())
    finally:
        store.close()


def customer_prompt(task: SimTask) -> str:
    """The simulated customer's system prompt for `task`."""
    return fill(
        load_template("simulated_customer"), store_name=STORE_NAME, instruction=task.instruction
    )


def _audit(services: Services, task: SimTask, backends: EvalBackends) -> WriteAudit | None:
    """A write audit for the trial when the task names its user and the store can clone."""
    user = task.user or task.customer
    if user is None or not isinstance(services.orders, SqliteOrderStore):
        return None
    return WriteAudit(services.orders, user, backends.owners)


def run_trial(
    task: SimTask,
    trial: int,
    backends: EvalBackends,
    user_model: BaseChatModel,
    context: Context,
    chat_model: BaseChatModel | None = None,
    expected_sha256: str | None = None,
    channel: str = "eval",
) -> TrialResult:
    """Play one simulated conversation for `task` and score its outcome."""
    services = backends.services(chat_model)
    expected = expected_sha256 or expected_state_sha256(backends, task)
    customer_usage = UsageCollector()
    result = TrialResult(trial=trial)
    context = Context(customer_id=task.customer, model=context.model, tenant=context.tenant)
    messages: list[BaseMessage] = [
        SystemMessage(content=customer_prompt(task)),
        HumanMessage(content=OPENING),
    ]
    replies: list[str] = []
    handed = False
    try:
        driver = ConversationDriver(
            services, context, Evidence(policy=backends.policy_index), channel
        )
        audit = _audit(services, task, backends)
        result.ended_by = "max_turns"
        for _ in range(task.max_turns):
            with collect(customer_usage):
                said = reply_text(user_model.invoke(messages))
            if STOP in said or not said:
                result.ended_by = "customer"
                break
            messages.append(AIMessage(content=said))
            if audit is not None:
                audit.before_turn(said, driver.state(), context.customer_id)
            record = driver.say(said)
            if audit is not None:
                audit.after_turn()
                result.unauthorised_writes = audit.unauthorised
            result.transcript.append({"customer": said, "bot": record.reply})
            replies.append(record.reply)
            if record.error:
                result.ended_by, result.error = "error", record.error
                break
            if record.handoff:
                handed, result.ended_by = True, "handoff"
                break
            messages.append(HumanMessage(content=record.reply or "(no reply)"))
        usage = Usage()
        for turn in driver.records:
            usage = usage.add(turn.usage)
        result.usage = usage
        final = export_orders(services)
    except Exception as error:  # the customer model failing ends the trial, not the run
        result.error = f"{type(error).__name__}: {error}"
        result.user_usage = customer_usage.usage()
        close_orders(services)
        return result
    close_orders(services)
    said_text = normalise(" ".join(replies))
    result.db_match = state_sha256(final) == expected
    result.outputs_ok = all(normalise(output) in said_text for output in task.outputs)
    result.handoff_ok = handed == task.handoff
    result.reward = 1.0 if result.db_match and result.outputs_ok and result.handoff_ok else 0.0
    result.user_usage = customer_usage.usage()
    return result
