"""The FreeSWITCH switch adapter against a test server speaking inbound ESL over TCP: auth and the BACKGROUND_JOB
subscription, the exact bgapi text with our Job-UUID, the result read from the BACKGROUND_JOB event (a body of its
own inside the event), -ERR causes, a refused command, a timeout, a dropped connection and the reconnect."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

from callops.feeds.switch import Originate, Redirect, SwitchResult
from callops.feeds.switch_esl import EslSwitch
from switch_servers import CLOSE, ESL_PASSWORD, EslCommandServer, EslScript, asyncio_run

CALL = Originate(
    "sofia/gateway/trunk/13800138001",
    context="default",
    exten="1001",
    caller_id="4008123123",
    timeout_s=20,
    variables={"callops_member": "m1"},
)
TRANSFER = Redirect("5b1c7f4e-8f0a-4d56-9a3b-1c2d3e4f5a6b", "default", "1002")
OK_JOB = ("+OK Job-UUID: {job}", "+OK 0d2f9b8c-6a8e-4c1f-b5e2-7f1e2d3c4b5a\n")


def _switch(port: int, password: str = ESL_PASSWORD) -> EslSwitch:
    return EslSwitch(
        "127.0.0.1",
        port,
        password=password,
        answer_timeout_s=0.5,
        connect_timeout_s=2,
        backoff_min_s=0.01,
        backoff_max_s=0.05,
    )


async def _with(
    script: EslScript, *commands: Originate | Redirect, password: str = ESL_PASSWORD
) -> tuple[EslCommandServer, list[SwitchResult]]:
    server = EslCommandServer(script)
    switch = _switch(await server.start(), password)
    try:
        results = []
        for command in commands:
            results.append(await switch.execute(command))
            for _ in range(50):  # after a drop, let the reader notice before the next command
                if switch.connected:
                    break
                await asyncio.sleep(0.01)
    finally:
        await switch.close()
        await server.stop()
    return server, results


def test_bgapi_originate_sends_the_exact_command_and_reads_the_background_job() -> None:
    server, (result,) = asyncio_run(_with(lambda c: OK_JOB, CALL))
    assert str(uuid.UUID(result.command_id)) == result.command_id
    assert server.logins == [f"auth {ESL_PASSWORD}\n\n", "event plain BACKGROUND_JOB\n\n"]
    assert server.received == [
        "bgapi originate {callops_member=m1,originate_timeout=20,origination_caller_id_number=4008123123}"
        f"sofia/gateway/trunk/13800138001 1001 XML default\nJob-UUID: {result.command_id}\n\n"
    ]
    assert (result.ok, result.answered, result.channel) == (True, True, "0d2f9b8c-6a8e-4c1f-b5e2-7f1e2d3c4b5a")


def test_causes_refusals_and_transfers() -> None:
    answers = iter(
        [
            ("+OK Job-UUID: {job}", "-ERR USER_BUSY\n"),
            ("+OK Job-UUID: {job}", "-ERR NO_ANSWER\n"),
            ("+OK Job-UUID: {job}", "-ERR No such channel!\n"),
            ("+OK Job-UUID: {job}", "+OK\n"),
            ("-ERR invalid command", None),
        ]
    )
    server, results = asyncio_run(_with(lambda c: next(answers), CALL, CALL, TRANSFER, TRANSFER, CALL))
    assert [(r.ok, r.reason) for r in results] == [
        (False, "busy"),
        (False, "no_answer"),
        (False, "error"),
        (True, None),
        (False, "error"),
    ]
    assert results[2].detail == "-ERR No such channel!" and results[4].detail == "-ERR invalid command"
    assert server.received[2] == (
        f"bgapi uuid_transfer {TRANSFER.channel} 1002 XML default\nJob-UUID: {results[2].command_id}\n\n"
    )
    assert server.connections == 1


def test_a_job_result_that_never_comes_is_a_timeout() -> None:
    _, (result,) = asyncio_run(_with(lambda c: ("+OK Job-UUID: {job}", None), TRANSFER))
    assert (result.ok, result.reason, result.detail) == (False, "timeout", "no BACKGROUND_JOB result")


def test_a_dropped_connection_is_reported_and_the_next_command_reconnects() -> None:
    answers: Iterator[tuple[str, str | None] | str] = iter([CLOSE, OK_JOB])
    server, (first, second) = asyncio_run(_with(lambda c: next(answers), CALL, CALL))
    assert (first.ok, first.reason) == (False, "disconnected")
    assert second.ok and server.connections == 2 and len(server.received) == 2


def test_a_wrong_password_is_refused_and_unsafe_values_are_not_sent() -> None:
    server, (refused,) = asyncio_run(_with(lambda c: OK_JOB, CALL, password="wrong"))
    assert (refused.ok, refused.reason) == (False, "refused") and "-ERR invalid" in refused.detail
    assert server.received == []
    spaced = Originate("sofia/gateway/trunk/1", context="default", exten="1001", variables={"x": "a b"})
    braced = Originate("sofia/gateway/trunk/1}{x=1", context="default", exten="1001")
    newline = Redirect("uuid\nbgapi hupall", "default", "1002")
    server, results = asyncio_run(_with(lambda c: OK_JOB, spaced, braced, newline))
    assert [r.reason for r in results] == ["invalid"] * 3 and server.connections == 0
