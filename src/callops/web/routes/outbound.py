"""Outbound pages: the campaigns, a campaign (progress, pacing, abandon gauge against the cap, its stored journey
with the form that edits it for MANAGE_DIRECTORY), a member
(contact history across channels and campaigns, consent, and why not now) and the site's contact policy.

Campaigns are made with ``callops campaign``. The why-not uses the site's policy in force (the stored one, else
the China default) at the request's time. The policy page shows it to roles with VIEW_REPORTS and lets roles
with MANAGE_DIRECTORY save a new version: every field is validated by the policy's one validator (the YAML
loader's), a bad value answers 400 with the form as typed and the error beside its field. Phone numbers are
masked for roles without VIEW_PII.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.dialer import (
    Channel,
    ContactHistory,
    Purpose,
    check_contacts,
    consent_missing,
    on_dnc,
)
from callops.dialer.journey_form import TOUCH_ROWS, journey_form_values, mapping_from_journey_form
from callops.dialer.journey_form import form_field as journey_field
from callops.dialer.journeys import DEFAULT_JOURNEY_SETTINGS
from callops.dialer.policy import ContactPolicy, policy_to_mapping
from callops.dialer.policy_form import CAP_ROWS, FIELDS, form_field, form_values, mapping_from_form
from callops.dialer.repurchase import GOOD_RATIO, repurchase_ratio
from callops.errors import InvalidInput
from callops.permissions import Permission, allowed
from callops.services.campaign_journeys import save_stored_journey, stored_journey
from callops.services.contact_policy import policy_history, policy_in_force, save_site_policy
from callops.store.campaigns import (
    campaign_progress,
    consents_for,
    dnc_among,
    get_campaign,
    history_for,
    list_campaigns,
    member_listings,
    outbound_report,
    sales_for_repurchase,
)
from callops.web.access import shown_number
from callops.web.deps import ConnDep, NowDep, User, ViewerDep, require
from callops.web.form_input import FormValuesDep
from callops.web.i18n import Translator
from callops.web.nav import NavItem
from callops.web.reason_keys import say_reason
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


def _campaign_page(request: Request, conn: ConnDep, user: User, viewer: ViewerDep, now: dt.datetime, name: str, *,
                   values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   status_code: int = 200) -> HTMLResponse:
    campaign = get_campaign(conn, _checked_name(name, "name"))
    report = outbound_report(conn, campaign, start=now - dt.timedelta(days=REPORT_DAYS), end=now)
    total = report["total"]
    rate = total["max_window_abandon_rate"]
    gauge = None if rate is None else min(rate / campaign.abandon_cap, 2.0)
    stored = stored_journey(conn, campaign.name)
    if values is None:
        values = journey_form_values(stored.settings if stored else {**DEFAULT_JOURNEY_SETTINGS,
                                                                     "name": campaign.name})
    return render(request, viewer, "outbound/campaign.html", {
        "campaign": campaign, "progress": campaign_progress(conn, campaign), "total": total,
        "agents": report["agents"], "gauge": gauge, "days": REPORT_DAYS,
        "caller": shown_number(user, campaign.caller_number), "journey": stored, "values": values,
        "errors": errors or {}, "touch_rows": range(TOUCH_ROWS),
        "can_edit": allowed(user.role, Permission.MANAGE_DIRECTORY),
    }, status_code=status_code)


@router.get("/outbound/campaigns/{name}", response_class=HTMLResponse)
def campaign_page(request: Request, name: str, conn: ConnDep,
                  user: Annotated[User, require(Permission.VIEW_REPORTS)], viewer: ViewerDep,
                  now: NowDep) -> HTMLResponse:
    return _campaign_page(request, conn, user, viewer, now, name)


@router.post("/outbound/campaigns/{name}/journey", response_class=HTMLResponse)
def save_journey_form(request: Request, name: str, conn: ConnDep,
                      user: Annotated[User, require(Permission.MANAGE_DIRECTORY)], viewer: ViewerDep, now: NowDep,
                      values: FormValuesDep) -> Response:
    """Store the campaign's journey from the form; a bad value answers 400 with the form as typed and the message
    beside the field at fault (the validator's ``touches[1].after`` is the second filled row's spacing)."""
    campaign = get_campaign(conn, _checked_name(name, "name"))
    typed = {k: v[:80] for k, v in values.items() if k == "journey_name" or k.startswith("touch_")}
    form = mapping_from_journey_form(typed, campaign=campaign.name)
    try:
        save_stored_journey(conn, campaign.name, form.settings, saved_by=user.username, now=now)
    except InvalidInput as exc:
        conn.rollback()
        field = journey_field(exc.field, form.rows)
        message = say_reason(exc.reason, viewer.t)
        errors = {field: message} if field else {"": viewer.t("form.field_error", field=exc.field or "",
                                                              message=message)}
        return _campaign_page(request, conn, user, viewer, now, name, values=typed, errors=errors, status_code=400)
    return RedirectResponse(f"/outbound/campaigns/{campaign.name}?saved=journey#journey", status_code=303)


@router.get("/outbound/members/{member}", response_class=HTMLResponse)
def member_page(request: Request, member: str, conn: ConnDep,
                user: Annotated[User, require(Permission.VIEW_REPORTS)], viewer: ViewerDep,
                now: NowDep) -> HTMLResponse:
    member = _checked_name(member, "member")
    listings = member_listings(conn, member)
    attempts = sorted(history_for(conn, [member]), key=lambda r: r.at, reverse=True)
    consents = consents_for(conn, [member])
    policy, _ = policy_in_force(conn)
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
        "consents": consents, "why": why, "now": now, "rule_labels": rule_labels(policy, viewer.t),
    })


def rule_labels(policy: ContactPolicy, t: Translator) -> dict[str, str]:
    """What each rule name means under ``policy``, in the viewer's language."""
    labels = {name: t(f"outbound.rule.{name}") for name in ("dnc", "consent", "refusal_cap", "holiday")}
    labels["quiet_after_abandon"] = t("outbound.rule.quiet", hours=f"{policy.quiet_after_abandon_s / 3600:g}")
    labels["calling_window"] = t("outbound.rule.window", start=f"{policy.window_start_min // 60:02d}:"
                                 f"{policy.window_start_min % 60:02d}", end=f"{policy.window_end_min // 60:02d}:"
                                 f"{policy.window_end_min % 60:02d}")
    for cap in policy.caps:
        labels[cap.name] = t("outbound.rule.cap", limit=cap.limit, channel=t(f"outbound.channel.{cap.channel.value}"),
                             window=cap.label)
    return labels


POLICY_VERSIONS_SHOWN = 20
def _policy_page(request: Request, conn: ConnDep, user: User, viewer: ViewerDep, *, values: dict[str, str],
                 errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    policy, stored = policy_in_force(conn)
    return render(request, viewer, "outbound/policy.html", {
        "values": values, "errors": errors, "stored": stored, "versions": policy_history(
            conn, limit=POLICY_VERSIONS_SHOWN), "cap_rows": range(CAP_ROWS), "can_edit": allowed(
            user.role, Permission.MANAGE_DIRECTORY), "rule_labels": rule_labels(policy, viewer.t),
        "policy": policy,
    }, status_code=status_code)


@router.get("/outbound/policy", response_class=HTMLResponse)
def policy_page(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.VIEW_REPORTS)],
                viewer: ViewerDep) -> HTMLResponse:
    policy, _ = policy_in_force(conn)
    return _policy_page(request, conn, user, viewer, values=form_values(policy_to_mapping(policy)), errors={})


@router.post("/outbound/policy", response_class=HTMLResponse)
def save_policy_form(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.MANAGE_DIRECTORY)],
                     viewer: ViewerDep, now: NowDep, values: FormValuesDep) -> Response:
    typed = {k: v for k, v in values.items() if k in (*FIELDS, "note")}
    form = mapping_from_form(typed)
    try:
        saved = save_site_policy(conn, form.settings, actor=user.username, at=now, note=typed.get("note", "").strip())
    except InvalidInput as exc:
        field = "note" if exc.field == "note" else form_field(exc.field, form.cap_rows)
        message = say_reason(exc.reason, viewer.t)
        errors = {field: message} if field else {"": viewer.t("form.field_error", field=exc.field or "",
                                                              message=message)}
        return _policy_page(request, conn, user, viewer, values=typed, errors=errors, status_code=400)
    return RedirectResponse(f"/outbound/policy?saved={saved.version}", status_code=303)




MAX_REPURCHASE_MONTHS = 36


@router.get("/outbound/repurchase", response_class=HTMLResponse)
def repurchase_page(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.VIEW_REPORTS)],
                    viewer: ViewerDep, now: NowDep, months: str = "12", campaign: str = "") -> HTMLResponse:
    """Repeat-purchase : first-purchase sales per month and campaign over the last ``months`` months (in the
    viewer's zone), against seed 004's 9 to 1."""
    if not months.strip().isdigit() or not 1 <= int(months) <= MAX_REPURCHASE_MONTHS:
        raise InvalidInput(f"give a whole number of months from 1 to {MAX_REPURCHASE_MONTHS}", field="months")
    names = [c.name for c in list_campaigns(conn)]
    chosen = campaign.strip() or None
    if chosen is not None and chosen not in names:
        raise InvalidInput(f"no campaign named {chosen!r}", field="campaign")
    zone = viewer.fmt.tz_name
    local_now = now.astimezone(viewer.fmt.tz)
    first_of_month = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    year, month = divmod(first_of_month.year * 12 + first_of_month.month - 1 - (int(months) - 1), 12)
    start = first_of_month.replace(year=year, month=month + 1)
    end = now + dt.timedelta(seconds=1)
    report = repurchase_ratio(sales_for_repurchase(conn, start=start, end=end, campaign=chosen), start=start,
                              end=end, zone=zone, campaign=chosen)
    return render(request, viewer, "outbound/repurchase.html", {
        "report": report, "months": int(months), "campaign": chosen or "", "campaigns": names,
        "good_ratio": GOOD_RATIO, "start": start,
    })
