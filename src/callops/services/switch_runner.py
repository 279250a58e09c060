"""A switch adapter for synchronous callers: its own event loop on its own thread, and the ACD's ringing.

``SwitchRunner`` owns one ``SwitchTransport`` (``callops.feeds.switch``) and runs it on a thread, so the ACD loop
and the dialer hand it commands (``submit``) and are never blocked by the PBX; ``submit`` gives a
``concurrent.futures.Future`` that always ends in a ``SwitchResult`` (an unexpected exception in a transport
becomes ``reason="error"``). ``RingOnSwitch`` is the ACD's decision sink: each ``call_ringing`` decision becomes
a ``Redirect`` of the caller's channel to the agent's extension; results are counted, failures reported and
written on the switch's row of ``live_feeds`` (the wallboard's PBX feeds panel). A failed redirect leaves the
agent ringing in the ACD's eyes until the ring timeout moves the call on: the ACD keeps routing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.feeds.switch import Redirect, SwitchCommand, SwitchResult, SwitchTransport, parse_switch_url
from callops.feeds.switch_ami import AmiSwitch
from callops.feeds.switch_esl import EslSwitch
from callops.feeds.switch_sim import SimulatedSwitch
from callops.live.events import LiveEvent, LiveEventKind
from callops.store.live_events import FeedPosition, save_feed_position
from callops.store.switch_log import offered_channel

__all__ = ["RingOnSwitch", "SwitchRunner", "switch_from_url", "switch_feed_name"]


def switch_from_url(url: str, *, env: Mapping[str, str] | None = None, **options: Any) -> SwitchTransport:
    """The transport a ``--switch`` URL names (``ami://``, ``esl://``, ``sim://``); InvalidInput naming
    ``--switch`` when the URL is wrong. ``options`` go to the transport (timeouts, back-off)."""
    try:
        where = parse_switch_url(url, env=os.environ if env is None else env)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="--switch") from None
    if where.scheme == "ami":
        return AmiSwitch(where.host, where.port, username=where.username, secret=where.secret, **options)
    if where.scheme == "esl":
        return EslSwitch(where.host, where.port, password=where.secret, **options)
    return SimulatedSwitch()


def switch_feed_name(transport: SwitchTransport) -> str:
    host = getattr(transport, "host", "")
    port = getattr(transport, "port", "")
    return f"switch:{transport.name}" + (f":{host}:{port}" if host else "")


class SwitchRunner:
    """``transport`` on an event loop of its own thread."""

    def __init__(self, transport: SwitchTransport) -> None:
        self.transport = transport
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="callops-switch", daemon=True)
        self._thread.start()

    def submit(
        self, command: SwitchCommand, before: Callable[[], SwitchCommand | None] | None = None
    ) -> concurrent.futures.Future[SwitchResult]:
        """Execute ``command`` on the switch (``before``, when given, runs first on a worker thread and may
        replace it: a database look-up kept off the caller's thread)."""
        return asyncio.run_coroutine_threadsafe(self._guarded(command, before), self.loop)

    async def _guarded(self, command: SwitchCommand, before: Callable[[], SwitchCommand | None] | None) -> SwitchResult:
        try:
            if before is not None:
                command = await asyncio.to_thread(before) or command
            return await self.transport.execute(command)
        except Exception as exc:  # noqa: BLE001 - a switch must never take its caller down
            return SwitchResult(False, "", "error", f"{type(exc).__name__}: {exc}")

    def close(self, timeout_s: float = 5.0) -> None:
        with_timeout = asyncio.run_coroutine_threadsafe(self.transport.close(), self.loop)
        try:
            with_timeout.result(timeout_s)
        except (concurrent.futures.TimeoutError, Exception):  # noqa: BLE001 - closing is best effort
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout_s)
        if not self._thread.is_alive():
            self.loop.close()


class RingOnSwitch:
    """The ACD's decision sink: ring the chosen agent by redirecting the caller's channel to ``exten``
    (``{agent}`` is the agent id) in ``context``."""

    def __init__(
        self,
        runner: SwitchRunner,
        engine: sa.Engine,
        *,
        context: str,
        exten: str = "{agent}",
        report: Callable[[str], None] = lambda _message: None,
    ) -> None:
        if "{agent}" not in exten:
            raise InvalidInput("the agent extension must contain {agent}", field="--agent-exten")
        self.runner = runner
        self.engine = engine
        self.context = context
        self.exten = exten
        self.report = report
        self.feed = switch_feed_name(runner.transport)
        self.results: Counter[str] = Counter()  # "ok" or the failure reason
        self.sent = 0
        self.last_problem: str | None = None
        self._lock = threading.Lock()
        self._pending: set[concurrent.futures.Future[SwitchResult]] = set()

    def __call__(self, decisions: Sequence[LiveEvent]) -> None:
        for decision in decisions:
            if decision.kind is not LiveEventKind.CALL_RINGING or not decision.agent or not decision.call_id:
                continue
            call_id, agent = decision.call_id, decision.agent
            command = Redirect(call_id, self.context, self.exten.replace("{agent}", agent))

            def with_channel(command: Redirect = command, call_id: str = call_id) -> SwitchCommand:
                with self.engine.connect() as conn:
                    channel = offered_channel(conn, call_id)
                return Redirect(channel or call_id, command.context, command.exten, command.priority)

            try:
                future = self.runner.submit(command, before=with_channel)
            except RuntimeError as exc:  # the switch's loop is closed (stopping): counted, never raised
                with self._lock:
                    self.sent += 1
                    self.results["error"] += 1
                self.report(f"ring {agent} for {call_id}: not sent: {exc}")
                continue
            with self._lock:
                self.sent += 1
                self._pending.add(future)
            future.add_done_callback(functools.partial(self._done, call_id, agent))

    def _done(self, call_id: str, agent: str, future: concurrent.futures.Future[SwitchResult]) -> None:
        result = future.result()
        with self._lock:
            self._pending.discard(future)
            self.results["ok" if result.ok else result.reason or "error"] += 1
            sent, failed = self.sent, self.sent - self.results["ok"] - len(self._pending)
        if not result.ok:
            self.last_problem = f"ring {agent} for {call_id}: {result.reason}: {result.detail}"
            self.report(self.last_problem)
        position = FeedPosition(
            self.feed,
            "",
            offset=0,
            lines=sent,
            calls=0,
            rejected=max(0, failed),
            last_problem=self.last_problem,
            status="following" if result.reason not in ("disconnected", "refused", "unavailable") else "reconnecting",
        )
        try:
            with self.engine.begin() as conn:
                save_feed_position(conn, position)
        except sa.exc.SQLAlchemyError:
            pass  # the status is advisory

    def wait(self, timeout_s: float) -> None:
        """Wait for the commands still on the switch (when stopping)."""
        with self._lock:
            pending = list(self._pending)
        concurrent.futures.wait(pending, timeout=timeout_s)
