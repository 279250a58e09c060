"""Login throttling around each sign-in, for the page and the API: refuse locked names and addresses.

    attempt = guard.begin(username)        # LoginThrottled when the user name or the client address is locked
    user = authenticate(conn, username, password)
    guard.finish(attempt, succeeded=user is not None)

``begin`` decides from the failures kept in the database (``callops.store.login_failures``) by the rules of
``callops.login_throttle``, before any password is checked, so a refused attempt costs no argon2 time; it
never looks the user up, so names that exist and names that do not are answered alike. It then writes a
failure for the name and the address *before* the password is checked, and checks again leaving out its own
rows: concurrent guesses (several workers, many threads) each count the others, so no more than the limit
get their password checked, however many arrive at once. ``finish`` deletes the name's failures and this
attempt's address row on success, and keeps them on failure. The guard works on the request's own connection
(``ConnDep``) and commits its writes on it at once: a sign-in never holds a second pooled connection, so a
storm of concurrent sign-ins cannot exhaust the pool by waiting on itself (issue 17). Refusals and new locks
are logged (never passwords) on the ``callops.web.login_guard`` logger.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request

from callops.login_throttle import FailureScope, ThrottlePolicy, locked_until, retry_after_s
from callops.store import login_failures as failures
from callops.web.client_address import client_address, throttle_key, trusted_networks
from callops.web.deps import ConnDep, NowDep, StateDep

__all__ = ["Attempt", "LoginGuard", "LoginGuardDep", "LoginThrottled", "SIGN_IN_SLOTS", "SIGN_IN_WAIT_S",
           "SignInBusy", "SignInSlot", "SignInSlots"]

SIGN_IN_SLOTS = 4  # password checks (argon2, CPU-bound) running at once per process
SIGN_IN_WAIT_S = 10.0  # a sign-in waiting longer for a slot is answered 503 with Retry-After

_log = logging.getLogger(__name__)


class LoginThrottled(Exception):
    """Too many failed sign-ins for the user name or from the address: refused until ``until``."""

    def __init__(self, until: dt.datetime, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins for this user name or from this address: try again in "
                         f"{retry_after_s} s")
        self.until = until
        self.retry_after_s = retry_after_s


class SignInBusy(Exception):
    """Every sign-in slot stayed taken for ``SIGN_IN_WAIT_S``: 429 with Retry-After."""


class SignInSlots:
    """At most ``SIGN_IN_SLOTS`` sign-ins (and password changes) of this process run at once.

    A sign-in takes its slot before it takes a pooled connection, and waits for it without holding a worker
    thread (it polls from the event loop). So a storm of sign-ins uses at most ``SIGN_IN_SLOTS`` connections and
    threads, argon2 gets the cores it can use anyway, and everyone else's requests find the pool free.
    """

    def __init__(self, slots: int = SIGN_IN_SLOTS, *, wait_s: float = SIGN_IN_WAIT_S) -> None:
        self._free = threading.Semaphore(slots)
        self.wait_s = wait_s

    async def acquire(self) -> None:
        deadline = time.monotonic() + self.wait_s
        while not self._free.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise SignInBusy(f"too many sign-ins at once: try again in a few seconds (waited {self.wait_s:g} s)")
            await asyncio.sleep(0.02)

    def release(self) -> None:
        self._free.release()


async def _sign_in_slot(request: Request) -> AsyncIterator[None]:
    slots = request.app.state.sign_in_slots
    if not isinstance(slots, SignInSlots):
        raise RuntimeError("the app was not built by callops.web.create_app")
    await slots.acquire()
    try:
        yield
    finally:
        slots.release()


SignInSlot = Annotated[None, Depends(_sign_in_slot)]  # declare it before any ConnDep of the handler


@dataclass(frozen=True, slots=True)
class Attempt:
    """A sign-in let through, and the failure rows it wrote before its password was checked."""

    username: str
    address_row: int  # deleted on success; the user name's rows are all deleted then


@dataclass(frozen=True, slots=True)
class LoginGuard:
    """Throttling for one request: its client address, the time and the policy."""

    conn: sa.Connection
    policy: ThrottlePolicy
    now: dt.datetime
    address: str

    def _keys(self, username: str) -> tuple[tuple[FailureScope, str], ...]:
        return (FailureScope.USER, username), (FailureScope.ADDRESS, throttle_key(self.address))

    def _locks(self, username: str, *, excluding: Collection[int] = ()) -> dict[FailureScope, dt.datetime]:
        """The scopes locked now, with the end of each lock."""
        locks: dict[FailureScope, dt.datetime] = {}
        for scope, key in self._keys(username):
            limit = self.policy.limit(scope)
            times = failures.recent_failures(self.conn, scope, key, since=self.now - self.policy.horizon,
                                             limit=limit, excluding=excluding)
            until = locked_until(times, limit=limit, now=self.now, policy=self.policy)
            if until is not None:
                locks[scope] = until
        self.conn.commit()  # end the read: the next check sees what concurrent attempts committed since
        return locks

    def _refuse(self, username: str, locks: dict[FailureScope, dt.datetime]) -> LoginThrottled:
        until = max(locks.values())
        _log.warning("sign-in refused for user name %r from %s: %s locked until %s", username, self.address,
                     " and ".join(sorted(locks)), until.isoformat())
        return LoginThrottled(until, retry_after_s(until, self.now))

    def begin(self, username: str) -> Attempt:
        """Let the attempt through and count it as a failure until it succeeds; ``LoginThrottled`` if locked."""
        locks = self._locks(username)
        if locks:
            raise self._refuse(username, locks)
        rows = {scope: failures.record_failure(self.conn, scope, key, at=self.now)
                for scope, key in self._keys(username)}
        failures.prune_failures(self.conn, before=self.now - self.policy.horizon)
        self.conn.commit()
        locks = self._locks(username, excluding=rows.values())
        if locks:  # concurrent attempts reached the limit while this one was being written
            failures.forget_failures(self.conn, rows.values())
            self.conn.commit()
            raise self._refuse(username, locks)
        return Attempt(username=username, address_row=rows[FailureScope.ADDRESS])

    def finish(self, attempt: Attempt, *, succeeded: bool) -> None:
        """On success reset the user name's failures (the address keeps its others); on failure keep them."""
        if succeeded:
            failures.clear_failures(self.conn, FailureScope.USER, attempt.username)
            failures.forget_failures(self.conn, (attempt.address_row,))
            self.conn.commit()
            return
        locks = self._locks(attempt.username)
        if locks:
            _log.warning("sign-in locked for user name %r from %s after a failed password: %s locked until %s",
                         attempt.username, self.address, " and ".join(sorted(locks)),
                         max(locks.values()).isoformat())


def _login_guard(request: Request, state: StateDep, conn: ConnDep, now: NowDep) -> LoginGuard:
    peer = request.client.host if request.client is not None else None
    address = client_address(peer, request.headers.getlist("x-forwarded-for"),
                             trusted_networks(state.settings.trusted_proxies))
    return LoginGuard(conn=conn, policy=state.login_policy, now=now, address=address)


LoginGuardDep = Annotated[LoginGuard, Depends(_login_guard)]
