"""Outbound pages: the campaigns, a campaign (progress, pacing, abandon gauge against the cap) and a member
(contact history across channels and campaigns, consent, and why not now).

Reads only; campaigns are made with ``callops campaign``. The why-not uses the China default policy at the
request's time. Phone numbers are masked for roles without VIEW_PII.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from callops.dialer import (
    Channel,
    ContactHistory,
    Purpose,
    check_contacts,
    china_default,
    consent_missing,
    on_dnc,
)
from callops.errors import InvalidInput
from callops.permissions import Permission
from callops.store.campaigns import (
    campaign_progress,
    consents_for,
    dnc_among,
    get_campaign,
    history_for,
    list_campaigns,
    member_listings,
    outbound_report,
)
from callops.store.users import User
from callops.web.access import shown_number
from callops.web.deps import ConnDep, NowDep, ViewerDep, require
from callops.web.nav import NavItem
from callops.web.rendering import render

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.outbound", "/outbound", permission=Permission.VIEW_REPORTS, order=45,
               description_key="outbound.card"),)

REPORT_DAYS = 30
MAX_MEMBER_ATTEMPTS = 500


def _checked_name(value: str, field: str) -> str:
    if not value or len(value) > 80:
        raise InvalidInput("must be 1-80 characters", field=field)
    return value


@router.get("/outbound", response_class=HTMLResponse)
def outbound_page(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.VIEW_REPORTS)],
                  viewer: ViewerDep) -> HTMLResponse:
    rows = [(c, campaign_progress(conn, c)) for c in list_campaigns(conn)[:200]]
    return render(request, viewer, "outbound/campaigns.html", {"rows": rows})


@router.get("/outbound/campaigns/{name}", response_class=HTMLResponse)
def campaign_page(request: Request, name: str, conn: ConnDep,
                  user: Annotated[User, require(Permission.VIEW_REPORTS)], viewer: ViewerDep,
                  now: NowDep) -> HTMLResponse:
    campaign = get_campaign(conn, _checked_name(name, "name"))
    report = outbound_report(conn, campaign, start=now - dt.timedelta(days=REPORT_DAYS), end=now)
    total = report["total"]
    rate = total["max_window_abandon_rate"]
    gauge = None if rate is None else min(rate / campaign.abandon_cap, 2.0)
    return render(request, viewer, "outbound/campaign.html", {
        "campaign": campaign, "progress": campaign_progress(conn, campaign), "total": total,
        "agents": report["agents"], "gauge": gauge, "days": REPORT_DAYS,
        "caller": shown_number(user, campaign.caller_number),
    })


@router.get("/outbound/members/{member}", response_class=HTMLResponse)
def member_page(request: Request, member: str, conn: ConnDep,
                user: Annotated[User, require(Permission.VIEW_REPORTS)], viewer: ViewerDep,
                now: NowDep) -> HTMLResponse:
    member = _checked_name(member, "member")
    listings = member_listings(conn, member)
    attempts = sorted(history_for(conn, [member]), key=lambda r: r.at, reverse=True)
    consents = consents_for(conn, [member])
    policy = china_default()
    why = None
    if listings or attempts:
        phone = listings[0][1].phone if listings else attempts[0].phone
        history = ContactHistory.from_rows(attempts, default_zone=policy.timezone, extra_members=[member])
        if listings:
            history.phones[0] = phone
        dnc = on_dnc(history, dnc_among(conn, [p for p in (phone,) if p]))
        purpose = get_campaign(conn, listings[0][0]).purpose if listings else Purpose.SALES
        decisions = {}
        for channel in Channel:
            no_consent = consent_missing(history, consents, channel=channel, purpose=purpose, at=now)
            decisions[channel.value] = check_contacts(history, policy, now, channel=channel, no_consent=no_consent,
                                                      dnc=dnc if channel is Channel.CALL else None).as_dicts()[0]
        why = decisions
    return render(request, viewer, "outbound/member.html", {
        "member": member, "listings": [(n, shown_number(user, c.phone), c) for n, c in listings],
        "attempts": [(a, shown_number(user, a.phone)) for a in attempts[:MAX_MEMBER_ATTEMPTS]],
        "consents": consents, "why": why, "now": now,
    })


