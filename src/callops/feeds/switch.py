"""The switch adapter: callops's decisions executed on the PBX, behind one method.

Like an httpx transport, every switch is one coroutine, ``execute(command) -> SwitchResult``, so the ACD, the
dialer and the tests never see a protocol::

    SwitchTransport.execute(Originate | Redirect | PlayMessage) -> SwitchResult
      ├── AmiSwitch        Asterisk Manager Interface: Originate (Async) + OriginateResponse, Redirect (a
      │                    PlayMessage is a Redirect to the message extension, which plays ${CALLOPS_MESSAGE})
      ├── EslSwitch        FreeSWITCH Event Socket: bgapi originate / bgapi uuid_transfer + BACKGROUND_JOB (a
      │                    PlayMessage is uuid_transfer to the inline dialplan playback:SOUND,hangup)
      └── SimulatedSwitch  no PBX: outcomes drawn at random (the default on a fresh install)

``execute`` never raises for anything the PBX or the network does: a refused login, a dropped connection,
an unanswered action, an ``Error`` response all come back as a result with ``ok=False`` and a ``reason``
(``refused`` and ``unavailable``: not sent; ``disconnected`` after it was sent; ``timeout``, ``error``,
``no_answer``, ``busy``, ``invalid``). A caller that
must not fall over (the ACD) only reads results. Connections are opened on first use and reopened after a
drop, waiting 0.5 s, 1 s, 2 s ... up to ``backoff_max_s`` between tries; an action already written when the
connection dropped is reported, never sent again (an originate is not idempotent: it would dial twice).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote, urlsplit

__all__ = [
    "Originate",
    "PlayMessage",
    "Redirect",
    "SwitchCommand",
    "SwitchResult",
    "SwitchTransport",
    "SwitchUrl",
    "ConnectedSwitch",
    "SwitchUnavailable",
    "parse_switch_url",
    "unsafe_text",
]


@dataclass(frozen=True, slots=True)
class Originate:
    """Place a call: ring ``destination`` (an Asterisk channel such as ``PJSIP/13800138000@trunk``, a FreeSWITCH
    dial string such as ``sofia/gateway/trunk/13800138000``) for ``timeout_s``; when it answers, connect it to
    ``exten`` in ``context`` (or run ``application`` with ``app_data``, Asterisk only)."""

    destination: str
    context: str | None = None
    exten: str | None = None
    priority: int = 1
    application: str | None = None
    app_data: str = ""
    caller_id: str | None = None
    timeout_s: float = 30.0
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Redirect:
    """Move a call already on the PBX (an Asterisk channel name, a FreeSWITCH channel UUID) to ``exten`` in
    ``context``: how the ACD rings the agent it chose for a queued caller."""

    channel: str
    context: str
    exten: str
    priority: int = 1


@dataclass(frozen=True, slots=True)
class PlayMessage:
    """Play a recorded message to a call already on the PBX, then hang it up: what the predictive dialer does to
    a live answer no agent was free for (an abandon). FreeSWITCH plays ``sound`` itself (``uuid_transfer`` to the
    inline dialplan ``playback:SOUND,hangup``); Asterisk has no playback action in AMI, so the call is redirected
    to ``exten`` in ``context``, whose dialplan plays the sound the originate put in ``${CALLOPS_MESSAGE}``::

        exten => callops-message,1,Playback(${CALLOPS_MESSAGE})
         same => n,Hangup()
    """

    channel: str
    sound: str
    context: str
    exten: str


SwitchCommand = Originate | Redirect | PlayMessage


@dataclass(frozen=True, slots=True)
class SwitchResult:
    """What the PBX said. ``command_id`` is the ActionID (AMI) or Job-UUID (ESL) the command was sent with;
    for an originate ``answered`` says whether the called party answered and ``channel`` names the new call."""

    ok: bool
    command_id: str
    reason: str | None = None  # None when ok
    detail: str = ""
    answered: bool | None = None
    channel: str | None = None


class SwitchTransport(Protocol):
    """The one-method boundary every switch implements."""

    name: str

    async def execute(self, command: SwitchCommand) -> SwitchResult: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SwitchUrl:
    scheme: str  # ami | esl | sim
    host: str
    port: int
    username: str
    secret: str


_DEFAULT_PORTS = {"ami": 5038, "esl": 8021}


def parse_switch_url(url: str, *, env: Mapping[str, str] | None = None) -> SwitchUrl:
    """``ami://user:secret@host:port``, ``esl://:password@host:port`` or ``sim://``. A missing secret is read
    from ``CALLOPS_AMI_SECRET`` / ``CALLOPS_ESL_PASSWORD`` in ``env`` (keeps it off the command line).
    ValueError naming what is wrong."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "sim":
        return SwitchUrl("sim", "", 0, "", "")
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(
            f"{url.split('@')[-1]!r}: the switch must be ami://USER:SECRET@HOST:PORT, "
            f"esl://:PASSWORD@HOST:PORT or sim://"
        )
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValueError("the switch port must be a number 1..65535") from None
    if not parts.hostname:
        raise ValueError("the switch URL names no host")
    username = unquote(parts.username or "")
    secret = unquote(parts.password or "")
    if not secret and env is not None:
        secret = env.get("CALLOPS_AMI_SECRET" if scheme == "ami" else "CALLOPS_ESL_PASSWORD", "")
    if scheme == "ami" and not username:
        raise ValueError("an AMI switch needs a user: ami://USER:SECRET@HOST:PORT")
    if not secret:
        raise ValueError(
            f"no secret for the {scheme} switch (in the URL, or "
            f"{'CALLOPS_AMI_SECRET' if scheme == 'ami' else 'CALLOPS_ESL_PASSWORD'})"
        )
    for value in (username, secret):
        if unsafe_text(value):
            raise ValueError("the switch user and secret must be printable, without spaces or line breaks")
    return SwitchUrl(scheme, parts.hostname, port, username, secret)


def unsafe_text(value: str) -> bool:
    """True when ``value`` could break out of a protocol line (CR, LF, other control characters)."""
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in value)


class SwitchUnavailable(Exception):
    """The connection is gone (or never came up); the message says why."""


class ConnectedSwitch:
    """A switch over one TCP connection: connect and log in on first use, a reader task that hands each
    answer to the command waiting for it, reconnect with back-off. Subclasses speak the protocol."""

    name = "switch"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        connect_timeout_s: float = 5.0,
        answer_timeout_s: float = 10.0,
        backoff_min_s: float = 0.5,
        backoff_max_s: float = 30.0,
        max_wait_s: float = 1.0,
    ) -> None:
        self.host = host
        self.port = port
        self.connect_timeout_s = connect_timeout_s
        self.answer_timeout_s = answer_timeout_s
        self.backoff_min_s = backoff_min_s
        self.backoff_max_s = backoff_max_s
        self.max_wait_s = max_wait_s
        self._retry_at = 0.0  # loop time of the next connection try after a failure
        self.sessions = 0  # successful log-ins
        self.failures = 0  # failed connects or log-ins in a row
        self.last_problem: str | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock: asyncio.Lock | None = None
        self._counter = 0

    # --- the protocol ---------------------------------------------------------------------------------------
    async def login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Greeting, authentication, subscription; raise ``PermissionError`` when refused."""
        raise NotImplementedError

    async def dispatch(self, reader: asyncio.StreamReader) -> None:
        """Read until the stream ends, resolving the waiting commands' futures."""
        raise NotImplementedError

    def fail_waiting(self, reason: str) -> None:
        """Resolve every command still waiting with ``disconnected`` (the connection is gone)."""
        raise NotImplementedError

    # --- the connection -------------------------------------------------------------------------------------
    def next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}-{self._counter}"

    @property
    def connected(self) -> bool:
        return self._writer is not None and self._task is not None and not self._task.done()

    async def connection(self) -> asyncio.StreamWriter:
        """The logged-in connection, opened when there is none. After a failed try the next one waits its
        back-off (0.5 s, 1 s, 2 s ... ``backoff_max_s``): a command arriving sooner waits for it when it is due
        within ``max_wait_s``, else fails at once with ``SwitchUnavailable`` (commands never pile up behind a
        PBX that is down)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.connected and self._writer is not None:
                return self._writer
            loop = asyncio.get_running_loop()
            wait = self._retry_at - loop.time()
            if wait > self.max_wait_s:
                raise SwitchUnavailable(f"{self.last_problem}; next try in {wait:.1f} s")
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await self._open()
            except PermissionError as exc:
                self._note_failure(f"refused: {exc}", loop.time())
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                self._note_failure(
                    f"cannot connect to {self.host}:{self.port}: {exc or type(exc).__name__}", loop.time()
                )
            raise SwitchUnavailable(self.last_problem or "cannot connect")

    def _note_failure(self, problem: str, now: float) -> None:
        self.failures += 1
        self.last_problem = problem
        self._retry_at = now + min(self.backoff_max_s, self.backoff_min_s * 2 ** (self.failures - 1))

    async def _open(self) -> asyncio.StreamWriter:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), timeout=self.connect_timeout_s
        )
        try:
            await asyncio.wait_for(self.login(reader, writer), timeout=self.connect_timeout_s)
        except BaseException:
            writer.close()
            raise
        self.sessions += 1
        self.failures = 0
        self._reader, self._writer = reader, writer
        self._task = asyncio.create_task(self._read(reader))
        return writer

    async def _read(self, reader: asyncio.StreamReader) -> None:
        reason = "the PBX closed the connection"
        try:
            await self.dispatch(reader)
        except (OSError, asyncio.IncompleteReadError) as exc:
            reason = f"connection lost: {exc or type(exc).__name__}"
        finally:
            self.last_problem = reason
            self._drop()
            self.fail_waiting(reason)

    def _drop(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()

    async def send(self, text: str) -> None:
        """Write one command on the logged-in connection (opening it first); ``SwitchUnavailable`` when it cannot."""
        writer = await self.connection()
        try:
            writer.write(text.encode())
            await writer.drain()
        except (OSError, RuntimeError) as exc:
            self._drop()
            raise SwitchUnavailable(f"connection lost: {exc}") from None

    async def close(self) -> None:
        task, self._task = self._task, None
        self._drop()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
