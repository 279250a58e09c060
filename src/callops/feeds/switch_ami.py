"""The switch adapter on Asterisk: AMI ``Originate`` and ``Redirect`` over the Manager Interface.

A ``PlayMessage`` is sent as a ``Redirect`` to its message extension (AMI cannot play a sound to a channel
itself); that extension's dialplan plays ``${CALLOPS_MESSAGE}``, a variable the originate set.

The wire (AMI 2.x, as the feed in ``callops.feeds.ami`` reads it): the server greets with one line
``Asterisk Call Manager/5.0.x``; each action is ``Key: Value`` lines ending in a blank line, all CRLF, and
carries an ``ActionID`` that the server copies onto its ``Response: Success|Error`` block. The log-in asks for
``Events: call`` only, the class ``OriginateResponse`` belongs to. An originate is sent with ``Async: true``:
its response only says "queued"; the outcome comes later as an ``OriginateResponse`` event with the same
``ActionID`` (``Response: Success`` when answered, else ``Failure`` with ``Reason`` 0 failed, 1 hung up,
3 no answer, 5 busy, 8 congestion). Values holding a line break are refused before anything is sent: they
would let a caller id or a variable inject a second action.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from callops.feeds.ami import read_block
from callops.feeds.switch import (
    ConnectedSwitch,
    Originate,
    PlayMessage,
    Redirect,
    SwitchCommand,
    SwitchResult,
    SwitchUnavailable,
    unsafe_text,
)

__all__ = ["AmiSwitch", "originate_action", "redirect_action"]

_REASONS = {"0": "failed", "1": "no_answer", "3": "no_answer", "5": "busy", "8": "failed"}


def _action(fields: list[tuple[str, str]]) -> str:
    return "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n"


def originate_action(command: Originate, action_id: str) -> str:
    """The AMI text of an asynchronous ``Originate``."""
    fields = [("Action", "Originate"), ("ActionID", action_id), ("Channel", command.destination)]
    if command.application:
        fields += [("Application", command.application), ("Data", command.app_data)]
    else:
        fields += [
            ("Context", command.context or ""),
            ("Exten", command.exten or ""),
            ("Priority", str(command.priority)),
        ]
    if command.caller_id:
        fields.append(("CallerID", command.caller_id))
    fields.append(("Timeout", str(int(round(command.timeout_s * 1000)))))
    fields += [("Variable", f"{k}={v}") for k, v in sorted(command.variables.items())]
    fields.append(("Async", "true"))
    return _action(fields)


def redirect_action(command: Redirect, action_id: str) -> str:
    return _action(
        [
            ("Action", "Redirect"),
            ("ActionID", action_id),
            ("Channel", command.channel),
            ("Context", command.context),
            ("Exten", command.exten),
            ("Priority", str(command.priority)),
        ]
    )


def _invalid(command: SwitchCommand) -> str | None:
    """Why the command cannot be sent (None: it can)."""
    if isinstance(command, PlayMessage):
        command = Redirect(command.channel, command.context, command.exten)
    if isinstance(command, Originate):
        texts = [
            command.destination,
            command.context or "",
            command.exten or "",
            command.application or "",
            command.app_data,
            command.caller_id or "",
            *command.variables,
            *command.variables.values(),
        ]
        if not command.destination:
            return "an originate needs a destination channel"
        if not command.application and not (command.context and command.exten):
            return "an originate needs a context and an extension, or an application"
        if any("=" in k or not k for k in command.variables):
            return "a variable name is empty or holds '='"
        if not 1 <= command.timeout_s <= 600:
            return "the ring time must be 1..600 s"
    else:
        texts = [command.channel, command.context, command.exten]
        if not (command.channel and command.context and command.exten):
            return "a redirect needs a channel, a context and an extension"
    if any(unsafe_text(t) for t in texts):
        return "a value holds a line break or another control character"
    return None


class AmiSwitch(ConnectedSwitch):
    name = "asterisk-ami"

    def __init__(self, host: str, port: int, *, username: str, secret: str, **kwargs: Any) -> None:
        super().__init__(host, port, **kwargs)
        self.username = username
        self.secret = secret
        self.run_id = secrets.token_hex(3)  # ActionIDs unique across runs sharing one PBX
        self._responses: dict[str, asyncio.Future[dict[str, str]]] = {}
        self._outcomes: dict[str, asyncio.Future[dict[str, str]]] = {}

    async def login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        banner = (await reader.readline()).decode("utf-8", errors="replace").strip()
        if not banner.startswith("Asterisk Call Manager"):
            raise PermissionError(f"not an AMI server (greeting {banner[:80]!r})")
        login_id = self.next_id(f"callops-{self.run_id}-login")
        writer.write(
            _action(
                [
                    ("Action", "Login"),
                    ("ActionID", login_id),
                    ("Username", self.username),
                    ("Secret", self.secret),
                    ("Events", "call"),
                ]
            ).encode()
        )
        await writer.drain()
        while True:
            block = await read_block(reader)
            if block is None:
                raise OSError("the connection closed during the login")
            if "Response" in block:
                if block["Response"] != "Success":
                    raise PermissionError(block.get("Message", block["Response"]))
                return

    async def dispatch(self, reader: asyncio.StreamReader) -> None:
        while True:
            block = await read_block(reader)
            if block is None:
                return
            action_id = block.get("ActionID", "")
            if "Response" in block and "Event" not in block:
                waiting = self._responses.pop(action_id, None)
            elif block.get("Event") == "OriginateResponse":
                waiting = self._outcomes.pop(action_id, None)
            else:
                continue
            if waiting is not None and not waiting.done():
                waiting.set_result(block)

    def fail_waiting(self, reason: str) -> None:
        for table in (self._responses, self._outcomes):
            for future in table.values():
                if not future.done():
                    future.set_exception(SwitchUnavailable(reason))
                    future.exception()  # retrieved: a command no longer awaiting it must not log it
            table.clear()

    async def execute(self, command: SwitchCommand) -> SwitchResult:
        action_id = self.next_id(f"callops-{self.run_id}")
        problem = _invalid(command)
        if problem is not None:
            return SwitchResult(False, action_id, "invalid", problem)
        loop = asyncio.get_running_loop()
        response: asyncio.Future[dict[str, str]] = loop.create_future()
        outcome: asyncio.Future[dict[str, str]] = loop.create_future()
        self._responses[action_id] = response
        if isinstance(command, Originate):
            self._outcomes[action_id] = outcome
            text = originate_action(command, action_id)
        elif isinstance(command, PlayMessage):  # AMI has no playback: the message extension's dialplan plays it
            text = redirect_action(Redirect(command.channel, command.context, command.exten), action_id)
        else:
            text = redirect_action(command, action_id)
        try:
            try:
                await self.send(text)
            except SwitchUnavailable as exc:
                reason = "refused" if str(exc).startswith("refused") else "unavailable"
                return SwitchResult(False, action_id, reason, f"not sent: {exc}")
            try:
                answer = await asyncio.wait_for(response, self.answer_timeout_s)
            except TimeoutError:
                return SwitchResult(False, action_id, "timeout", f"no response in {self.answer_timeout_s:g} s")
            if answer.get("Response") != "Success":
                return SwitchResult(False, action_id, "error", answer.get("Message", answer.get("Response", "")))
            if not isinstance(command, Originate):
                return SwitchResult(True, action_id, None, answer.get("Message", ""))
            try:
                event = await asyncio.wait_for(outcome, command.timeout_s + self.answer_timeout_s)
            except TimeoutError:
                return SwitchResult(False, action_id, "timeout", "no OriginateResponse after the ring time")
            channel = event.get("Uniqueid") or event.get("Channel")
            if event.get("Response") == "Success":
                return SwitchResult(True, action_id, None, "answered", answered=True, channel=channel)
            code = event.get("Reason", "0")
            return SwitchResult(
                False, action_id, _REASONS.get(code, "failed"), f"Reason {code}", answered=False, channel=channel
            )
        except SwitchUnavailable as exc:
            return SwitchResult(False, action_id, "disconnected", f"sent, then {exc}")
        finally:
            self._responses.pop(action_id, None)
            self._outcomes.pop(action_id, None)
