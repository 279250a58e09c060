"""Predictive dialing through the switch adapter (services.dial_predictive), against the AMI and ESL test servers
that speak the real protocols and the simulated switch."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
import zoneinfo
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.dialer import Channel, Outcome, china_default
from callops.dialer.contact_list import ContactRow
from callops.feeds.switch import Originate, PlayMessage, Redirect
from callops.feeds.switch_ami import AmiSwitch
from callops.feeds.switch_esl import EslSwitch, message_command
from callops.feeds.switch_sim import SimulatedSwitch
from callops.live.events import LiveEvent, LiveEventKind
from callops.services.campaign_dial import DialSettings, eligible_contacts
from callops.services.dial_predictive import run_predictive
from callops.services.switch_runner import SwitchRunner
from callops.store.campaigns import (
    AttemptIn,
    add_contacts,
    call_counts,
    create_campaign,
    get_campaign,
    history_for,
    record_attempts,
)
from callops.store.live_events import append_events
from callops.store.schema import dial_previews
from switch_servers import (
    AMI_SECRET,
    ESL_PASSWORD,
    QUEUED,
    REDIRECTED,
    AmiActionServer,
    EslCommandServer,
    asyncio_run,
    in_thread,
    through_outage,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)  # inside the calling window


def _ready(engine: sa.Engine, *agents: str) -> None:
    with engine.begin() as conn:
        append_events(conn, [LiveEvent(kind=LiveEventKind.AGENT_STATE, at=dt.datetime.now(dt.UTC), source="web",
                                       agent=a, state="ready") for a in agents])


def _campaign(engine: sa.Engine, *, contacts: int, cap: float, past_live: int = 0, past_no_answer: int = 0) -> None:
    """A campaign with ``contacts`` members and, in the hour before ``AT``, earlier calls of other members."""
    with engine.begin() as conn:
        camp = create_campaign(conn, name="spring", purpose="sales", mode="predictive", caller_number="4008123123",
                               abandon_cap=cap, now=AT)
        add_contacts(conn, camp, [ContactRow(f"m{i}", f"+86138001{i:05d}", "Asia/Shanghai", "", "")
                                  for i in range(contacts)])
        past = [(Outcome.SUCCESS, i) for i in range(past_live)] + [(Outcome.NO_ANSWER, past_live + i)
                                                                    for i in range(past_no_answer)]
        record_attempts(conn, camp, [AttemptIn(f"h{i}", f"+86139001{i:05d}", Channel.CALL,
                                               AT - dt.timedelta(minutes=50, seconds=i), outcome)
                                     for outcome, i in past])


def _ami(port: int) -> AmiSwitch:
    return AmiSwitch("127.0.0.1", port, username="callops", secret=AMI_SECRET, answer_timeout_s=2,
                     backoff_min_s=0.01, backoff_max_s=0.05)


def test_calls_wait_in_the_hold_extension_one_reaches_the_agent_the_others_hear_the_message(
        engine: sa.Engine) -> None:
    """With a connect-rate history of 20 % and a 20 % cap, one ready agent gets more than one line; every call
    answers, the first goes to the agent (AMI Redirect), the rest find no agent within 2 s: each is redirected to
    the message extension and recorded as abandoned, so the 72 h quiet period keeps them from the next run."""
    _campaign(engine, contacts=6, cap=0.2, past_live=40, past_no_answer=160)
    _ready(engine, "7001")
    ids = itertools.count(1)

    def script(action: dict[str, str]) -> list[str]:
        if action["Action"] == "Originate":
            n = next(ids)
            return [QUEUED, "Event: OriginateResponse\r\nActionID: {id}\r\nResponse: Success\r\n"
                    f"Channel: PJSIP/trunk-{n:08d}\r\nReason: 4\r\nUniqueid: 1764720400.{n}\r\n\r\n"]
        return [REDIRECTED]

    server = AmiActionServer(script)
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), ring_s=20, poll_s=0.02,
                            max_calls=4)
    with in_thread(server) as port:
        runner = SwitchRunner(_ami(port))
        try:
            deadline = time.monotonic() + 5  # the agent never presses ready again: the run would wait for them
            run = run_predictive(engine, runner, settings, clock=lambda: AT, stop=lambda: time.monotonic() > deadline)
        finally:
            runner.close()
    assert run.dials >= 2 and run.outcomes["connected"] == 1
    assert run.outcomes["abandoned"] == run.dials - 1
    originates = [a for a in server.received if a.startswith("Action: Originate")]
    redirects = [a for a in server.received if a.startswith("Action: Redirect")]
    assert len(originates) == run.dials and len(redirects) == run.dials
    for text in originates:
        assert "\r\nContext: callops\r\nExten: callops-hold\r\n" in text
        assert "\r\nVariable: CALLOPS_MESSAGE=callops-abandon\r\n" in text and "CALLOPS_AGENT" not in text
    to_agent = [r for r in redirects if "\r\nContext: agents\r\nExten: 7001\r\n" in r]
    to_message = [r for r in redirects if "\r\nContext: callops\r\nExten: callops-message\r\n" in r]
    assert len(to_agent) == 1 and len(to_message) == run.dials - 1
    assert "Channel: 1764720400.1\r\n" in to_agent[0]  # the first answered call gets the agent
    abandoned = sorted(str(r["member"]) for r in run.log if r["outcome"] == "abandoned")
    with engine.connect() as conn:
        recorded = sorted(h.member for h in history_for(conn, [f"m{i}" for i in range(6)])
                          if h.outcome is Outcome.ABANDONED)
        assert recorded == abandoned
        resolved, live, abandons = call_counts(conn, get_campaign(conn, "spring"), since=AT - dt.timedelta(days=1),
                                               before=AT + dt.timedelta(seconds=1))
        assert abandons == len(abandoned) and abandons <= 0.2 * live
        later = {c.member for c in eligible_contacts(conn, get_campaign(conn, "spring"), china_default(),
                                                     AT + dt.timedelta(hours=71))}
    assert later.isdisjoint(abandoned)


def test_without_a_budget_it_dials_one_line_per_idle_agent(engine: sa.Engine) -> None:
    """No live answers in the window yet: no abandon is affordable, so the pacer is progressive — one line for the
    one ready agent, and no message is ever played."""
    _campaign(engine, contacts=3, cap=0.03)
    _ready(engine, "7001")
    server = EslCommandServer(lambda command: ("+OK Job-UUID: {job}", "-ERR NO_ANSWER\n"))
    settings = DialSettings(campaign="spring", agents=["7001", "7002"], policy=china_default(),
                            destination="sofia/gateway/trunk/{phone}", poll_s=0.02, max_calls=3)
    in_flight: list[int] = []
    with in_thread(server) as port:
        runner = SwitchRunner(EslSwitch("127.0.0.1", port, password=ESL_PASSWORD, answer_timeout_s=2))
        try:
            run = run_predictive(engine, runner, settings, clock=lambda: AT,
                                 report=lambda _row: in_flight.append(len(server.received)))
        finally:
            runner.close()
    assert run.dials == 3 and run.outcomes == {"no_answer": 3}
    assert in_flight == [1, 2, 3]  # each dial waited for the one before to ring out
    for command in server.received:
        assert command.startswith("bgapi originate {CALLOPS_CAMPAIGN=spring,CALLOPS_MEMBER=m")
        assert ",CALLOPS_MESSAGE=callops-abandon,originate_timeout=30," in command
        assert " callops-hold XML callops\nJob-UUID: " in command
    with engine.connect() as conn:
        assert sorted(h.outcome.value for h in history_for(conn, ["m0", "m1", "m2"])) == ["no_answer"] * 3


def test_an_esl_abandon_plays_the_message_with_uuid_transfer(engine: sa.Engine) -> None:
    """On FreeSWITCH the message is played by the switch itself: ``uuid_transfer UUID playback:SOUND,hangup
    inline`` for each call no agent took."""
    _campaign(engine, contacts=5, cap=0.2, past_live=40, past_no_answer=160)
    _ready(engine, "7001")
    uuids = itertools.count(1)

    def script(command: str) -> tuple[str, str]:
        if command.startswith("bgapi originate"):
            return "+OK Job-UUID: {job}", f"+OK 5a1b-{next(uuids)}\n"
        return "+OK Job-UUID: {job}", "+OK\n"

    server = EslCommandServer(script)
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), poll_s=0.02, max_calls=4,
                            destination="sofia/gateway/trunk/{phone}", message_sound="ivr/callops-sorry.wav")
    with in_thread(server) as port:
        runner = SwitchRunner(EslSwitch("127.0.0.1", port, password=ESL_PASSWORD, answer_timeout_s=2))
        try:
            deadline = time.monotonic() + 5
            run = run_predictive(engine, runner, settings, clock=lambda: AT, stop=lambda: time.monotonic() > deadline)
        finally:
            runner.close()
    assert run.dials >= 2 and run.outcomes["connected"] == 1 and run.outcomes["abandoned"] == run.dials - 1
    transfers = [c.split("\n")[0] for c in server.received if c.startswith("bgapi uuid_transfer")]
    assert transfers.count("bgapi uuid_transfer 5a1b-1 7001 XML agents") == 1
    played = [t for t in transfers if t.endswith(" playback:ivr/callops-sorry.wav,hangup inline")]
    assert len(played) == run.dials - 1


def test_on_the_simulator_abandons_never_exceed_the_cap_of_live_answers(engine: sa.Engine) -> None:
    """A fast simulated switch and three agents who press ready again soon after each call: the pacer dials
    more lines than idle agents at times, yet abandons stay within the cap of live answers (the run's and the
    window's), and every abandon got a message."""
    _campaign(engine, contacts=150, cap=0.1, past_live=30, past_no_answer=70)
    agents = ["7001", "7002", "7003"]
    _ready(engine, *agents)
    done = threading.Event()

    def ready_again() -> None:
        while not done.is_set():
            time.sleep(0.15)
            _ready(engine, *agents)

    presser = threading.Thread(target=ready_again)
    presser.start()
    switch = SimulatedSwitch(answer_rate=0.3, busy_rate=0.1, speed=40, seed=3)
    settings = DialSettings(campaign="spring", agents=agents, policy=china_default(), poll_s=0.01,
                            connect_within_s=0.3, max_calls=120)
    runner = SwitchRunner(switch)
    try:
        run = run_predictive(engine, runner, settings, clock=lambda: AT)
    finally:
        done.set()
        presser.join()
        runner.close()
    live = run.outcomes["connected"] + run.outcomes["abandoned"]
    assert run.dials == 120 and live > 20
    assert run.outcomes["abandoned"] <= 0.1 * (live + 30)
    messages = [c for c in switch.executed if isinstance(c, PlayMessage)]
    assert len(messages) == run.outcomes["abandoned"]
    originates = [c for c in switch.executed if isinstance(c, Originate)]
    assert len(originates) == 120 and all(c.exten == "callops-hold" for c in originates)
    assert sum(isinstance(c, Redirect) for c in switch.executed) == run.outcomes["connected"]


def test_cli_predictive_over_ami_and_preview_on_the_simulator(
        engine: sa.Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``campaign dial --mode predictive`` originates into the hold extension and redirects the answered call to
    the ready agent; ``--mode preview --switch sim://`` offers a card to the ready agent and, stopped after a
    second, withdraws it having dialed nobody."""
    _campaign(engine, contacts=2, cap=0.03)
    _ready(engine, "7001")
    policy = tmp_path / "policy.yaml"
    policy.write_text('calling_window: {start: "00:00", end: "23:59"}\n')
    while dt.datetime.now(SHANGHAI).strftime("%H:%M") == "23:59":  # the one minute the window above is shut
        time.sleep(1)
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)

    def script(action: dict[str, str]) -> list[str]:
        if action["Action"] == "Originate":
            return [QUEUED, "Event: OriginateResponse\r\nActionID: {id}\r\nResponse: Success\r\n"
                    "Channel: PJSIP/trunk-00000001\r\nReason: 4\r\nUniqueid: 1764720400.1\r\n\r\n"]
        return [REDIRECTED]

    server = AmiActionServer(script)
    with in_thread(server) as port:
        result = CliRunner().invoke(cli, ["campaign", "dial", "spring", "--agents", "7001", "--mode", "predictive",
                                          "--switch", f"ami://callops:{AMI_SECRET}@127.0.0.1:{port}", "--policy",
                                          str(policy), "--max-calls", "1", "--hold-exten", "wait-here", "--json"],
                                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["outcome"] == "connected" and lines[0]["agent"] == "7001"
    assert lines[-1]["dials"] == 1 and lines[-1]["outcomes"] == {"connected": 1}
    assert "\r\nContext: callops\r\nExten: wait-here\r\n" in server.received[0]
    assert server.received[1].startswith("Action: Redirect\r\n") and "Exten: 7001\r\n" in server.received[1]
    _ready(engine, "7001")
    preview = CliRunner().invoke(cli, ["campaign", "dial", "spring", "--agents", "7001", "--mode", "preview",
                                       "--policy", str(policy), "--exit-after", "1", "--json"],
                                 catch_exceptions=False)
    assert preview.exit_code == 0, preview.output
    rows = [json.loads(line) for line in preview.stdout.splitlines()]
    assert rows[0]["outcome"] == "offered" and rows[-1]["dials"] == 0
    with engine.connect() as conn:
        assert conn.execute(sa.select(dial_previews.c.decision)).scalar_one() == "withdrawn"


def _answer_then_redirect(action: dict[str, str]) -> list[str]:
    if action["Action"] == "Originate":
        return [QUEUED, "Event: OriginateResponse\r\nActionID: {id}\r\nResponse: Success\r\n"
                "Channel: PJSIP/trunk-00000001\r\nReason: 4\r\nUniqueid: 1764720400.1\r\n\r\n"]
    return [REDIRECTED]


def test_a_contact_the_pbx_could_not_be_reached_for_is_dialed_first_when_it_is_back(engine: sa.Engine) -> None:
    """The first line finds the PBX down: no dial, no attempt, not counted in the abandon window, and the same
    contact is first in the queue again (the other is not taken in its place). Once the PBX is back on its port that
    contact is dialed, answers and is redirected to the ready agent; a PBX refusing the log-in stops the run with
    its reason and receives nothing."""
    _campaign(engine, contacts=2, cap=0.03)
    _ready(engine, "7001")
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), ring_s=20, poll_s=0.02)
    server = AmiActionServer(_answer_then_redirect)
    with in_thread(server) as port:
        pass  # the port is free again: the PBX is down
    not_reached, connected = threading.Event(), threading.Event()
    rows: list[dict[str, object]] = []

    def report(row: dict[str, object]) -> None:
        rows.append(row)
        {"unavailable": not_reached, "connected": connected}[str(row["outcome"])].set()

    runner = SwitchRunner(_ami(port))
    deadline = time.monotonic() + 30  # only should the test fail: the run stops once the agent is connected
    try:
        run = through_outage(server, port, lambda: run_predictive(
            engine, runner, settings, clock=lambda: AT, report=report,
            stop=lambda: connected.is_set() or time.monotonic() > deadline), not_reached)
    finally:
        runner.close()
    assert run.dials == 1 and run.outcomes == {"unavailable": 1, "connected": 1} and run.stopped_by is None
    (member,) = {r["member"] for r in rows}
    assert [r["outcome"] for r in rows] == ["unavailable", "connected"] and rows[1]["agent"] == "7001"
    originate, redirect = server.received
    assert f"Variable: CALLOPS_MEMBER={member}\r\n" in originate
    assert redirect.startswith("Action: Redirect\r\n") and "Exten: 7001\r\n" in redirect
    with engine.connect() as conn:
        assert history_for(conn, ["m0", "m1"]) == []  # not reached: no attempt; connected: the agent's to record
    refusing = AmiActionServer(_answer_then_redirect, secret="other")
    _ready(engine, "7001")
    with in_thread(refusing) as port:
        runner = SwitchRunner(_ami(port))
        try:
            refused = run_predictive(engine, runner, settings, clock=lambda: AT,
                                     stop=lambda: time.monotonic() > deadline)
        finally:
            runner.close()
    assert refused.dials == 0 and refused.outcomes == {"refused": 1}
    assert refused.stopped_by is not None and "Authentication failed" in refused.stopped_by
    assert refusing.received == []


def test_a_dial_that_never_reached_the_pbx_gives_its_place_back_under_max_calls(engine: sa.Engine) -> None:
    """With ``max_calls=1`` the one dial finds the PBX down: it is not counted, so the run does not end with no
    dial made; the same contact is dialed once the PBX is back, and the run ends after that one dial."""
    _campaign(engine, contacts=2, cap=0.03)
    _ready(engine, "7001")
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), ring_s=20, poll_s=0.02,
                            max_calls=1)
    server = AmiActionServer(_answer_then_redirect)
    with in_thread(server) as port:
        pass  # the port is free again: the PBX is down
    not_reached = threading.Event()
    outcomes: list[object] = []

    def report(row: dict[str, object]) -> None:
        outcomes.append(row["outcome"])
        if row["outcome"] == "unavailable":
            not_reached.set()

    runner = SwitchRunner(_ami(port))
    deadline = time.monotonic() + 30  # only should the test fail: the run ends by itself after its one dial
    try:
        run = through_outage(server, port, lambda: run_predictive(
            engine, runner, settings, clock=lambda: AT, report=report,
            stop=lambda: time.monotonic() > deadline), not_reached)
    finally:
        runner.close()
    assert time.monotonic() < deadline
    assert run.dials == 1 and outcomes == ["unavailable", "connected"]
    assert sum(a.startswith("Action: Originate") for a in server.received) == 1


def test_a_message_that_would_change_the_command_is_refused_before_sending() -> None:
    """A sound with a comma or space would add dialplan steps to the inline transfer, a channel with a line break
    a second AMI action: both are refused without a connection."""
    assert message_command(PlayMessage("5a1b-1", "ivr/sorry.wav", "callops", "callops-message")) == (
        "uuid_transfer 5a1b-1 playback:ivr/sorry.wav,hangup inline")
    esl = EslSwitch("127.0.0.1", 1, password=ESL_PASSWORD)
    for sound in ("sorry.wav,bridge:sofia/x", "sorry wav", ""):
        result = asyncio_run(esl.execute(PlayMessage("5a1b-1", sound, "callops", "callops-message")))
        assert not result.ok and result.reason == "invalid"
    ami = _ami(1)
    bad = asyncio_run(ami.execute(PlayMessage("PJSIP/x\r\nAction: Hangup", "s", "callops", "callops-message")))
    assert not bad.ok and bad.reason == "invalid" and esl.sessions == 0 and ami.sessions == 0
