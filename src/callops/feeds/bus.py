"""The fan-out bus: who appended to the live event log tells every listener the newest event id.

The event log is the truth; the bus only wakes listeners so they read it at once instead of at their
next poll. ``LocalBus`` serves one process (the embedded default: the practice floor or the agent
buttons in the same web server). ``RedisBus`` publishes on a Redis channel so several web workers,
and a follower running as its own process, wake each other. ``bus_for(url)`` picks one.
"""

from __future__ import annotations

import threading
from typing import Protocol

__all__ = ["EventBus", "LocalBus", "RedisBus", "bus_for", "CHANNEL"]

CHANNEL = "callops:live:events"


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


def bus_for(redis_url: str | None) -> EventBus:
    """Redis when a URL is configured (several processes), else the in-process bus."""
    return RedisBus(redis_url).start() if redis_url else LocalBus()
