"""Progressive dialing through the switch adapter: one call per idle agent, none breaking the contact policy.

The smallest honest progressive dialer. An agent is idle when their last ``agent_state`` in the live log is
``ready``, no call of ours is ringing for them, and — after a call of ours connected to them — they have pressed
ready again since (a ready logged after the connect). For each idle agent the next contact of the campaign is
taken (the earliest allowed first, each contact at most once per run), checked again on its own just before the
dial with the per-member policy check (the calling window may have closed, another campaign may have called),
and originated: ring the contact's number for ``ring_s`` (at least 15 s) and, when they answer, connect them to
the agent's extension. Outcomes the switch reports — no answer, busy, failed — are recorded as the campaign's
attempts (the policy and the retry rules count them); a connected call's disposition is the agent's to record
(``callops campaign attempts``). A command that never reached the PBX is not a dial and not an attempt: a refused
log-in stops the run; when the PBX could not be reached the contact is first in the queue again, for whichever agent
is idle next, after a second with no new dial. ``finish_dial`` says how a dial ended for all three dialing modes
(progressive, preview, predictive); what becomes of a contact the PBX could not be reached for is each mode's choice.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import enum
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa

from callops.dialer import Channel, ContactHistory, check_member_loop, consent_missing, on_dnc
from callops.dialer.contact_check import check_contacts, holiday_dates
from callops.dialer.contact_list import ContactRow
from callops.dialer.policy import ContactPolicy
from callops.dialer.records import Outcome
from callops.dialer.retry import parse_retry, retry_gate
from callops.errors import InvalidInput
from callops.feeds.switch import Originate, SwitchResult
from callops.services.switch_runner import SwitchRunner
from callops.store.campaigns import (
    AttemptIn,
    Campaign,
    campaign_contacts_of,
    consents_for,
    dnc_among,
    get_campaign,
    history_for,
    record_attempts,
)
from callops.store.live_events import last_event_id
from callops.store.switch_log import agent_states_by_id

__all__ = ["DialEnd", "DialSettings", "DialRun", "MIN_RING_S", "UNREACHED_PAUSE_S", "eligible_contacts", "finish_dial",
           "next_contact", "settle_dials", "still_allowed", "run_progressive"]

MIN_RING_S = 15.0
_OUTCOMES = {
    "no_answer": Outcome.NO_ANSWER,
    "busy": Outcome.BUSY,
    "failed": Outcome.FAILED,
    "timeout": Outcome.FAILED,
    "disconnected": Outcome.FAILED,
    "error": Outcome.FAILED,
}
_NOT_SENT = ("refused", "invalid", "unavailable")
_NOT_REACHED = ("unavailable", "refused")  # the command never reached the PBX: not a dial
UNREACHED_PAUSE_S = 1.0  # progressive and predictive: no new dial for this long after the PBX could not be reached


class DialEnd(enum.Enum):
    """How a finished dial ended for the run (``finish_dial``): the PBX received it (a dial), or it never reached
    the PBX — ``UNREACHED`` (the PBX could not be reached: the caller decides what becomes of the contact) or
    ``REFUSED`` (the log-in was refused: ``run.stopped_by`` is set, the run stops)."""

    DIALED = "dialed"
    UNREACHED = "unreached"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class DialSettings:
    campaign: str
    agents: Sequence[str]
    policy: ContactPolicy
    destination: str = "PJSIP/{phone}@trunk"  # {phone}: E.164 without the '+'
    agent_context: str = "agents"
    agent_exten: str = "{agent}"
    ring_s: float = 30.0
    max_calls: int | None = None
    recheck_s: float = 30.0
    poll_s: float = 0.2
    # predictive: answered calls wait in the hold extension until an agent is free, at most connect_within_s
    hold_context: str = "callops"
    hold_exten: str = "callops-hold"
    message_context: str = "callops"  # AMI: the extension whose dialplan plays ${CALLOPS_MESSAGE} and hangs up
    message_exten: str = "callops-message"
    message_sound: str = "callops-abandon"  # the recorded message an abandoned call hears
    connect_within_s: float = 2.0
    abandon_window_h: float = 24.0
    # preview: seconds an agent has to accept or skip before the contact is dialed anyway (None: wait)
    preview_timeout_s: float | None = None

    def __post_init__(self) -> None:
        if self.ring_s < MIN_RING_S:
            raise InvalidInput(f"ring at least {MIN_RING_S:g} s", field="--ring-time")
        if "{phone}" not in self.destination:
            raise InvalidInput("the destination must contain {phone}", field="--destination")
        if "{agent}" not in self.agent_exten:
            raise InvalidInput("the agent extension must contain {agent}", field="--agent-exten")
        if not self.agents:
            raise InvalidInput("name at least one agent", field="--agents")
        if self.preview_timeout_s is not None and not 5 <= self.preview_timeout_s <= 3600:
            raise InvalidInput("the preview time-out must be 5..3600 s", field="--preview-timeout")
        if not 0 < self.connect_within_s <= 2.0:
            raise InvalidInput("an answered call must reach an agent within at most 2 s", field="connect_within_s")

    def originate(self, campaign: Campaign, contact: ContactRow, agent: str | None) -> Originate:
        """The call to ``contact``: connected to ``agent``'s extension when answered, or (None: predictive) to the
        hold extension, where it waits for the dialer to redirect it to an agent or to the message."""
        variables = {"CALLOPS_CAMPAIGN": campaign.name, "CALLOPS_MEMBER": contact.member}
        if agent is not None:
            variables["CALLOPS_AGENT"] = agent
        else:
            variables["CALLOPS_MESSAGE"] = self.message_sound
        return Originate(
            self.destination.replace("{phone}", contact.phone.lstrip("+")),
            context=self.agent_context if agent is not None else self.hold_context,
            exten=self.agent_exten.replace("{agent}", agent) if agent is not None else self.hold_exten,
            caller_id=campaign.caller_number,
            timeout_s=self.ring_s,
            variables=variables,
        )


@dataclass(slots=True)
class DialRun:
    """What a run did: dials placed (commands the PBX received), outcomes by name (``unavailable``: the PBX could
    not be reached, the contact waits for the next try), calls connected per agent, each result in order."""

    dials: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    connected: Counter[str] = field(default_factory=Counter)
    log: list[dict[str, object]] = field(default_factory=list)
    stopped_by: str | None = None  # why the run stopped early (the PBX refused the log-in)


def eligible_contacts(
    conn: sa.Connection, campaign: Campaign, policy: ContactPolicy, now: dt.datetime
) -> list[ContactRow]:
    """The campaign's contacts a call may go to now (policy, consent, DNC, retry rules), earliest allowed first."""
    contacts = campaign_contacts_of(conn, campaign)
    if not contacts:
        return []
    members = [c.member for c in contacts]
    history = ContactHistory.from_rows(history_for(conn, members), default_zone=policy.timezone, extra_members=members)
    try:
        retry = parse_retry(campaign.retry)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="retry") from None
    by_member = {c.member: c for c in contacts}
    zones = history.zones.copy()
    for i, m in enumerate(history.members):
        if str(m) in by_member:
            zones[i] = by_member[str(m)].zone
    history = ContactHistory(
        history.members,
        history.phones,
        zones,
        history.campaigns,
        history.member_idx,
        history.at_s,
        history.channel,
        history.outcome,
        history.campaign_idx,
    )
    no_consent = consent_missing(
        history, consents_for(conn, members), channel=Channel.CALL, purpose=campaign.purpose, at=now
    )
    listed = dnc_among(conn, [c.phone for c in contacts])
    dnc = on_dnc(history, listed) | np.isin(
        history.members, np.asarray([c.member for c in contacts if c.phone in listed], dtype=object)
    )
    decisions = check_contacts(
        history, policy, now, channel=Channel.CALL, campaign=campaign.name, no_consent=no_consent, dnc=dnc
    )
    not_before, done = retry_gate(history, campaign.name, retry, now_s=int(now.timestamp()))
    ok = decisions.allowed & ~done & (not_before <= int(now.timestamp()))
    order = np.flatnonzero(ok)
    return [by_member[str(history.members[i])] for i in order if str(history.members[i]) in by_member]


def still_allowed(
    conn: sa.Connection, campaign: Campaign, policy: ContactPolicy, contact: ContactRow, now: dt.datetime
) -> bool:
    """The per-member check (independent of the vectorised one) on the member's fresh history."""
    verdict = check_member_loop(
        contact.member,
        history_for(conn, [contact.member]),
        contact.zone,
        policy,
        now,
        holidays=frozenset(d.item() for d in holiday_dates(policy, range(now.year - 1, now.year + 2))),
        channel=Channel.CALL,
        campaign=campaign.name,
        no_consent=False,
        dnc=False,
    )
    return bool(verdict["allowed"])


def run_progressive(
    engine: sa.Engine,
    runner: SwitchRunner,
    settings: DialSettings,
    *,
    stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    report: Callable[[dict[str, object]], None] = lambda _row: None,
    until_idle: bool = True,
) -> DialRun:
    """Dial until ``stop()``, ``max_calls`` dials, or (``until_idle``) no contact is left and no call rings."""
    run = DialRun()
    with engine.connect() as conn:
        campaign = get_campaign(conn, settings.campaign)
    ringing: dict[str, tuple[concurrent.futures.Future[SwitchResult], ContactRow, dt.datetime]] = {}
    connected_at: dict[str, int] = {}  # agent -> log id when their last call of ours connected
    dialed: set[str] = set()
    queue: list[ContactRow] = []
    refreshed = -1e9
    hold_until = 0.0  # after the switch could not be reached: no new dial before this (monotonic)

    def requeue(_agent: str, contact: ContactRow) -> None:
        """No agent saw the contact: first in the queue again, for whichever agent is idle next, and no new dial
        for a second (the PBX gets a moment to come back)."""
        nonlocal hold_until
        dialed.discard(contact.member)
        queue.insert(0, contact)
        hold_until = time.monotonic() + UNREACHED_PAUSE_S

    while not stop():
        settle_dials(engine, campaign, run, ringing, connected_at, report, unreached=requeue)
        if run.stopped_by is not None:  # a refused log-in does not mend itself
            break
        if settings.max_calls is not None and run.dials >= settings.max_calls and not ringing:
            break
        with engine.connect() as conn:
            states = agent_states_by_id(conn, settings.agents)
        idle = [
            a
            for a in settings.agents
            if a not in ringing and states.get(a, (0, ""))[1] == "ready" and states[a][0] > connected_at.get(a, -1)
        ]
        now = clock()
        if idle and (not queue or time.monotonic() - refreshed > settings.recheck_s):
            with engine.connect() as conn:
                queue = [c for c in eligible_contacts(conn, campaign, settings.policy, now) if c.member not in dialed]
            refreshed = time.monotonic()
        if until_idle and refreshed > 0 and not queue and not ringing:
            break
        for agent in idle if time.monotonic() >= hold_until else []:
            if settings.max_calls is not None and run.dials >= settings.max_calls:
                break
            chosen = next_contact(engine, campaign, settings.policy, queue, now)
            if chosen is None:
                break
            dialed.add(chosen.member)
            ringing[agent] = (runner.submit(settings.originate(campaign, chosen, agent)), chosen, now)
            run.dials += 1
        time.sleep(settings.poll_s)
    settle_dials(engine, campaign, run, ringing, connected_at, report, unreached=None, wait_s=settings.ring_s + 15)
    return run


def next_contact(
    engine: sa.Engine, campaign: Campaign, policy: ContactPolicy, queue: list[ContactRow], now: dt.datetime
) -> ContactRow | None:
    while queue:
        contact = queue.pop(0)
        with engine.connect() as conn:
            if still_allowed(conn, campaign, policy, contact, now):
                return contact
    return None


def settle_dials(
    engine: sa.Engine,
    campaign: Campaign,
    run: DialRun,
    ringing: dict[str, tuple[concurrent.futures.Future[SwitchResult], ContactRow, dt.datetime]],
    connected_at: dict[str, int],
    report: Callable[[dict[str, object]], None],
    *,
    unreached: Callable[[str, ContactRow], None] | None,
    wait_s: float | None = None,
) -> None:
    """Record each dial of ``ringing`` (agent -> the switch's future, contact, when) whose result is in and take it
    out of ``ringing``; with ``wait_s`` (the run has stopped) wait up to that long for each one still ringing.

    What each ending means is ``finish_dial``'s; a contact the PBX could not be reached for is handed, with its
    agent, to ``unreached``: the caller's choice of what becomes of it (the dialing modes choose differently; none
    after a stop)."""
    for agent, (future, contact, at) in list(ringing.items()):
        if wait_s is None and not future.done():
            continue
        del ringing[agent]
        try:
            result = future.result(timeout=wait_s)
        except concurrent.futures.TimeoutError:
            result = SwitchResult(False, "", "timeout", "stopped before the switch answered")
        end = finish_dial(engine, campaign, run, agent, contact, at, result, connected_at, report)
        if end is DialEnd.UNREACHED and unreached is not None:
            unreached(agent, contact)


def finish_dial(
    engine: sa.Engine,
    campaign: Campaign,
    run: DialRun,
    agent: str | None,
    contact: ContactRow,
    at: dt.datetime,
    result: SwitchResult,
    connected_at: dict[str, int],
    report: Callable[[dict[str, object]], None],
) -> DialEnd:
    """Log the result of one dial (``agent``: None for a predictive call, which reaches its agent later) and record
    it as the campaign's attempt unless it connected to an agent or was never sent. A command that never reached the
    PBX is not a dial: it is taken off ``run.dials``, and a refused log-in sets ``run.stopped_by`` (it does not mend
    itself); the returned ``DialEnd`` says which it was."""
    outcome = "connected" if result.ok and result.answered else (result.reason or "failed")
    run.outcomes[outcome] += 1
    row: dict[str, object] = {
        "at": at.isoformat(),
        "agent": agent,
        "member": contact.member,
        "phone": contact.phone,
        "outcome": outcome,
        "command_id": result.command_id,
        "detail": result.detail,
    }
    run.log.append(row)
    report(row)
    with engine.begin() as conn:
        if outcome == "connected" and agent is not None:
            run.connected[agent] += 1
            connected_at[agent] = last_event_id(conn)
        elif outcome not in _NOT_SENT:
            record_attempts(
                conn,
                campaign,
                [
                    AttemptIn(
                        contact.member,
                        contact.phone,
                        Channel.CALL,
                        at,
                        _OUTCOMES.get(outcome, Outcome.FAILED),
                        agent=agent,
                    )
                ],
            )
    if result.reason not in _NOT_REACHED:
        return DialEnd.DIALED
    run.dials -= 1
    if result.reason == "refused":
        run.stopped_by = result.detail
        return DialEnd.REFUSED
    return DialEnd.UNREACHED
