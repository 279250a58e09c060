"""PBX test servers for the switch adapter, speaking the real wire protocols over TCP.

``AmiActionServer``: the AMI banner, the Login action (secret checked), then each action block read and answered
by a script that returns the recorded blocks to send (``{id}`` stands for the action's ActionID) — or ``CLOSE``
to drop the connection without an answer, or ``[]`` to stay silent. ``EslCommandServer``: ``auth/request``,
``auth``, ``event plain BACKGROUND_JOB``, then each ``bgapi`` command answered by ``command/reply`` and a
``BACKGROUND_JOB`` event whose body the script gives. Both record the raw text of every action received.
``in_thread`` runs one on an event loop of its own thread for tests of synchronous code; ``back_on`` brings a
stopped one back on its port, and ``through_outage`` runs a dialer while the PBX is down, then back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import quote

T = TypeVar("T")
CLOSE = "CLOSE"
AMI_SECRET = "s3cret"
ESL_PASSWORD = "ClueCon"

# Blocks as Asterisk 18 sends them (recorded), with {id} for the ActionID of the action answered.
QUEUED = "Response: Success\r\nActionID: {id}\r\nMessage: Originate successfully queued\r\n\r\n"
ANSWERED = (
    "Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: {id}\r\nResponse: Success\r\n"
    "Channel: PJSIP/trunk-00000012\r\nContext: agents\r\nExten: 7001\r\nApplication: \r\nData: \r\n"
    "Reason: 4\r\nUniqueid: 1764720400.12\r\nCallerIDNum: 4008123123\r\nCallerIDName: <unknown>\r\n\r\n"
)
BUSY = (
    "Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: {id}\r\nResponse: Failure\r\n"
    "Channel: PJSIP/13800138001@trunk\r\nContext: agents\r\nExten: 7001\r\nReason: 5\r\n"
    "Uniqueid: <null>\r\nCallerIDNum: <unknown>\r\nCallerIDName: <unknown>\r\n\r\n"
)
NO_ANSWER = BUSY.replace("Reason: 5", "Reason: 3")
NOISE = (
    "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/7002-00000013\r\nChannelState: 0\r\n"
    "Uniqueid: 1764720401.13\r\n\r\n"
)
REDIRECTED = "Response: Success\r\nActionID: {id}\r\nMessage: Redirect successful\r\n\r\n"
NO_CHANNEL = "Response: Error\r\nActionID: {id}\r\nMessage: Channel specified does not exist\r\n\r\n"

AmiScript = Callable[[dict[str, str]], list[str] | str]


def asyncio_run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: the session's Playwright keeps an event loop in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=60)


class _Server:
    def __init__(self) -> None:
        self.connections = 0
        self.received: list[str] = []  # raw text of every action/command after the log-in
        self.logins: list[str] = []
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    def opened(self, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def start(self) -> int:
        self._server = await asyncio.start_server(self.handle, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in self._writers:
            writer.close()
        await asyncio.sleep(0)


async def _read_ami(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]] | None:
    raw = ""
    while True:
        line = (await reader.readline()).decode()
        if not line:
            return None
        if line in ("\r\n", "\n"):
            if raw:
                break
            continue
        raw += line
    fields: dict[str, str] = {}
    for entry in raw.split("\r\n"):
        key, _, value = entry.partition(": ")
        if key:
            fields.setdefault(key, value)
    return raw + "\r\n", fields


class AmiActionServer(_Server):
    def __init__(self, script: AmiScript, *, secret: str = AMI_SECRET) -> None:
        super().__init__()
        self.script = script
        self.secret = secret

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened(writer)
        writer.write(b"Asterisk Call Manager/5.0.2\r\n")
        login = await _read_ami(reader)
        if login is None:
            return
        self.logins.append(login[0])
        fields = login[1]
        if fields.get("Action") != "Login" or fields.get("Secret") != self.secret:
            writer.write(
                f"Response: Error\r\nActionID: {fields.get('ActionID', '')}\r\n"
                f"Message: Authentication failed\r\n\r\n".encode()
            )
            await writer.drain()
            writer.close()
            return
        writer.write(
            f"Response: Success\r\nActionID: {fields['ActionID']}\r\nMessage: Authentication accepted\r\n\r\n".encode()
        )
        writer.write(b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n")
        while True:
            action = await _read_ami(reader)
            if action is None:
                break
            self.received.append(action[0])
            answer = self.script(action[1])
            if answer == CLOSE:
                break
            for block in answer:
                writer.write(block.replace("{id}", action[1].get("ActionID", "")).encode())
            await writer.drain()
        writer.close()


def esl_event(headers: dict[str, str], body: str) -> str:
    """A ``text/event-plain`` message: URL-encoded headers, then the job's body with its own length."""
    inner = "".join(f"{k}: {quote(v, safe='')}\n" for k, v in headers.items())
    inner += f"Content-Length: {len(body.encode())}\n\n{body}"
    return f"Content-Length: {len(inner.encode())}\nContent-Type: text/event-plain\n\n{inner}"


EslScript = Callable[[str], tuple[str, str | None] | str]  # command -> (reply text, job body or None) | CLOSE


class EslCommandServer(_Server):
    def __init__(self, script: EslScript, *, password: str = ESL_PASSWORD) -> None:
        super().__init__()
        self.script = script
        self.password = password

    async def _command(self, reader: asyncio.StreamReader) -> str | None:
        lines: list[str] = []
        while True:
            raw = await reader.readline()
            if not raw:
                return None
            line = raw.decode().rstrip("\n")
            if not line:
                if lines:
                    return "\n".join(lines) + "\n\n"
                continue
            lines.append(line)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened(writer)
        writer.write(b"Content-Type: auth/request\n\n")
        auth = await self._command(reader)
        if auth is None:
            return
        self.logins.append(auth)
        if auth != f"auth {self.password}\n\n":
            writer.write(b"Content-Type: command/reply\nReply-Text: -ERR invalid\n\n")
            writer.write(b"Content-Type: text/disconnect-notice\nContent-Length: 0\n\n")
            await writer.drain()
            writer.close()
            return
        writer.write(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
        subscribe = await self._command(reader)
        if subscribe is None:
            return
        self.logins.append(subscribe)
        writer.write(b"Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n")
        while True:
            command = await self._command(reader)
            if command is None:
                break
            self.received.append(command)
            job = next((line.split(": ", 1)[1] for line in command.splitlines() if line.startswith("Job-UUID: ")), "")
            answer = self.script(command)
            if isinstance(answer, str):  # CLOSE
                break
            reply, body = answer
            writer.write(
                f"Content-Type: command/reply\nReply-Text: {reply.replace('{job}', job)}\nJob-UUID: {job}\n\n".encode()
            )
            if body is not None:
                first = command.split("\n", 1)[0].split(" ")
                writer.write(
                    esl_event(
                        {
                            "Event-Name": "BACKGROUND_JOB",
                            "Core-UUID": "2a7a4c8e",
                            "Job-UUID": job,
                            "Job-Command": first[1],
                            "Job-Command-Arg": " ".join(first[2:]),
                        },
                        body,
                    ).encode()
                )
            await writer.drain()
        writer.close()


@contextmanager
def in_thread(server: _Server) -> Iterator[int]:
    """Serve on an event loop of its own thread; yields the port."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        port = asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        yield port
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@contextmanager
def back_on(server: _Server, port: int) -> Iterator[int]:
    """``in_thread`` again on the port ``server`` had before it stopped: a PBX that was down and is back."""
    server.port = port
    with in_thread(server) as same:
        yield same


def through_outage(server: _Server, port: int, run: Callable[[], T], down: threading.Event) -> T:
    """``run()`` in a thread of its own while nothing listens on ``port``; once ``down`` is set (a dial found the
    PBX down) ``server`` is back on that port until the run has ended. What the run returned."""
    out: list[T] = []
    worker = threading.Thread(target=lambda: out.append(run()))
    worker.start()
    assert down.wait(15), "no dial found the PBX down"
    with back_on(server, port):
        worker.join(40)
    (result,) = out
    return result
