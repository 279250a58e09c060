"""The Asterisk switch adapter against a test server speaking AMI over TCP: the exact Originate and Redirect text,
ActionID correlation (answers out of order, unrelated events in between), Success / Error / OriginateResponse
failures, timeouts, a dropped connection and the reconnect after it, a refused login, injection refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from callops.feeds.switch import Originate, Redirect, SwitchResult, SwitchUrl, parse_switch_url
from callops.feeds.switch_ami import AmiSwitch
from callops.feeds.switch_sim import SimulatedSwitch
from switch_servers import (
    AMI_SECRET,
    ANSWERED,
    BUSY,
    CLOSE,
    NO_ANSWER,
    NO_CHANNEL,
    NOISE,
    QUEUED,
    REDIRECTED,
    AmiActionServer,
    AmiScript,
    asyncio_run,
)

CALL = Originate(
    "PJSIP/13800138001@trunk",
    context="agents",
    exten="7001",
    caller_id="4008123123",
    timeout_s=20,
    variables={"CALLOPS_MEMBER": "m1", "CALLOPS_CAMPAIGN": "spring"},
)


def _switch(port: int, secret: str = AMI_SECRET) -> AmiSwitch:
    return AmiSwitch(
        "127.0.0.1",
        port,
        username="callops",
        secret=secret,
        answer_timeout_s=0.5,
        connect_timeout_s=2,
        backoff_min_s=0.01,
        backoff_max_s=0.05,
    )


async def _with(
    script: AmiScript, *commands: Originate | Redirect, secret: str = AMI_SECRET
) -> tuple[AmiActionServer, AmiSwitch, list[SwitchResult]]:
    server = AmiActionServer(script)
    port = await server.start()
    switch = _switch(port, secret)
    try:
        results = [await switch.execute(c) for c in commands]
    finally:
        await switch.close()
        await server.stop()
    return server, switch, results


def test_originate_sends_the_exact_action_and_reads_the_originate_response() -> None:
    server, switch, (result,) = asyncio_run(_with(lambda a: [QUEUED, NOISE, ANSWERED], CALL))
    assert result == SwitchResult(True, result.command_id, None, "answered", answered=True, channel="1764720400.12")
    assert result.command_id == f"callops-{switch.run_id}-1"  # numbered before the log-in (-login-2)
    assert server.received == [
        f"Action: Originate\r\nActionID: {result.command_id}\r\nChannel: PJSIP/13800138001@trunk\r\n"
        "Context: agents\r\nExten: 7001\r\nPriority: 1\r\nCallerID: 4008123123\r\nTimeout: 20000\r\n"
        "Variable: CALLOPS_CAMPAIGN=spring\r\nVariable: CALLOPS_MEMBER=m1\r\nAsync: true\r\n\r\n"
    ]
    assert server.logins[0] == (
        f"Action: Login\r\nActionID: callops-{switch.run_id}-login-2\r\nUsername: callops\r\n"
        f"Secret: {AMI_SECRET}\r\nEvents: call\r\n\r\n"
    )


def test_failures_are_results_named_by_reason() -> None:
    answers = iter([[QUEUED, BUSY], [QUEUED, NO_ANSWER], [NO_CHANNEL], [REDIRECTED]])
    redirect = Redirect("PJSIP/trunk-0000001a", "agents", "7002")
    server, _, results = asyncio_run(_with(lambda a: next(answers), CALL, CALL, redirect, redirect))
    assert [(r.ok, r.reason, r.answered) for r in results] == [
        (False, "busy", False),
        (False, "no_answer", False),
        (False, "error", None),
        (True, None, None),
    ]
    assert results[2].detail == "Channel specified does not exist"
    assert server.received[3] == (
        f"Action: Redirect\r\nActionID: {results[3].command_id}\r\n"
        "Channel: PJSIP/trunk-0000001a\r\nContext: agents\r\nExten: 7002\r\nPriority: 1\r\n\r\n"
    )
    assert server.connections == 1  # one connection for all four


def test_concurrent_originates_are_matched_by_action_id_whatever_the_order() -> None:
    """Two originates in flight; the server answers the second first: each result gets its own outcome."""
    held: list[dict[str, str]] = []

    def script(action: dict[str, str]) -> list[str]:
        held.append(action)
        if len(held) < 2:
            return [QUEUED]
        first = held[0]["ActionID"]
        return [QUEUED, BUSY, NOISE, ANSWERED.replace("{id}", first)]

    async def both() -> tuple[list[SwitchResult], list[str]]:
        server = AmiActionServer(script)
        switch = _switch(await server.start())
        try:
            one, two = await asyncio.gather(switch.execute(CALL), switch.execute(CALL))
        finally:
            await switch.close()
            await server.stop()
        return [one, two], [a["ActionID"] for a in held]

    (one, two), ids = asyncio_run(both())
    assert ids == [one.command_id, two.command_id] and one.command_id != two.command_id
    assert (one.ok, one.channel) == (True, "1764720400.12")
    assert (two.ok, two.reason) == (False, "busy")


def test_no_answer_in_time_is_a_timeout_and_the_next_command_still_works() -> None:
    answers = iter([[], [REDIRECTED]])
    redirect = Redirect("PJSIP/trunk-0000001a", "agents", "7002")
    _, _, results = asyncio_run(_with(lambda a: next(answers), redirect, redirect))
    assert (results[0].reason, results[0].detail) == ("timeout", "no response in 0.5 s")
    assert results[1].ok


def test_a_dropped_connection_is_reported_and_the_next_command_reconnects() -> None:
    """Dropped after the action was written: reported as disconnected, never sent again; the next one logs in
    again on a new connection and succeeds."""
    answers: Iterator[list[str] | str] = iter([CLOSE, [REDIRECTED]])
    redirect = Redirect("PJSIP/trunk-0000001a", "agents", "7002")

    async def run() -> tuple[AmiActionServer, AmiSwitch, list[SwitchResult]]:
        server = AmiActionServer(lambda a: next(answers))
        switch = _switch(await server.start())
        try:
            first = await switch.execute(redirect)
            for _ in range(100):  # the reader notices the close
                if not switch.connected:
                    break
                await asyncio.sleep(0.01)
            second = await switch.execute(redirect)
        finally:
            await switch.close()
            await server.stop()
        return server, switch, [first, second]

    server, switch, (first, second) = asyncio_run(run())
    assert (first.ok, first.reason) == (False, "disconnected")
    assert "closed the connection" in first.detail
    assert second.ok and server.connections == 2 and len(server.logins) == 2 and switch.sessions == 2
    assert len(server.received) == 2  # the first action was not sent twice


def test_a_refused_login_and_an_unreachable_pbx_are_results_not_exceptions() -> None:
    server, switch, (result,) = asyncio_run(_with(lambda a: [QUEUED], CALL, secret="wrong"))
    assert (result.ok, result.reason) == (False, "refused")
    assert "Authentication failed" in result.detail and server.received == []

    async def unreachable() -> SwitchResult:
        server = AmiActionServer(lambda a: [QUEUED])
        port = await server.start()
        await server.stop()  # nothing listens there any more
        switch = _switch(port)
        try:
            return await switch.execute(CALL)
        finally:
            await switch.close()

    down = asyncio_run(unreachable())
    assert (down.ok, down.reason) == (False, "unavailable") and "cannot connect" in down.detail


def test_values_that_would_inject_a_second_action_are_refused_before_sending() -> None:
    evil = Originate(
        "PJSIP/1@trunk",
        context="agents",
        exten="7001",
        caller_id="4008123123\r\n\r\nAction: Hangup\r\nChannel: PJSIP/7001",
    )
    bad_variable = Originate("PJSIP/1@trunk", context="agents", exten="7001", variables={"A=B": "1"})
    short_ring = Originate("PJSIP/1@trunk", context="agents", exten="7001", timeout_s=0.5)
    server, _, results = asyncio_run(_with(lambda a: [QUEUED, ANSWERED], evil, bad_variable, short_ring))
    assert [r.reason for r in results] == ["invalid", "invalid", "invalid"]
    assert server.received == [] and server.connections == 0


def test_a_pbx_that_comes_back_is_reached_after_the_back_off_and_commands_between_fail_fast() -> None:
    redirect = Redirect("PJSIP/trunk-0000001a", "agents", "7002")

    async def run() -> tuple[list[SwitchResult], AmiActionServer]:
        server = AmiActionServer(lambda a: [REDIRECTED])
        port = await server.start()
        await server.stop()  # the PBX is down
        switch = AmiSwitch(
            "127.0.0.1",
            port,
            username="callops",
            secret=AMI_SECRET,
            answer_timeout_s=0.5,
            backoff_min_s=0.3,
            backoff_max_s=5,
            max_wait_s=0.1,
        )
        try:
            down = await switch.execute(redirect)  # tries, fails: next try in 0.3 s
            soon = await switch.execute(redirect)  # within the back-off: fails at once, no connection try
            await server.start()  # the PBX is back on the same port
            await asyncio.sleep(0.35)
            back = await switch.execute(redirect)
        finally:
            await switch.close()
            await server.stop()
        return [down, soon, back], server

    (down, soon, back), server = asyncio_run(run())
    assert (down.reason, soon.reason) == ("unavailable", "unavailable")
    assert "cannot connect" in down.detail and "next try in" in soon.detail
    assert back.ok and server.connections == 1 and len(server.received) == 1


def test_switch_urls_are_read_with_the_secret_from_the_url_or_the_environment() -> None:
    assert parse_switch_url("ami://callops:s%40cret@pbx.example:5039") == SwitchUrl(
        "ami", "pbx.example", 5039, "callops", "s@cret"
    )
    assert parse_switch_url("esl://fs.example", env={"CALLOPS_ESL_PASSWORD": "ClueCon"}) == SwitchUrl(
        "esl", "fs.example", 8021, "", "ClueCon"
    )
    assert parse_switch_url("sim://").scheme == "sim"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://pbx", "must be ami://"),
        ("ami://:x@pbx", "needs a user"),
        ("ami://u@pbx", "CALLOPS_AMI_SECRET"),
        ("ami://u:x@pbx:99999", "port"),
        ("esl://:a%0Ab@fs", "line breaks"),
    ],
)
def test_bad_switch_urls_say_what_is_wrong(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_switch_url(url, env={})


def test_the_simulated_switch_is_seeded_and_answers_every_kind_of_command() -> None:
    async def draws(seed: int) -> list[SwitchResult]:
        sim = SimulatedSwitch(answer_rate=0.3, busy_rate=0.1, speed=1e6, seed=seed)
        out = [await sim.execute(CALL) for _ in range(400)]
        out.append(await sim.execute(Redirect("PJSIP/trunk-1", "agents", "7001")))
        return out

    first, again = asyncio_run(draws(7)), asyncio_run(draws(7))
    assert [r.reason for r in first] == [r.reason for r in again]
    reasons = [r.reason for r in first[:400]]
    assert 0.22 < reasons.count(None) / 400 < 0.38 and 0.05 < reasons.count("busy") / 400 < 0.15
    assert reasons.count("no_answer") == 400 - reasons.count(None) - reasons.count("busy")
    assert first[-1].ok and first[-1].answered is None
    with pytest.raises(ValueError):
        SimulatedSwitch(answer_rate=0.8, busy_rate=0.3)
