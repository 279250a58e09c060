"""The switch adapter on the floor, against the AMI test server over TCP, on SQLite and PostgreSQL: the live ACD's
ringing decisions redirected to the chosen agent (and a failure reported, the ACD routing on); the progressive
dialer originating one call per ready agent within the contact policy and recording what the switch reports;
``callops campaign dial`` end to end."""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.dialer import Channel, Outcome, china_default, policy_from_mapping
from callops.dialer.contact_list import ContactRow
from callops.errors import InvalidInput
from callops.feeds.switch_ami import AmiSwitch
from callops.feeds.switch_esl import EslSwitch
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import Agent
from callops.services.campaign_dial import DialSettings, run_progressive
from callops.services.live_acd import acd_from_directory, replay_log, run_acd
from callops.services.switch_runner import RingOnSwitch, SwitchRunner
from callops.store.campaigns import (
    AttemptIn,
    add_contacts,
    add_dnc,
    create_campaign,
    get_campaign,
    history_for,
    record_attempts,
)
from callops.store.directory import save_agent, save_queue
from callops.store.live_events import append_events, feed_position
from switch_servers import (
    AMI_SECRET,
    ANSWERED,
    BUSY,
    ESL_PASSWORD,
    NO_CHANNEL,
    QUEUED,
    REDIRECTED,
    AmiActionServer,
    EslCommandServer,
    in_thread,
    through_outage,
)

K = LiveEventKind
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _event(kind: LiveEventKind, **fields: object) -> LiveEvent:
    return LiveEvent(kind=kind, at=dt.datetime.now(dt.UTC), source=str(fields.pop("source", "pbx")), **fields)  # type: ignore[arg-type]


def _ami(port: int) -> AmiSwitch:
    return AmiSwitch(
        "127.0.0.1",
        port,
        username="callops",
        secret=AMI_SECRET,
        answer_timeout_s=2,
        backoff_min_s=0.01,
        backoff_max_s=0.05,
    )


def _route_until(engine: sa.Engine, ringer: RingOnSwitch, done: Callable[[], bool]) -> None:
    with engine.connect() as conn:
        acd = acd_from_directory(conn)
        last = replay_log(conn, acd, since=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    with engine.begin() as conn:
        append_events(
            conn,
            [
                _event(K.AGENT_STATE, agent="7001", state="ready", source="web"),
                _event(
                    K.CALL_OFFERED,
                    call_id="1764720500.20@sales",
                    queue="sales",
                    data={"channel": "PJSIP/trunk-00000020"},
                ),
            ],
        )
    deadline = time.monotonic() + 20
    worker = threading.Thread(
        target=lambda: run_acd(
            engine, acd, after_id=last, poll_s=0.01, sink=ringer, stop=lambda: done() or time.monotonic() > deadline
        )
    )
    worker.start()
    worker.join(30)
    assert not worker.is_alive()


def test_live_route_redirects_the_caller_to_the_chosen_agent(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        save_queue(conn, "sales")
        save_agent(conn, Agent("7001", "Amy", skills={"sales": 1}))
    server = AmiActionServer(lambda action: [REDIRECTED])
    with in_thread(server) as port:
        runner = SwitchRunner(_ami(port))
        ringer = RingOnSwitch(runner, engine, context="agents", exten="{agent}")
        try:
            _route_until(engine, ringer, lambda: ringer.results["ok"] >= 1)
        finally:
            runner.close()
    assert ringer.sent == 1 and ringer.results == {"ok": 1}
    (action,) = server.received
    action_id = action.split("\r\n")[1].removeprefix("ActionID: ")
    assert action == (
        f"Action: Redirect\r\nActionID: {action_id}\r\nChannel: PJSIP/trunk-00000020\r\n"
        "Context: agents\r\nExten: 7001\r\nPriority: 1\r\n\r\n"
    )
    with engine.connect() as conn:
        row = feed_position(conn, ringer.feed)
    assert row is not None and row.lines == 1 and row.rejected == 0 and row.status == "following"


def test_a_failed_redirect_is_reported_on_the_feed_row_and_the_acd_keeps_routing(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        save_queue(conn, "sales")
        save_agent(conn, Agent("7001", "Amy", skills={"sales": 1}))
    problems: list[str] = []
    server = AmiActionServer(lambda action: [NO_CHANNEL])
    with in_thread(server) as port:
        runner = SwitchRunner(_ami(port))
        ringer = RingOnSwitch(runner, engine, context="agents", report=problems.append)
        try:
            _route_until(engine, ringer, lambda: ringer.results["error"] >= 1)
        finally:
            runner.close()
    assert ringer.results == {"error": 1}
    assert problems == ["ring 7001 for 1764720500.20@sales: error: Channel specified does not exist"]
    with engine.connect() as conn:
        row = feed_position(conn, ringer.feed)
    assert row is not None and row.rejected == 1 and row.last_problem == problems[0]


AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # inside the default calling window


def _campaign(engine: sa.Engine, *, ready: tuple[str, ...] = ("7001", "7002")) -> None:
    with engine.begin() as conn:
        camp = create_campaign(
            conn,
            name="spring",
            purpose="sales",
            mode="progressive",
            caller_number="4008123123",
            now=AT.astimezone(dt.UTC),
        )
        add_contacts(
            conn,
            camp,
            [
                ContactRow(m, p, "Asia/Shanghai", "", "")
                for m, p in [("m1", "+8613800138001"), ("m2", "+8613800138002"), ("m3", "+8613800138003")]
            ],
        )
        add_dnc(conn, ["+8613800138003"], now=AT.astimezone(dt.UTC), source="test")
        append_events(
            conn,
            [_event(K.AGENT_STATE, agent=a, state="ready", source="web") for a in ready]
            + [_event(K.AGENT_STATE, agent="7003", state="away", reason="Lunch", source="web")],
        )


def _by_phone(action: dict[str, str]) -> list[str]:
    return [QUEUED, ANSWERED] if action.get("Channel", "").startswith("PJSIP/8613800138001") else [QUEUED, BUSY]


def test_progressive_dialing_one_call_per_ready_agent_within_the_policy(engine: sa.Engine) -> None:
    _campaign(engine)
    server = AmiActionServer(_by_phone)
    settings = DialSettings(
        campaign="spring", agents=["7001", "7002", "7003"], policy=china_default(), ring_s=20, poll_s=0.02
    )
    with in_thread(server) as port:
        runner = SwitchRunner(_ami(port))
        try:
            run = run_progressive(engine, runner, settings, clock=lambda: AT.astimezone(dt.UTC))
        finally:
            runner.close()
    assert run.dials == 2 and run.outcomes == {"busy": 1, "connected": 1}  # m3 is on the DNC list, 7003 away
    assert sorted((r["agent"], r["member"], r["outcome"]) for r in run.log) == [
        ("7001", "m1", "connected"),
        ("7002", "m2", "busy"),
    ]
    sent = sorted(server.received, key=lambda text: "Exten: 7002" in text)
    for text, agent, member in zip(sent, ("7001", "7002"), ("m1", "m2"), strict=True):
        action_id = text.split("\r\n")[1].removeprefix("ActionID: ")
        assert text == (
            f"Action: Originate\r\nActionID: {action_id}\r\nChannel: PJSIP/86138001380{member[1:].zfill(2)}"
            f"@trunk\r\nContext: agents\r\nExten: {agent}\r\nPriority: 1\r\nCallerID: +864008123123\r\n"
            f"Timeout: 20000\r\nVariable: CALLOPS_AGENT={agent}\r\nVariable: CALLOPS_CAMPAIGN=spring\r\n"
            f"Variable: CALLOPS_MEMBER={member}\r\nAsync: true\r\n\r\n"
        )
    with engine.connect() as conn:
        recorded = [(h.member, h.outcome.value, h.at) for h in history_for(conn, ["m1", "m2", "m3"])]
    assert recorded == [("m2", "busy", AT.astimezone(dt.UTC))]  # the connected call's disposition is the agent's

    # Five minutes later the busy retry (30 min) still holds m2 back; m1 is not dialed again in this run either
    # once its disposition is in. At 31 minutes m2 is due again.
    with engine.begin() as conn:
        record_attempts(
            conn,
            get_campaign(conn, "spring"),
            [AttemptIn("m1", "+8613800138001", Channel.CALL, AT, Outcome.SUCCESS, agent="7001")],
        )
    with in_thread(server) as port:
        runner = SwitchRunner(_ami(port))
        try:
            later = run_progressive(engine, runner, settings, clock=lambda: AT + dt.timedelta(minutes=5))
            due = run_progressive(engine, runner, settings, clock=lambda: AT + dt.timedelta(minutes=31))
        finally:
            runner.close()
    assert later.dials == 0
    assert [(r["member"], r["outcome"]) for r in due.log] == [("m2", "busy")]


def test_a_pbx_down_or_refusing_dials_nobody_and_records_nothing(engine: sa.Engine) -> None:
    _campaign(engine, ready=("7001",))
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), poll_s=0.02)
    server = AmiActionServer(_by_phone)
    with in_thread(server) as port:
        pass  # the port is free again: nothing listens there
    runner = SwitchRunner(_ami(port))
    deadline = time.monotonic() + 1.5
    try:
        down = run_progressive(
            engine, runner, settings, clock=lambda: AT.astimezone(dt.UTC), stop=lambda: time.monotonic() > deadline
        )
    finally:
        runner.close()
    assert down.dials == 0 and down.outcomes["unavailable"] >= 1 and set(down.outcomes) == {"unavailable"}
    refusing = AmiActionServer(_by_phone, secret="other")
    with in_thread(refusing) as port:
        runner = SwitchRunner(_ami(port))
        try:
            refused = run_progressive(engine, runner, settings, clock=lambda: AT.astimezone(dt.UTC))
        finally:
            runner.close()
    assert refused.dials == 0 and refused.stopped_by is not None and "Authentication failed" in refused.stopped_by
    assert refusing.received == []
    with engine.connect() as conn:
        assert history_for(conn, ["m1", "m2", "m3"]) == []


def test_a_contact_the_pbx_could_not_be_reached_for_is_dialed_first_when_it_is_back(engine: sa.Engine) -> None:
    """Progressive: the first dial finds the PBX down, so it is no dial and no attempt, and the same contact stays
    first in the queue (m2 is not taken in its place): once the PBX is back on its port, m1 is dialed and
    connected."""
    _campaign(engine, ready=("7001",))
    settings = DialSettings(campaign="spring", agents=["7001"], policy=china_default(), poll_s=0.02, max_calls=1)
    server = AmiActionServer(_by_phone)
    with in_thread(server) as port:
        pass  # the port is free again: the PBX is down
    not_reached = threading.Event()
    rows: list[dict[str, object]] = []

    def report(row: dict[str, object]) -> None:
        rows.append(row)
        if row["outcome"] == "unavailable":
            not_reached.set()

    runner = SwitchRunner(_ami(port))
    deadline = time.monotonic() + 30  # only should the test fail: the run ends by itself after its one dial
    try:
        run = through_outage(
            server,
            port,
            lambda: run_progressive(
                engine,
                runner,
                settings,
                clock=lambda: AT.astimezone(dt.UTC),
                report=report,
                stop=lambda: time.monotonic() > deadline,
            ),
            not_reached,
        )
    finally:
        runner.close()
    assert run.dials == 1 and run.outcomes["connected"] == 1 and set(run.outcomes) == {"unavailable", "connected"}
    assert {(r["member"], r["outcome"]) for r in rows} == {("m1", "unavailable"), ("m1", "connected")}
    (originate,) = server.received
    assert "Variable: CALLOPS_MEMBER=m1\r\n" in originate
    with engine.connect() as conn:
        assert history_for(conn, ["m1", "m2", "m3"]) == []  # not reached: no attempt; connected: the agent's


def test_ring_time_under_15_s_and_empty_agents_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 15") as ring:
        DialSettings(campaign="spring", agents=["7001"], policy=china_default(), ring_s=10)
    assert ring.value.field == "--ring-time"
    with pytest.raises(InvalidInput) as agents:
        DialSettings(campaign="spring", agents=[], policy=china_default())
    assert agents.value.field == "--agents"


def test_cli_campaign_dial_over_ami(
    engine: sa.Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _campaign(engine, ready=("7001",))
    policy = tmp_path / "policy.yaml"
    policy.write_text('calling_window: {start: "00:00", end: "23:59"}\n')
    while dt.datetime.now(SHANGHAI).strftime("%H:%M") == "23:59":  # the one minute the window above is shut
        time.sleep(1)
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    server = AmiActionServer(_by_phone)
    with in_thread(server) as port:
        result = CliRunner().invoke(
            cli,
            [
                "campaign",
                "dial",
                "spring",
                "--agents",
                "7001,7002",
                "--switch",
                f"ami://callops:{AMI_SECRET}@127.0.0.1:{port}",
                "--policy",
                str(policy),
                "--ring-time",
                "15",
                "--max-calls",
                "1",
                "--json",
            ],
            catch_exceptions=False,
        )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2 and lines[0]["agent"] == "7001" and lines[0]["member"] in ("m1", "m2")
    assert lines[1]["dials"] == 1 and sum(lines[1]["outcomes"].values()) == 1
    assert len(server.received) == 1 and "Timeout: 15000\r\n" in server.received[0]
    bad = CliRunner().invoke(cli, ["campaign", "dial", "spring", "--agents", "7001", "--switch", "http://x"])
    assert bad.exit_code != 0 and "--switch" in bad.output
    refusing = AmiActionServer(_by_phone, secret="other")
    with in_thread(refusing) as port:
        refused = CliRunner().invoke(
            cli,
            [
                "campaign",
                "dial",
                "spring",
                "--agents",
                "7001",
                "--policy",
                str(policy),
                "--switch",
                f"ami://callops:{AMI_SECRET}@127.0.0.1:{port}",
            ],
        )
    assert refused.exit_code == 1 and "the PBX refused the log-in" in refused.output
    assert "--switch" in refused.output and refusing.received == []


def test_cli_live_route_with_a_switch_redirects_calls_offered_while_it_runs(
    engine: sa.Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.begin() as conn:
        save_queue(conn, "sales")
        save_agent(conn, Agent("7001", "Amy", skills={"sales": 1}))
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.delenv("CALLOPS_REDIS_URL", raising=False)
    server = AmiActionServer(lambda action: [REDIRECTED])

    def offer() -> None:  # once the router has started
        time.sleep(1.0)
        with engine.begin() as conn:
            append_events(
                conn,
                [
                    _event(K.AGENT_STATE, agent="7001", state="ready", source="web"),
                    _event(K.CALL_OFFERED, call_id="c-1", queue="sales", data={"channel": "PJSIP/trunk-00000031"}),
                ],
            )

    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    writer = threading.Thread(target=offer)
    try:
        with in_thread(server) as port:
            writer.start()
            result = CliRunner().invoke(
                cli,
                [
                    "live",
                    "route",
                    "--switch",
                    f"ami://callops:{AMI_SECRET}@127.0.0.1:{port}",
                    "--agent-context",
                    "from-acd",
                    "--agent-exten",
                    "SIP-{agent}",
                    "--exit-after",
                    "3",
                ],
                catch_exceptions=False,
            )
            writer.join(10)
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
    assert result.exit_code == 0, result.output
    assert "switch: 1 rings sent (ok 1)" in result.stdout
    (action,) = server.received
    assert "Channel: PJSIP/trunk-00000031\r\nContext: from-acd\r\nExten: SIP-7001\r\n" in action


def test_progressive_dialing_over_freeswitch_records_a_no_answer(engine: sa.Engine) -> None:
    _campaign(engine, ready=("7001",))
    server = EslCommandServer(lambda command: ("+OK Job-UUID: {job}", "-ERR NO_ANSWER\n"))
    settings = DialSettings(
        campaign="spring",
        agents=["7001"],
        policy=china_default(),
        destination="sofia/gateway/trunk/{phone}",
        agent_context="default",
        max_calls=1,
        poll_s=0.02,
    )
    with in_thread(server) as port:
        runner = SwitchRunner(EslSwitch("127.0.0.1", port, password=ESL_PASSWORD, answer_timeout_s=2))
        try:
            run = run_progressive(engine, runner, settings, clock=lambda: AT.astimezone(dt.UTC))
        finally:
            runner.close()
    assert run.dials == 1 and run.outcomes == {"no_answer": 1}
    (command,) = server.received
    member = str(run.log[0]["member"])
    assert command.startswith(
        "bgapi originate {CALLOPS_AGENT=7001,CALLOPS_CAMPAIGN=spring,CALLOPS_MEMBER="
        f"{member},originate_timeout=30,origination_caller_id_number=+864008123123}}"
        f"sofia/gateway/trunk/86138001380{member[1:].zfill(2)} 7001 XML default\nJob-UUID: "
    )
    with engine.connect() as conn:
        assert [(h.member, h.outcome.value) for h in history_for(conn, ["m1", "m2"])] == [(member, "no_answer")]


def test_no_dial_on_a_holiday_of_the_policy(engine: sa.Engine) -> None:
    _campaign(engine, ready=("7001",))
    server = AmiActionServer(_by_phone)
    holiday = policy_from_mapping({"holidays": ["2026-03-02"]})
    settings = DialSettings(campaign="spring", agents=["7001"], policy=holiday, poll_s=0.02)
    with in_thread(server) as port:
        runner = SwitchRunner(_ami(port))
        try:
            run = run_progressive(engine, runner, settings, clock=lambda: AT.astimezone(dt.UTC))
        finally:
            runner.close()
    assert run.dials == 0 and server.received == []
