"""Preview dialing (services.dial_preview, store.dial_previews): the agent's page shows the contact, accept dials
it, skip records the reason and no contact attempt, a time-out dials anyway; the card on /live/agent."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.dialer import china_default
from callops.dialer.contact_list import ContactRow
from callops.feeds.switch_ami import AmiSwitch
from callops.feeds.switch_esl import EslSwitch
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import Role
from callops.services.campaign_dial import DialRun, DialSettings
from callops.services.dial_preview import run_preview
from callops.services.switch_runner import SwitchRunner
from callops.store.campaigns import add_contacts, create_campaign, get_campaign, history_for
from callops.store.dial_previews import decide_preview, offer_preview, open_preview, skipped_counts
from callops.store.live_events import append_events
from callops.store.schema import dial_previews, users
from callops.web import create_app
from switch_servers import (
    AMI_SECRET,
    ANSWERED,
    ESL_PASSWORD,
    QUEUED,
    AmiActionServer,
    EslCommandServer,
    back_on,
    in_thread,
)
from web_sign_in import login, password_hash

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)


def _campaign(engine: sa.Engine, members: int = 2) -> None:
    with engine.begin() as conn:
        camp = create_campaign(conn, name="spring", purpose="sales", mode="preview", caller_number="4008123123",
                               script="Hello, this is the spring offer.", now=AT)
        add_contacts(conn, camp, [ContactRow(f"m{i}", f"+86138001{i:05d}", "Asia/Shanghai", f"Member {i}", "")
                                  for i in range(1, members + 1)])
        append_events(conn, [LiveEvent(kind=LiveEventKind.AGENT_STATE, at=dt.datetime.now(dt.UTC), source="web",
                                       agent="7001", state="ready")])


def _in_thread(call: Callable[[], DialRun]) -> tuple[threading.Thread, list[DialRun]]:
    out: list[DialRun] = []
    worker = threading.Thread(target=lambda: out.append(call()))
    worker.start()
    return worker, out


def _card(engine: sa.Engine, *, not_id: int | None = None, wait_s: float = 15.0) -> tuple[int, str]:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            card = open_preview(conn, "7001")
        if card is not None and card.id != not_id:
            return card.id, card.member
        time.sleep(0.02)
    raise AssertionError("no preview card offered")


def test_skip_is_no_contact_and_accept_dials_the_agent(engine: sa.Engine) -> None:
    """The first card is skipped with a reason: no call, nothing in the attempts, the reason kept. The second is
    accepted: it is dialed and connected to the agent's extension, as progressive dialing does."""
    _campaign(engine)
    server = AmiActionServer(lambda action: [QUEUED, ANSWERED])
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), poll_s=0.02, ring_s=20)
    with in_thread(server) as port:
        runner = SwitchRunner(AmiSwitch("127.0.0.1", port, username="callops", secret=AMI_SECRET,
                                        answer_timeout_s=2))
        try:
            worker, out = _in_thread(lambda: run_preview(engine, runner, settings, clock=lambda: AT))
            first, skipped_member = _card(engine)
            assert server.received == []  # nothing is dialed while the agent reads the card
            with engine.begin() as conn:
                decide_preview(conn, first, agent="7001", decision="skipped", reason="not_suitable", now=AT)
            second, accepted_member = _card(engine, not_id=first)
            with engine.begin() as conn:
                decide_preview(conn, second, agent="7001", decision="accepted", reason=None, now=AT)
            worker.join(30)
        finally:
            runner.close()
    assert not worker.is_alive()
    (run,) = out
    assert run.dials == 1 and run.outcomes == {"skipped": 1, "connected": 1}
    assert {skipped_member, accepted_member} == {"m1", "m2"}
    (originate,) = server.received
    assert f"Variable: CALLOPS_MEMBER={accepted_member}\r\n" in originate
    assert "\r\nContext: agents\r\nExten: 7001\r\n" in originate
    with engine.connect() as conn:
        assert history_for(conn, [skipped_member]) == []  # a skip is not a contact attempt
        assert skipped_counts(conn, get_campaign(conn, "spring")) == {"not_suitable": 1}
        rows = conn.execute(sa.select(dial_previews.c.member, dial_previews.c.decision).order_by(dial_previews.c.id))
        assert [tuple(r) for r in rows] == [(skipped_member, "skipped"), (accepted_member, "accepted")]


def test_a_card_left_open_is_dialed_after_the_time_out(engine: sa.Engine) -> None:
    """With --preview-timeout 5 an undecided card is dialed anyway (FreeSWITCH, no answer: recorded); a late
    accept finds it closed."""
    _campaign(engine, members=1)
    server = EslCommandServer(lambda command: ("+OK Job-UUID: {job}", "-ERR NO_ANSWER\n"))
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), poll_s=0.05,
                            destination="sofia/gateway/trunk/{phone}", preview_timeout_s=5)
    with in_thread(server) as port:
        runner = SwitchRunner(EslSwitch("127.0.0.1", port, password=ESL_PASSWORD, answer_timeout_s=2))
        try:
            started = time.monotonic()
            run = run_preview(engine, runner, settings, clock=lambda: AT)
        finally:
            runner.close()
    assert time.monotonic() - started >= 5
    assert run.dials == 1 and run.outcomes == {"no_answer": 1}
    assert len(server.received) == 1 and " 7001 XML agents\n" in server.received[0]
    with engine.connect() as conn:
        assert [h.outcome.value for h in history_for(conn, ["m1"])] == ["no_answer"]
        (card_id, decision), = conn.execute(sa.select(dial_previews.c.id, dial_previews.c.decision))
    assert decision == "timeout"
    with engine.begin() as conn, pytest.raises(Exception, match="already dialed, skipped or withdrawn"):
        decide_preview(conn, card_id, agent="7001", decision="accepted", reason=None, now=AT)


def test_an_agent_leaving_ready_has_the_card_withdrawn(engine: sa.Engine) -> None:
    """The agent goes away with a card open: the card is withdrawn and nothing is dialed."""
    _campaign(engine, members=1)
    server = AmiActionServer(lambda action: [QUEUED, ANSWERED])
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), poll_s=0.02)
    stop = threading.Event()
    with in_thread(server) as port:
        runner = SwitchRunner(AmiSwitch("127.0.0.1", port, username="callops", secret=AMI_SECRET))
        try:
            worker, out = _in_thread(lambda: run_preview(engine, runner, settings, clock=lambda: AT,
                                                         stop=stop.is_set))
            card, _ = _card(engine)
            with engine.begin() as conn:
                append_events(conn, [LiveEvent(kind=LiveEventKind.AGENT_STATE, at=dt.datetime.now(dt.UTC),
                                               source="web", agent="7001", state="away", reason="Lunch")])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    if open_preview(conn, "7001") is None:
                        break
                time.sleep(0.02)
            stop.set()
            worker.join(30)
        finally:
            runner.close()
    assert out[0].dials == 0 and server.received == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(dial_previews.c.decision)).scalar_one() == "withdrawn"


def test_a_card_accepted_while_the_pbx_is_down_is_offered_again(engine: sa.Engine) -> None:
    """The agent accepts, but the PBX cannot be reached: no dial, no attempt, and the same contact comes back to
    the same agent on a new card (not lost for the run, not passed over for the next contact). Accepted again once
    the PBX is back, it is dialed and connected."""
    _campaign(engine)
    server = AmiActionServer(lambda action: [QUEUED, ANSWERED])
    with in_thread(server) as port:
        pass  # the port is free again: the PBX is down
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), poll_s=0.02, ring_s=20,
                            max_calls=1)
    runner = SwitchRunner(AmiSwitch("127.0.0.1", port, username="callops", secret=AMI_SECRET, answer_timeout_s=2,
                                    backoff_min_s=0.01, backoff_max_s=0.05))
    rows: list[dict[str, object]] = []
    stop = threading.Event()  # only should an assertion fail: the run ends by itself after its one dial
    worker, out = _in_thread(lambda: run_preview(engine, runner, settings, clock=lambda: AT, report=rows.append,
                                                 stop=stop.is_set))
    try:
        first, member = _card(engine)
        with engine.begin() as conn:
            decide_preview(conn, first, agent="7001", decision="accepted", reason=None, now=AT)
        again, member_again = _card(engine, not_id=first)
        assert member_again == member
        with back_on(server, port):
            with engine.begin() as conn:
                decide_preview(conn, again, agent="7001", decision="accepted", reason=None, now=AT)
            worker.join(30)
    finally:
        stop.set()
        worker.join(30)
        runner.close()
    (run,) = out
    assert run.dials == 1 and run.outcomes == {"unavailable": 1, "connected": 1}
    assert [(r["member"], r["outcome"]) for r in rows] == [
        (member, "offered"), (member, "unavailable"), (member, "offered"), (member, "connected")]
    (originate,) = server.received
    assert f"Variable: CALLOPS_MEMBER={member}\r\n" in originate
    with engine.connect() as conn:
        assert history_for(conn, ["m1", "m2"]) == []  # not reached: no attempt; connected: the agent's to record
        cards = conn.execute(sa.select(dial_previews.c.member, dial_previews.c.decision,
                                       dial_previews.c.reoffered_because).order_by(dial_previews.c.id))
        assert [tuple(r) for r in cards] == [(member, "accepted", None), (member, "accepted", "pbx_unreachable")]


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"username": name, "password_hash": password_hash(), "role": Role.AGENT.value,
                                       "agent_id": agent, "locale": "en", "tz": "Asia/Shanghai", "active": True}
                                      for name, agent in (("amy", "7001"), ("bob", "7002"))])
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="t",
                              site_tz="Asia/Shanghai"), clock=lambda: AT)
    with TestClient(app) as test_client:
        yield test_client


def _error(page: str) -> str:
    found = re.search(r'id="preview-error"[^>]*>([^<]*)<', page)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize(("locale", "need_reason", "closed", "accept"), [
    ("en", "say why you skip this contact", "this contact was already dialed, skipped or withdrawn", "Call now"),
    ("zh-CN", "请说明跳过这位联系人的原因", "该联系人已被拨打、跳过或撤回", "立即拨打"),
])
def test_the_card_on_the_agent_page(client: TestClient, engine: sa.Engine, locale: str, need_reason: str,
                                    closed: str, accept: str) -> None:
    """The agent sees their card (the number masked for an agent without view_pii, the script, the buttons in their
    language); a skip without a reason is refused beside the field, another agent's card is not theirs to decide,
    an accepted card cannot be decided again."""
    _campaign(engine)
    with engine.begin() as conn:
        card = offer_preview(conn, get_campaign(conn, "spring"), "7001",
                             ContactRow("m1", "+8613800100001", "Asia/Shanghai", "Member 1", ""), now=AT)
    token = login(client, "amy")
    if locale != "en":
        client.post("/language", data={"locale": locale, "csrf_token": token, "next": "/live/agent"})
    page = client.get("/live/agent").text
    assert 'id="preview-card"' in page and accept in page and "Hello, this is the spring offer." in page
    member = re.search(r'id="preview-phone">([^<]*)<', page)
    assert member is not None and member.group(1) == "+86*******0001"
    refused = client.post("/live/agent/preview", data={"card": str(card), "decision": "skipped",
                                                        "skip_reason": "", "csrf_token": token})
    assert refused.status_code == 400 and need_reason in refused.text
    assert re.search(r'id="err-skip_reason"[^>]*>([^<]*)<', refused.text) is not None
    done = client.post("/live/agent/preview", data={"card": str(card), "decision": "accepted", "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    again = client.post("/live/agent/preview", data={"card": str(card), "decision": "skipped",
                                                      "skip_reason": "other", "csrf_token": token})
    assert again.status_code == 400 and _error(again.text) == closed
    with engine.connect() as conn:
        assert conn.execute(sa.select(dial_previews.c.decision)).scalar_one() == "accepted"
    client.post("/logout", data={"csrf_token": token})
    other = login(client, "bob")
    with engine.begin() as conn:
        second = offer_preview(conn, get_campaign(conn, "spring"), "7001",
                               ContactRow("m2", "+8613800100002", "Asia/Shanghai", "", ""), now=AT)
    stolen = client.post("/live/agent/preview", data={"card": str(second), "decision": "accepted",
                                                       "csrf_token": other})
    assert stolen.status_code == 400
    with engine.connect() as conn:
        assert conn.execute(sa.select(dial_previews.c.decision).where(dial_previews.c.id == second)).scalar_one() \
            is None


@pytest.mark.parametrize(("locale", "notice"), [
    ("en", "The call did not go through: the phone system could not be reached. Try again."),
    ("zh-CN", "呼叫未接通：无法连接电话系统，请重试。"),
])
def test_a_card_offered_again_after_the_pbx_was_unreachable_says_why(client: TestClient, engine: sa.Engine,
                                                                      locale: str, notice: str) -> None:
    """A first card has no notice; the same contact offered again because the accepted call never reached the PBX
    says so on the card, in the agent's language, above the same buttons."""
    _campaign(engine)
    contact = ContactRow("m1", "+8613800100001", "Asia/Shanghai", "Member 1", "")
    with engine.begin() as conn:
        first = offer_preview(conn, get_campaign(conn, "spring"), "7001", contact, now=AT)
    token = login(client, "amy")
    if locale != "en":
        client.post("/language", data={"locale": locale, "csrf_token": token, "next": "/live/agent"})
    page = client.get("/live/agent").text
    assert 'id="preview-card"' in page and 'id="preview-notice"' not in page
    client.post("/live/agent/preview", data={"card": str(first), "decision": "accepted", "csrf_token": token})
    with engine.begin() as conn:
        offer_preview(conn, get_campaign(conn, "spring"), "7001", contact, now=AT, reoffered_because="pbx_unreachable")
    again = client.get("/live/agent").text
    shown = re.search(r'id="preview-notice"[^>]*>([^<]*)<', again)
    assert shown is not None and html.unescape(shown.group(1)) == notice
    assert re.search(r'id="preview-member">m1', again) is not None
