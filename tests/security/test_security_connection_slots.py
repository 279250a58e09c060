"""Issue 19: however many users ask at once, a request waits for a database slot, not on the connection pool."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Any

import httpx
import sqlalchemy as sa

from callops.web.deps import WORKER_THREADS
from security_site import MakeApp


def test_a_hundred_requests_at_once_never_exhaust_the_pool(make_app: MakeApp) -> None:
    """100 simultaneous page requests on a slow database (each checkout takes 50 ms) all answer 200, and never more
    connections are out at once than there are slots (without them every request took one in a dependency before
    its handler ran, and the pool answered 503)."""
    app = make_app(db_pool_timeout_s=0.5)
    engine: sa.Engine = app.state.web.engine
    out = peak = 0

    @sa.event.listens_for(engine, "checkout")
    def _slow_checkout(*_args: Any) -> None:
        nonlocal out, peak
        out += 1
        peak = max(peak, out)
        time.sleep(0.05)

    @sa.event.listens_for(engine, "checkin")
    def _checkin(*_args: Any) -> None:
        nonlocal out
        out -= 1

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            responses = await asyncio.gather(*(client.get("/login") for _ in range(100)))
        return [r.status_code for r in responses]

    try:  # a thread of its own: the main thread may hold a running loop (Playwright's, when tests share a process)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            statuses = pool.submit(lambda: asyncio.run(run())).result()
    finally:
        engine.dispose()  # no lifespan ran (the transport is bare ASGI)
    assert statuses == [200] * 100
    assert 1 <= peak <= WORKER_THREADS
