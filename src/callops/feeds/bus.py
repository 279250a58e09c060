"""The fan-out bus: who appended to the live event log tells every listener the newest event id.

The event log is the truth; the bus only wakes listeners so they read it at once instead of at their
next poll. ``LocalBus`` serves one process (the embedded default: the practice floor or the agent
buttons in the same web server). ``RedisBus`` publishes on a Redis channel so several web workers,
and a follower running as its own process, wake each other. ``PgNotifyBus`` does the same through
PostgreSQL's ``NOTIFY``/``LISTEN`` on the database the log is in, for a PostgreSQL install without
Redis. ``bus_for(url, database_url)`` picks one.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

__all__ = ["EventBus", "LocalBus", "PgNotifyBus", "RedisBus", "bus_for", "wake_bus", "CHANNEL", "PG_CHANNEL"]

CHANNEL = "callops:live:events"
PG_CHANNEL = "callops_live_events"  # NOTIFY channels are per database: no need to name the log


class EventBus(Protocol):
    def publish(self, last_id: int) -> None: ...

    def wait(self, after_id: int, timeout_s: float) -> int:
        """The newest id heard of, once it is past ``after_id`` or ``timeout_s`` has passed."""
        ...

    def close(self) -> None: ...


class LocalBus:
    """In-process fan-out: a condition variable holding the newest id."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._last = 0

    def publish(self, last_id: int) -> None:
        with self._cond:
            if last_id > self._last:
                self._last = last_id
            self._cond.notify_all()

    def wait(self, after_id: int, timeout_s: float) -> int:
        with self._cond:
            self._cond.wait_for(lambda: self._last > after_id, timeout=timeout_s)
            return self._last

    def close(self) -> None:
        self.publish(self._last)


class RedisBus:
    """Fan-out over Redis pub/sub on ``CHANNEL``; a listener thread feeds a ``LocalBus``.

    Publishing never fails the writer: the event is already in the log, and readers poll it too.
    """

    def __init__(self, url: str, *, channel: str = CHANNEL) -> None:
        import redis

        self.channel = channel
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._local = LocalBus()
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self._ready = threading.Event()
        self.errors = 0

    def publish(self, last_id: int) -> None:
        import redis

        self._local.publish(last_id)
        try:
            self._client.publish(self.channel, str(last_id))
        except redis.RedisError:
            self.errors += 1

    def _listen(self) -> None:
        import redis

        while not self._stop.is_set():
            try:
                pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self._ready.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None and message.get("type") == "message":
                        try:
                            self._local.publish(int(message["data"]))
                        except (TypeError, ValueError):
                            continue
                pubsub.close()
            except redis.RedisError:
                self.errors += 1
                self._stop.wait(1.0)  # the log is still polled meanwhile; try again

    def start(self) -> RedisBus:
        """Start listening (readers); a writer that only publishes need not call it."""
        self._listener = threading.Thread(target=self._listen, name="callops-redis-bus", daemon=True)
        self._listener.start()
        self._ready.wait(5.0)
        return self

    def wait(self, after_id: int, timeout_s: float) -> int:
        return self._local.wait(after_id, timeout_s)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=2.0)
        self._local.close()
        self._client.close()


class PgNotifyBus:
    """Fan-out over PostgreSQL ``NOTIFY``/``LISTEN`` on ``channel`` of the log's own database.

    ``publish`` sends ``pg_notify(channel, id)`` on a connection of its own in autocommit, after the writer's
    append committed (as ``RedisBus`` publishes); PostgreSQL delivers it to every session listening on that
    database. The first ``wait`` starts a listener thread (a writer that only publishes never holds a listening
    connection): it ``LISTEN``s and reads ``Connection.notifies`` with a 0.5 s timeout into a ``LocalBus``.
    Like Redis, publishing never fails the writer (the event is in the log, readers poll it too); a lost
    connection is opened again at the next publish, or by the listener after 1 s.
    """

    def __init__(self, url: str, *, channel: str = PG_CHANNEL) -> None:
        self.channel = channel
        self._conninfo = _libpq_url(url)
        self._local = LocalBus()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._lock = threading.Lock()  # several writer threads (a web server) share the publishing connection
        self._conn: Any = None
        self._listener: threading.Thread | None = None
        self.errors = 0

    def publish(self, last_id: int) -> None:
        import psycopg

        self._local.publish(last_id)
        with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
                self._conn.execute("SELECT pg_notify(%s, %s)", (self.channel, str(last_id)))
            except psycopg.Error:
                self.errors += 1
                self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail in any way; it is gone anyway
                pass
            self._conn = None

    def _listen(self) -> None:
        import psycopg
        from psycopg import sql

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self._ready.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            try:
                                self._local.publish(int(note.payload))
                            except ValueError:
                                continue
            except psycopg.Error:
                self.errors += 1
                self._ready.set()  # start() need not wait out its 5 s: the first try is over
                self._stop.wait(1.0)  # the log is still polled meanwhile; try again

    def start(self) -> PgNotifyBus:
        """Listen now (and wait up to 5 s until the ``LISTEN`` is in place); ``wait`` does it when needed."""
        with self._lock:
            if self._listener is None:
                self._listener = threading.Thread(target=self._listen, name="callops-pg-notify", daemon=True)
                self._listener.start()
        self._ready.wait(5.0)
        return self

    def wait(self, after_id: int, timeout_s: float) -> int:
        if self._listener is None:
            self.start()
        return self._local.wait(after_id, timeout_s)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=2.0)
        with self._lock:
            self._drop()
        self._local.close()


def _libpq_url(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://``) as the libpq URL psycopg connects with."""
    import sqlalchemy as sa

    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _is_postgres(database_url: str | None) -> bool:
    return bool(database_url) and str(database_url).split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def wake_bus(redis_url: str | None, database_url: str | None = None) -> EventBus | None:
    """The bus that reaches other processes: Redis when a URL is configured, else NOTIFY when the log is on
    PostgreSQL; None on SQLite without Redis (nothing crosses processes: readers poll)."""
    if redis_url:
        return RedisBus(redis_url).start()
    if _is_postgres(database_url):
        return PgNotifyBus(str(database_url))
    return None


def bus_for(redis_url: str | None, database_url: str | None = None) -> EventBus:
    """Redis when a URL is configured (several processes), else NOTIFY on PostgreSQL, else the in-process bus."""
    return wake_bus(redis_url, database_url) or LocalBus()
