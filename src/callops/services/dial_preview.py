"""Preview dialing through the switch adapter: the agent sees the contact first, then accepts (dial) or skips.

For each idle agent (as in progressive dialing) the dialer takes the next allowed contact and **offers** it: a
preview card (``store.dial_previews``) the agent's page (``/live/agent``) shows with the campaign's script, the
member and their earlier calls. The agent **accepts** — the contact is checked again with the per-member policy
check and dialed, connected to the agent's extension when it answers (exactly as progressive) — or **skips** with
a reason: no call, nothing written to ``contact_attempts`` (a skip is not a contact: the caps and retry rules do
not count it), the contact not offered again in this run. With ``preview_timeout_s`` a card still open after that
long is dialed anyway (``timeout``); an agent who leaves ready with a card open has it withdrawn (the contact goes
back to the queue), and so are the open cards when the run stops. An accepted card whose call never reached the
PBX (it could not be reached) is not lost for the run: the same contact is offered to the same agent again on a new
card that says why (``reoffered_because="pbx_unreachable"``: the page tells the agent the call did not go through).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import time
from collections.abc import Callable

import sqlalchemy as sa

from callops.dialer.contact_list import ContactRow
from callops.feeds.switch import SwitchResult
from callops.services.campaign_dial import (
    DialRun,
    DialSettings,
    eligible_contacts,
    next_contact,
    settle_dials,
    still_allowed,
)
from callops.services.switch_runner import SwitchRunner
from callops.store.campaigns import get_campaign
from callops.store.dial_previews import (
    SKIP_REASONS,
    PreviewCard,
    close_preview,
    decide_preview,
    offer_preview,
    open_preview,
    preview_decisions,
)
from callops.store.switch_log import agent_states_by_id

__all__ = ["SKIP_REASONS", "agent_card", "decide_card", "run_preview"]


def run_preview(
    engine: sa.Engine,
    runner: SwitchRunner,
    settings: DialSettings,
    *,
    stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    report: Callable[[dict[str, object]], None] = lambda _row: None,
    until_idle: bool = True,
) -> DialRun:
    """Offer, dial the accepted, until ``stop()``, ``max_calls`` dials, or (``until_idle``) no contact is left and no
    card is open and no call rings. ``run.outcomes`` also counts ``skipped`` cards (by no call)."""
    run = DialRun()
    with engine.connect() as conn:
        campaign = get_campaign(conn, settings.campaign)
    offered: dict[str, tuple[int, ContactRow, float]] = {}  # agent -> (card id, contact, offered at, monotonic)
    ringing: dict[str, tuple[concurrent.futures.Future[SwitchResult], ContactRow, dt.datetime]] = {}
    connected_at: dict[str, int] = {}
    dialed: set[str] = set()  # offered in this run (dialed, skipped or on a card)
    queue: list[ContactRow] = []
    refreshed = -1e9

    def offer(agent: str, contact: ContactRow, now: dt.datetime, *, because: str | None = None) -> None:
        with engine.begin() as conn:
            card = offer_preview(conn, campaign, agent, contact, now=now, reoffered_because=because)
        offered[agent] = (card, contact, time.monotonic())
        report({"at": now.isoformat(), "agent": agent, "member": contact.member, "phone": contact.phone,
                "outcome": "offered", "command_id": "",
                "detail": "on the agent's page" + ("" if because is None else f", again: {because}")})

    def reoffer(agent: str, contact: ContactRow) -> None:
        """The agent read the card and wanted the call: the same contact on a new card for them at once, not lost
        for the run (should they leave ready, it is withdrawn and goes back to the queue, as any card)."""
        offer(agent, contact, clock(), because="pbx_unreachable")

    while not stop():
        settle_dials(engine, campaign, run, ringing, connected_at, report, unreached=reoffer)
        if run.stopped_by is not None:
            break
        now = clock()
        with engine.connect() as conn:
            states = agent_states_by_id(conn, settings.agents)
            decisions = preview_decisions(conn, [card for card, _, _ in offered.values()])
        ready = {a for a in settings.agents if states.get(a, (0, ""))[1] == "ready"
                 and states[a][0] > connected_at.get(a, -1)}
        for agent, (card, contact, offered_s) in list(offered.items()):
            decision, reason = decisions.get(card, (None, None))
            if decision is None and agent not in ready:
                with engine.begin() as conn:
                    withdrawn = close_preview(conn, card, "withdrawn", now=now)
                if withdrawn:
                    del offered[agent]
                    dialed.discard(contact.member)
                    queue.insert(0, contact)
                continue
            timed_out = (decision is None and settings.preview_timeout_s is not None
                         and time.monotonic() - offered_s >= settings.preview_timeout_s)
            if timed_out:
                with engine.begin() as conn:
                    if not close_preview(conn, card, "timeout", now=now):
                        continue  # the agent decided in the meantime: read it on the next pass
                decision = "timeout"
            if decision is None:
                continue
            del offered[agent]
            if decision == "skipped":
                run.outcomes["skipped"] += 1
                row: dict[str, object] = {"at": now.isoformat(), "agent": agent, "member": contact.member,
                                          "phone": contact.phone, "outcome": "skipped", "command_id": "",
                                          "detail": f"reason {reason}"}
                run.log.append(row)
                report(row)
            elif decision in ("accepted", "timeout"):
                with engine.connect() as conn:
                    allowed = still_allowed(conn, campaign, settings.policy, contact, now)
                if not allowed:  # the window closed or another campaign called while the agent read the card
                    run.outcomes["not_allowed"] += 1
                    continue
                ringing[agent] = (runner.submit(settings.originate(campaign, contact, agent)), contact, now)
                run.dials += 1
        idle = [a for a in settings.agents if a in ready and a not in ringing and a not in offered]
        if idle and (not queue or time.monotonic() - refreshed > settings.recheck_s):
            with engine.connect() as conn:
                queue = [c for c in eligible_contacts(conn, campaign, settings.policy, now) if c.member not in dialed]
            refreshed = time.monotonic()
        capped = settings.max_calls is not None and run.dials + len(offered) >= settings.max_calls
        if not ringing and not offered and ((until_idle and refreshed > 0 and not queue) or capped):
            break
        for agent in [] if capped else idle:
            if settings.max_calls is not None and run.dials + len(offered) >= settings.max_calls:
                break
            chosen = next_contact(engine, campaign, settings.policy, queue, now)
            if chosen is None:
                break
            dialed.add(chosen.member)
            offer(agent, chosen, now)
        time.sleep(settings.poll_s)
    with engine.begin() as conn:
        for card, _, _ in offered.values():
            close_preview(conn, card, "withdrawn", now=clock())
    settle_dials(engine, campaign, run, ringing, connected_at, report, unreached=None, wait_s=settings.ring_s + 15)
    return run


# --- the agent's side: the card /live/agent shows, and the agent's decision on it --------------------------

def agent_card(conn: sa.Connection, agent: str) -> tuple[PreviewCard | None, bool]:
    """The agent's open preview card, and whether their page should wait for the next one (no card open and
    their last switch state is ``ready``)."""
    card = open_preview(conn, agent)
    last = agent_states_by_id(conn, [agent]).get(agent)
    return card, card is None and last is not None and last[1] == "ready"


def decide_card(conn: sa.Connection, card_id: int, *, agent: str, decision: str, reason: str | None,
                now: dt.datetime) -> None:
    """The agent's decision on card ``card_id``: ``accepted`` (dial now) or ``skipped`` with one of
    ``SKIP_REASONS``; InvalidInput naming the field, NotFound for another agent's or an unknown card, Conflict
    when it is no longer open."""
    decide_preview(conn, card_id, agent=agent, decision=decision, reason=reason, now=now)
