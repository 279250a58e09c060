"""Predictive dialing through the switch adapter: callops' pacer with its guaranteed abandon cap, on the PBX.

More lines than idle agents may ring. Each call is originated into the **hold extension** (``hold_context`` /
``hold_exten``: the dialplan answers and waits); when the switch reports it answered, it is a live answer and
waits for an agent. An agent is idle as in progressive dialing (ready in the live log, and ready again after a
call of ours connected). A waiting call is redirected to the first idle agent's extension; one that finds no agent
within ``connect_within_s`` (2 s) is an **abandon**: it hears the recorded message (``PlayMessage``: FreeSWITCH
plays it, Asterisk is redirected to the message extension whose dialplan plays ``${CALLOPS_MESSAGE}``) and is
recorded as an attempt with the outcome ``abandoned``, so the contact policy's quiet period (72 h) applies.

How many lines: ``dialer.pacing.BudgetPacer`` (the simulator's ``callops`` pacing), fed from the floor as this
run sees it — idle agents, the handle time so far of each agent on a call of ours (a lognormal fitted to the
handles that ended: connect to the next ready), lines ringing, answered calls waiting, and the window's counts.
The window (24 h, ``abandon_window_h``) starts from the campaign's recorded calls before the run (``call_counts``:
live answers, abandons, calls with an outcome for the connect-rate estimate) plus this run's own live answers and
abandons; the part from the database is read again every ``recheck_s``, counting only the calls that stay in the
window for another 1/24 of it (the simulator's guard). The pacer never lets ``A + X > cap (L + X)`` with ``X``
the calls that could still be abandoned, so abandons stay within the campaign's cap of live answers whatever
happens on the PBX (a call whose redirect to an agent fails is counted as an abandon too).

A command that never reached the PBX is not a dial (``campaign_dial.finish_dial`` decides, for all three dialing
modes): a refused log-in stops new dials (the calls in flight still reach an agent or the message); when the PBX
could not be reached the contact is first in the queue again after a second with no new dial, as in progressive.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa

from callops.dialer import Channel
from callops.dialer.contact_list import ContactRow
from callops.dialer.pacing import BudgetPacer, FloorView
from callops.dialer.records import Outcome
from callops.feeds.switch import PlayMessage, Redirect, SwitchResult
from callops.services.campaign_dial import (
    UNREACHED_PAUSE_S,
    DialEnd,
    DialRun,
    DialSettings,
    eligible_contacts,
    finish_dial,
    next_contact,
)
from callops.services.switch_runner import SwitchRunner
from callops.store.campaigns import AttemptIn, Campaign, call_counts, get_campaign, record_attempts
from callops.store.live_events import last_event_id
from callops.store.switch_log import agent_states_by_id

__all__ = ["run_predictive"]

_DEFAULT_HANDLE_S = 180.0
_DEFAULT_ANSWER_S = 8.0


@dataclass(slots=True)
class _Line:
    future: concurrent.futures.Future[SwitchResult]
    contact: ContactRow
    at: dt.datetime
    dialed_s: float
    resolved_s: list[float] = field(default_factory=list)  # set by the future's callback: when the switch answered


@dataclass(slots=True)
class _Waiting:
    line: _Line
    channel: str
    answered_s: float


@dataclass(slots=True)
class _Window:
    """The abandon window: counts from the database before the run, and this run's own."""

    db_resolved: int = 0
    db_live: int = 0
    db_live_staying: int = 0
    db_abandons: int = 0
    run_resolved: int = 0
    run_live: int = 0
    run_abandons: int = 0

    def refresh(self, conn: sa.Connection, campaign: Campaign, started: dt.datetime, now: dt.datetime,
                window_h: float) -> None:
        since = now - dt.timedelta(hours=window_h)
        self.db_resolved, self.db_live, self.db_abandons = call_counts(conn, campaign, since=since, before=started)
        _, self.db_live_staying, _ = call_counts(
            conn, campaign, since=since + dt.timedelta(hours=window_h / 24), before=started
        )


def run_predictive(
    engine: sa.Engine,
    runner: SwitchRunner,
    settings: DialSettings,
    *,
    stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    report: Callable[[dict[str, object]], None] = lambda _row: None,
    until_idle: bool = True,
) -> DialRun:
    """Dial until ``stop()``, ``max_calls`` dials, or (``until_idle``) no contact is left and no call rings or
    waits. ``run.outcomes`` counts ``connected`` (to an agent), ``abandoned``, and the switch's other outcomes."""
    run = DialRun()
    started = clock()
    with engine.connect() as conn:
        campaign = get_campaign(conn, settings.campaign)
    pacer = BudgetPacer(cap=campaign.abandon_cap)
    window = _Window()
    lines: list[_Line] = []
    waiting: list[_Waiting] = []
    busy: dict[str, tuple[float, int]] = {}  # agent -> (handle start, monotonic; log id when connected)
    connected_at: dict[str, int] = {}
    handle_logs: list[float] = []
    answer_delays: list[float] = []
    dialed: set[str] = set()
    queue: list[ContactRow] = []
    refreshed = -1e9
    hold_until = 0.0
    draining = False  # stopped: no new dial; the calls in flight still reach an agent

    def at_limit() -> bool:  # asked each time: a dial that never reached the PBX gives its place back
        return settings.max_calls is not None and run.dials >= settings.max_calls

    while True:
        draining = draining or stop()
        mono = time.monotonic()
        now = clock()
        if not draining and not at_limit() and (mono - refreshed > settings.recheck_s
                                                or (not queue and mono - refreshed > 1.0)):
            with engine.connect() as conn:
                window.refresh(conn, campaign, started, now, settings.abandon_window_h)
                queue = [c for c in eligible_contacts(conn, campaign, settings.policy, now) if c.member not in dialed]
            refreshed = mono
        for line in [x for x in lines if x.future.done()]:
            lines.remove(line)
            result = line.future.result()
            if result.ok and result.answered:
                answered_s = line.resolved_s[0] if line.resolved_s else mono
                window.run_resolved += 1
                window.run_live += 1
                answer_delays.append(answered_s - line.dialed_s)
                call = _Waiting(line, result.channel or "", answered_s)
                if result.channel:
                    waiting.append(call)
                else:  # answered, but the switch named no call to move: nobody can reach the contact
                    _abandon(engine, runner, settings, campaign, run, call, window, report,
                             "the switch reported the answer without a channel")
                continue
            end = finish_dial(engine, campaign, run, None, line.contact, line.at, result, connected_at, report)
            if end is DialEnd.DIALED:
                window.run_resolved += 1
            elif end is DialEnd.UNREACHED:  # first in the queue again, and no new dial for a second
                dialed.discard(line.contact.member)
                queue.insert(0, line.contact)
                hold_until = mono + UNREACHED_PAUSE_S
        if run.stopped_by is not None:
            draining = True
        with engine.connect() as conn:
            states = agent_states_by_id(conn, settings.agents)
        for agent, (since_s, log_id) in list(busy.items()):
            last = states.get(agent, (0, ""))
            if last[1] == "ready" and last[0] > log_id:
                del busy[agent]
                handle_logs.append(math.log(max(mono - since_s, 1.0)))
        idle = [a for a in settings.agents if a not in busy and states.get(a, (0, ""))[1] == "ready"
                and states[a][0] > connected_at.get(a, -1)]
        mono = time.monotonic()
        for call in list(waiting):  # oldest first: connect while an agent is idle, else abandon after 2 s
            if idle:
                agent = idle.pop(0)
                waiting.remove(call)
                _connect(engine, runner, settings, campaign, run, agent, call, busy, connected_at, window, report)
            elif mono - call.answered_s >= settings.connect_within_s:
                waiting.remove(call)
                _abandon(engine, runner, settings, campaign, run, call, window, report,
                         f"no agent free within {settings.connect_within_s:g} s")
        if not lines and not waiting and (draining or at_limit() or (until_idle and refreshed > 0 and not queue)):
            break
        if not draining and not at_limit() and mono >= hold_until and queue:
            view = _view(mono, settings, idle, busy, lines, waiting, window, handle_logs, answer_delays)
            for _ in range(pacer.dials(view)):
                if at_limit():
                    break
                chosen = next_contact(engine, campaign, settings.policy, queue, now)
                if chosen is None:
                    break
                dialed.add(chosen.member)
                line = _Line(runner.submit(settings.originate(campaign, chosen, None)), chosen, now, mono)
                line.future.add_done_callback(_stamper(line.resolved_s))
                lines.append(line)
                run.dials += 1
        time.sleep(settings.poll_s)
    return run


def _stamper(stamps: list[float]) -> Callable[[concurrent.futures.Future[SwitchResult]], None]:
    """A done-callback noting when the switch's answer came (the 2 s to reach an agent run from then)."""

    def stamp(_future: concurrent.futures.Future[SwitchResult]) -> None:
        stamps.append(time.monotonic())

    return stamp


def _view(mono: float, settings: DialSettings, idle: list[str], busy: dict[str, tuple[float, int]],
          lines: list[_Line], waiting: list[_Waiting], window: _Window, handle_logs: list[float],
          answer_delays: list[float]) -> FloorView:
    logs = np.asarray(handle_logs[-500:], dtype=np.float64)
    log_mean = float(logs.mean()) if len(logs) >= 5 else math.log(_DEFAULT_HANDLE_S)
    log_sd = float(logs.std()) if len(logs) >= 5 else 0.8
    live = window.db_live + window.run_live
    abandons = window.db_abandons + window.run_abandons
    return FloorView(
        now_s=mono,
        agents=len(idle) + len(busy),
        idle=len(idle),
        busy_since_s=np.asarray([since for since, _ in busy.values()], dtype=np.float64),
        ringing=len(lines),
        waiting=len(waiting),
        live_in_window=live,
        abandons_in_window=abandons,
        live_in_window_staying=window.db_live_staying + window.run_live,
        dials_resolved=window.db_resolved + window.run_resolved,
        live_resolved=live,
        answer_delay_mean_s=float(np.mean(answer_delays[-200:])) if answer_delays else _DEFAULT_ANSWER_S,
        handle_log_mean=log_mean,
        handle_log_sd=max(log_sd, 0.05),
        dials_today=0,
        drops_today=abandons,
        answered_today=live,
        dials_last_60s=0,
        drops_last_60s=0,
    )


def _connect(engine: sa.Engine, runner: SwitchRunner, settings: DialSettings, campaign: Campaign, run: DialRun,
             agent: str, call: _Waiting, busy: dict[str, tuple[float, int]], connected_at: dict[str, int],
             window: _Window, report: Callable[[dict[str, object]], None]) -> None:
    exten = settings.agent_exten.replace("{agent}", agent)
    result = runner.submit(Redirect(call.channel, settings.agent_context, exten)).result(timeout=30)
    if not result.ok:  # the caller heard nobody: an abandon, counted as one
        _abandon(engine, runner, settings, campaign, run, call, window, report,
                 f"the redirect to {agent} failed: {result.reason} {result.detail}".strip())
        return
    with engine.connect() as conn:
        log_id = last_event_id(conn)
    busy[agent] = (time.monotonic(), log_id)
    connected_at[agent] = log_id
    run.connected[agent] += 1
    run.outcomes["connected"] += 1
    row: dict[str, object] = {"at": call.line.at.isoformat(), "agent": agent, "member": call.line.contact.member,
                              "phone": call.line.contact.phone, "outcome": "connected",
                              "command_id": result.command_id, "detail": f"answered, waited "
                              f"{time.monotonic() - call.answered_s:.1f} s"}
    run.log.append(row)
    report(row)


def _abandon(engine: sa.Engine, runner: SwitchRunner, settings: DialSettings, campaign: Campaign, run: DialRun,
             call: _Waiting, window: _Window, report: Callable[[dict[str, object]], None], why: str) -> None:
    played = runner.submit(
        PlayMessage(call.channel, settings.message_sound, settings.message_context, settings.message_exten)
    ).result(timeout=30) if call.channel else SwitchResult(False, "", "invalid", "no channel to play it to")
    window.run_abandons += 1
    run.outcomes["abandoned"] += 1
    contact = call.line.contact
    with engine.begin() as conn:
        record_attempts(conn, campaign, [AttemptIn(contact.member, contact.phone, Channel.CALL, call.line.at,
                                                   Outcome.ABANDONED)])
    row: dict[str, object] = {"at": call.line.at.isoformat(), "agent": None, "member": contact.member,
                              "phone": contact.phone, "outcome": "abandoned", "command_id": played.command_id,
                              "detail": f"{why}; message "
                              + ("played" if played.ok else f"not played: {played.reason} {played.detail}".strip())}
    run.log.append(row)
    report(row)
