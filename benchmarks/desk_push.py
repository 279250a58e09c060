"""The caller card pushed to an open contact form: from the ``call_ringing`` event's append to the ``card`` event
received over ``GET /desk/contact/stream``, while other agents' calls add 200 live events a second, against
the baseline of a form that reloads itself every second (a meta refresh) until the card is on the page.

    .venv/bin/python benchmarks/desk_push.py [--rings 20] [--events-per-s 200]

A scratch SQLite file and the app under uvicorn on a free port; p50/p95 in ms and the ratio baseline / push.
The target of issue 16 is 300 ms from the ringing event.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from callops.config import Settings
from callops.live import LiveEvent, LiveEventKind
from callops.records import Role
from callops.store import make_engine, upgrade
from callops.store.live_events import append_events
from callops.store.schema import agents, teams
from callops.store.users import add_user
from callops.web import create_app

PASSWORD = "bench-password-1"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ring(url: str, call_id: str, agent: str, caller: str) -> float:
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        append_events(conn, [LiveEvent(LiveEventKind.CALL_OFFERED, now, "bench", call_id=call_id, queue="Q",
                                       caller=caller),
                             LiveEvent(LiveEventKind.CALL_RINGING, now, "bench", call_id=call_id, queue="Q",
                                       agent=agent)], now=now)
    engine.dispose()
    return time.perf_counter()


def _load(url: str, per_s: int, stop: threading.Event) -> None:
    """Other agents' calls: ``per_s`` live events a second, in batches every 50 ms."""
    engine = make_engine(url)
    n = 0
    while not stop.is_set():
        now = dt.datetime.now(dt.UTC)
        batch = []
        for _ in range(max(1, per_s // 20 // 2)):
            n += 1
            batch += [LiveEvent(LiveEventKind.CALL_OFFERED, now, "load", call_id=f"load-{n}", queue="Q",
                                caller=f"1380000{n % 10000:04d}"),
                      LiveEvent(LiveEventKind.CALL_RINGING, now, "load", call_id=f"load-{n}", queue="Q",
                                agent=f"L{n % 50}")]
        with engine.begin() as conn:
            append_events(conn, batch, now=now)
        time.sleep(0.05)
    engine.dispose()


def _login(client: httpx.Client) -> None:
    client.post("/api/login", json={"username": "amy", "password": PASSWORD}).raise_for_status()


def push_latencies(base: str, url: str, rings: int) -> list[float]:
    got: dict[str, float] = {}
    ready = threading.Event()

    def listen() -> None:
        with httpx.Client(base_url=base, timeout=None) as client:
            _login(client)
            with client.stream("GET", "/desk/contact/stream") as response:
                ready.set()
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        got[json.loads(line[6:])["call_id"]] = time.perf_counter()
                        if len(got) >= rings:
                            return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait(10)
    time.sleep(0.5)
    out = []
    for i in range(rings):
        call_id = f"push-{i}"
        t0 = _ring(url, call_id, "A1", f"1390000{i:04d}")
        deadline = time.perf_counter() + 5
        while call_id not in got and time.perf_counter() < deadline:
            time.sleep(0.002)
        out.append((got[call_id] - t0) * 1000)
        time.sleep(0.3)
    return out


def reload_latencies(base: str, url: str, rings: int) -> list[float]:
    """The baseline: the page reloads every second; the latency is from the ring to the first load showing it."""
    out = []
    with httpx.Client(base_url=base) as client:
        _login(client)
        for i in range(rings):
            call_id = f"reload-{i}"
            time.sleep((i * 0.37) % 1.0)  # the ring falls anywhere in the reload cycle
            t0 = _ring(url, call_id, "A1", f"1370000{i:04d}")
            next_load = t0 + (1.0 - (t0 % 1.0))
            while True:
                time.sleep(max(0.0, next_load - time.perf_counter()))
                page = client.get("/desk/contact").text
                if f'data-call="{call_id}"' in page:
                    out.append((time.perf_counter() - t0) * 1000)
                    break
                next_load += 1.0
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rings", type=int, default=20)
    parser.add_argument("--events-per-s", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="callops-push-"))
    url = f"sqlite:///{folder / 'push.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(teams.insert().values(name="T1", lead=None))
        conn.execute(agents.insert().values(agent_id="A1", name="Amy", team="T1", active=True))
        add_user(conn, "amy", password=PASSWORD, role=Role.AGENT, agent_id="A1", locale="en")
    engine.dispose()
    port = _port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(database_url=url, secret_key="bench")),
                                           host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    stop = threading.Event()
    load = threading.Thread(target=_load, args=(url, args.events_per_s, stop), daemon=True)
    load.start()
    base = f"http://127.0.0.1:{port}"
    try:
        push = push_latencies(base, url, args.rings)
        reload = reload_latencies(base, url, args.rings)
    finally:
        stop.set()
        server.should_exit = True
    print(f"{args.rings} rings at agent A1 while other agents' calls add {args.events_per_s} live events/s "
          "(SQLite)")
    print(f"push (SSE):        p50 {statistics.median(push):6.0f} ms, p95 {_p95(push):6.0f} ms")
    print(f"baseline (reload): p50 {statistics.median(reload):6.0f} ms, p95 {_p95(reload):6.0f} ms; "
          f"p95 ratio {_p95(reload) / _p95(push):.1f}x")


if __name__ == "__main__":
    main()
