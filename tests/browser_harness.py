"""What the headless-Chromium tests share: serving an app on a free port, the demo database, signing in
through the login form and switching the page's language.

The Playwright browser and the page fixture live in conftest.py (one Playwright for the whole run);
this module holds the plain helpers they and the browser test modules call.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from callops.demo import load_demo
from callops.store import make_engine, upgrade

__all__ = ["CHROMIUM_ARGS", "chromium_path", "demo_database", "log_in", "serve", "switch_language"]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    """Debian's chromium (./scripts/test installs it), or None when it is missing."""
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")


def demo_database(folder: Path) -> str:
    """A migrated SQLite database in ``folder`` holding the demo month and users; returns its URL."""
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_demo(engine)
    engine.dispose()
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free port; yields its base URL and stops it afterwards."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def log_in(page: Page, site: str, username: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto(f"{site}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")


def switch_language(page: Page, locale: str) -> None:
    """Pick ``locale`` (``en`` or ``zh-CN``) with the header's language switch and wait for the page in it."""
    page.click(f"#lang-{locale}")
    expect(page.locator("html")).to_have_attribute("lang", locale)
