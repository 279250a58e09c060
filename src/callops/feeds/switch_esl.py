"""The switch adapter on FreeSWITCH: ``bgapi originate`` and ``bgapi uuid_transfer`` over the Event Socket.

A ``PlayMessage`` is ``uuid_transfer UUID playback:SOUND,hangup inline``: the call hears the sound, then hangs up.

The wire (inbound ESL, as the feed in ``callops.feeds.event_socket`` reads it): on connect the server sends
``Content-Type: auth/request``; the client sends ``auth PASSWORD`` and ``event plain BACKGROUND_JOB``, each
ending in a blank line and answered in order by ``Content-Type: command/reply`` with ``Reply-Text: +OK ...``
(else ``-ERR ...``). A command is sent as ``bgapi CMD ARGS`` with a ``Job-UUID`` header we choose; the reply
echoes it (``+OK Job-UUID: ...``) and the result arrives later as a ``BACKGROUND_JOB`` event (``text/event-plain``
whose URL-encoded headers carry the ``Job-UUID``, followed by a body of its own: ``+OK <channel uuid>`` or
``-ERR NO_ANSWER``). Originate's channel variables go in ``{k=v,...}``; values with spaces, commas, braces,
quotes or line breaks are refused before anything is sent (they would change the command).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import deque
from typing import Any

from callops.feeds.event_socket import _headers, esl_login, read_message
from callops.feeds.switch import (
    ConnectedSwitch,
    Originate,
    PlayMessage,
    Redirect,
    SwitchCommand,
    SwitchResult,
    SwitchUnavailable,
)

__all__ = ["EslSwitch", "message_command", "originate_command", "transfer_command"]

_SAFE = re.compile(r"[^\s{}(),'\"\\]+")  # one argument of an API command, or a channel variable's value
_CAUSES = {
    "NO_ANSWER": "no_answer",
    "NO_USER_RESPONSE": "no_answer",
    "ORIGINATOR_CANCEL": "no_answer",
    "USER_BUSY": "busy",
    "CALL_REJECTED": "busy",
}


def originate_command(command: Originate) -> str:
    """``originate {vars}DEST EXTEN XML CONTEXT`` (or ``&app(data)``), ring time and caller id as variables."""
    variables = {"originate_timeout": str(int(round(command.timeout_s))), **command.variables}
    if command.caller_id:
        variables["origination_caller_id_number"] = command.caller_id
    prefix = "{" + ",".join(f"{k}={v}" for k, v in sorted(variables.items())) + "}"
    if command.application:
        target = f"&{command.application}({command.app_data})"
    else:
        target = f"{command.exten} XML {command.context}"
    return f"originate {prefix}{command.destination} {target}"


def transfer_command(command: Redirect) -> str:
    return f"uuid_transfer {command.channel} {command.exten} XML {command.context}"


def message_command(command: PlayMessage) -> str:
    """The call moved to an inline dialplan that plays the sound and hangs up."""
    return f"uuid_transfer {command.channel} playback:{command.sound},hangup inline"


def _invalid(command: SwitchCommand) -> str | None:
    if isinstance(command, PlayMessage):
        texts = [command.channel, command.sound]
    elif isinstance(command, Originate):
        texts = [command.destination, *command.variables, *command.variables.values()]
        if command.application:
            texts += [command.application] + ([command.app_data] if command.app_data else [])
        elif command.context and command.exten:
            texts += [command.context, command.exten]
        else:
            return "an originate needs a context and an extension, or an application"
        if command.caller_id:
            texts.append(command.caller_id)
        if any("=" in k for k in command.variables):
            return "a variable name holds '='"
        if not 1 <= command.timeout_s <= 600:
            return "the ring time must be 1..600 s"
    else:
        texts = [command.channel, command.context, command.exten]
    if not all(_SAFE.fullmatch(t) for t in texts):
        return "a value is empty or holds a space, comma, brace, quote or line break"
    return None


class EslSwitch(ConnectedSwitch):
    name = "freeswitch-esl"

    def __init__(self, host: str, port: int, *, password: str, **kwargs: Any) -> None:
        super().__init__(host, port, **kwargs)
        self.password = password
        self._replies: deque[asyncio.Future[str]] = deque()
        self._jobs: dict[str, asyncio.Future[str]] = {}

    async def login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await esl_login(reader, writer, self.password, "BACKGROUND_JOB", refused=PermissionError, closed=OSError)

    async def dispatch(self, reader: asyncio.StreamReader) -> None:
        while True:
            message = await read_message(reader)
            if message is None:
                return
            headers, body = message
            kind = headers.get("Content-Type")
            if kind == "text/disconnect-notice":
                return
            if kind == "command/reply":
                if self._replies:
                    waiting = self._replies.popleft()
                    if not waiting.done():
                        waiting.set_result(headers.get("Reply-Text", ""))
            elif kind == "text/event-plain":
                head, _, result = body.partition("\n\n")
                fields = _headers(head, decode=True)
                if fields.get("Event-Name") == "BACKGROUND_JOB":
                    job = self._jobs.pop(fields.get("Job-UUID", ""), None)
                    if job is not None and not job.done():
                        job.set_result(result.strip())

    def fail_waiting(self, reason: str) -> None:
        for future in [*self._replies, *self._jobs.values()]:
            if not future.done():
                future.set_exception(SwitchUnavailable(reason))
                future.exception()  # retrieved: a command no longer awaiting it must not log it
        self._replies.clear()
        self._jobs.clear()

    async def execute(self, command: SwitchCommand) -> SwitchResult:
        job_id = str(uuid.uuid4())
        problem = _invalid(command)
        if problem is not None:
            return SwitchResult(False, job_id, "invalid", problem)
        is_originate = isinstance(command, Originate)
        if isinstance(command, Originate):
            api = originate_command(command)
        elif isinstance(command, PlayMessage):
            api = message_command(command)
        else:
            api = transfer_command(command)
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[str] = loop.create_future()
        job: asyncio.Future[str] = loop.create_future()
        self._jobs[job_id] = job
        try:
            try:
                await self.connection()
                self._replies.append(reply)  # replies come in the order the commands were written
                await self.send(f"bgapi {api}\nJob-UUID: {job_id}\n\n")
            except SwitchUnavailable as exc:
                reason = "refused" if str(exc).startswith("refused") else "unavailable"
                return SwitchResult(False, job_id, reason, f"not sent: {exc}")
            try:
                text = await asyncio.wait_for(reply, self.answer_timeout_s)
            except TimeoutError:
                return SwitchResult(False, job_id, "timeout", f"no reply in {self.answer_timeout_s:g} s")
            if not text.startswith("+OK"):
                return SwitchResult(False, job_id, "error", text)
            wait_s = self.answer_timeout_s + (command.timeout_s if isinstance(command, Originate) else 0.0)
            try:
                result = await asyncio.wait_for(job, wait_s)
            except TimeoutError:
                return SwitchResult(False, job_id, "timeout", "no BACKGROUND_JOB result")
            if result.startswith("+OK"):
                channel = result[3:].strip() or None
                return SwitchResult(
                    True,
                    job_id,
                    None,
                    result,
                    answered=True if is_originate else None,
                    channel=channel if is_originate else None,
                )
            cause = result.removeprefix("-ERR").strip()
            reason = _CAUSES.get(cause, "failed") if is_originate else "error"
            return SwitchResult(False, job_id, reason, result, answered=False if is_originate else None)
        except SwitchUnavailable as exc:
            return SwitchResult(False, job_id, "disconnected", f"sent, then {exc}")
        finally:
            self._jobs.pop(job_id, None)
            if reply in self._replies and not reply.done():
                reply.cancel()
