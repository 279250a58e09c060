"""Saved and scheduled reports: saved from the builder through the form (errors beside the field, input kept),
delivered by ``callops reports run-due`` to a folder and by e-mail through a real SMTP server on loopback
(aiosmtpd), each period once, failures recorded and retried."""

from __future__ import annotations

import email
import io
import re
import socket
from collections.abc import Iterator
from email.message import Message

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from callops.cli import cli
from callops.records import Role
from callops.store.saved_reports import list_saved_reports
from kpi_hand_day import hand_day_site
from web_sign_in import login

BUILDER_QUERY = "from=2026-03-01&to=2026-03-03&grain=day&dim=queue&kpi=offered&kpi=service_level&kpi=asa_s"
NOW = "2026-03-03T07:00+08:00"  # the daily report covers 2026-03-02, the weekly one 2026-02-23..03-01


class Inbox(MessageHandler):
    """Keeps every message the loopback SMTP server receives."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def handle_message(self, message: Message) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free loopback port (the controller checks its port by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with hand_day_site(engine, [("boss", Role.MANAGER, None, "zh-CN"), ("eve", Role.MANAGER, None, "en")]) as site:
        yield site


def _save(client: TestClient, token: str, **fields: str) -> object:
    data = {"csrf_token": token, "query": BUILDER_QUERY, "name": "daily by queue", "schedule": "daily",
            "delivery": "folder", "recipients": "", "file_format": "csv", **fields}
    return client.post("/reports/saved", data=data, follow_redirects=False)


def test_bad_input_stays_on_the_form(client: TestClient, engine: sa.Engine) -> None:
    """A bad address or a schedule without delivery answers 400 on the form, the error beside the field and
    everything typed kept; nothing is stored."""
    token = login(client, "boss")
    form = client.get(f"/reports/saved/new?{BUILDER_QUERY}")
    assert form.status_code == 200 and 'name="query" value="from=2026-03-01' in form.text
    bad = _save(client, token, delivery="email", recipients="ops@example.cn, not-an-address", name="周报")
    assert bad.status_code == 400  # type: ignore[attr-defined]
    text = bad.text  # type: ignore[attr-defined]
    assert 'id="err-recipients"' in text and "not-an-address" in text and 'value="周报"' in text
    none = _save(client, token, delivery="none")
    assert none.status_code == 400 and 'id="err-delivery"' in none.text  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert list_saved_reports(conn) == []


def test_folder_delivery_once_per_period(client: TestClient, engine: sa.Engine, db_url: str,
                                         tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A daily report saved in Chinese is written to CALLOPS_REPORTS_DIR as a UTF-8 BOM CSV with Chinese headers
    for yesterday; a second run skips the delivered day; --force sends it again."""
    token = login(client, "boss")
    saved = _save(client, token)
    assert saved.status_code == 303  # type: ignore[attr-defined]
    listing = client.get("/reports/saved")
    assert "daily by queue" in listing.text and "每日" in listing.text
    folder = tmp_path / "out"  # type: ignore[operator]
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("CALLOPS_REPORTS_DIR", str(folder))
    first = CliRunner().invoke(cli, ["reports", "run-due", "--now", NOW, "--json"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert '"status": "sent"' in first.output and '"period": "2026-03-02"' in first.output
    written = folder / "daily_by_queue-2026-03-02.csv"
    raw = written.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "周期 (Asia/Shanghai),队列,呼入量,服务水平,平均应答速度 (秒)"
    assert lines[1].startswith("2026-03-02,sales,7,28.6%,")
    again = CliRunner().invoke(cli, ["reports", "run-due", "--now", NOW, "--json"], catch_exceptions=False)
    assert '"status": "skipped"' in again.output
    written.unlink()
    forced = CliRunner().invoke(cli, ["reports", "run-due", "--now", NOW, "--force"], catch_exceptions=False)
    assert forced.exit_code == 0 and written.exists()


def test_email_delivery_through_a_real_smtp_server(client: TestClient, engine: sa.Engine, db_url: str,
                                                   smtp: tuple[Controller, Inbox],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A weekly XLSX report in English is mailed through the loopback SMTP server: one message to the
    recipients with the workbook attached, rates as fractions formatted 0.0%; an unreachable server is a
    failure recorded on the report (exit 1) and the period is sent on the next run."""
    controller, inbox = smtp
    token = login(client, "eve")
    saved = _save(client, token, name="weekly", schedule="weekly", delivery="email", file_format="xlsx",
                  recipients="ops@example.cn; boss@example.cn")
    assert saved.status_code == 303  # type: ignore[attr-defined]
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("CALLOPS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CALLOPS_SMTP_PORT", "1")  # nothing listens there
    now = "2026-03-09T08:00+08:00"  # last complete week: 2026-03-02..08
    failed = CliRunner().invoke(cli, ["reports", "run-due", "--now", now, "--json"])
    assert failed.exit_code == 1 and '"status": "failed"' in failed.output
    with engine.connect() as conn:
        (report,) = list_saved_reports(conn)
    assert report.last_error and report.last_period is None
    monkeypatch.setenv("CALLOPS_SMTP_PORT", str(controller.port))
    sent = CliRunner().invoke(cli, ["reports", "run-due", "--now", now, "--json"], catch_exceptions=False)
    assert sent.exit_code == 0 and '"period": "2026-W10"' in sent.output, sent.output
    (message,) = inbox.messages
    assert message["To"] == "ops@example.cn, boss@example.cn" and "weekly (2026-W10)" in message["Subject"]
    parsed = email.message_from_bytes(message.as_bytes())
    body = next(p for p in parsed.walk() if p.get_content_type() == "text/plain" and not p.get_filename())
    text = body.get_payload(decode=True)
    assert isinstance(text, bytes) and "weekly, 2026-W10: the report is attached" in text.decode("utf-8")
    (attachment,) = [p for p in parsed.walk() if p.get_filename()]
    assert attachment.get_filename() == "weekly-2026-03-02-2026-03-08.xlsx"
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    sheet = load_workbook(io.BytesIO(payload)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Period (Asia/Shanghai)", "Queue", "Offered"]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["Offered"].value == 7 and row["Service level"].number_format == "0.0%"
    assert row["Service level"].value == pytest.approx(2 / 7)
    with engine.connect() as conn:
        (report,) = list_saved_reports(conn)
    assert report.last_period == "2026-W10" and report.last_error is None
    assert re.search(r"2026-W10", client.get("/reports/saved").text)


def test_reports_are_their_owners(client: TestClient, engine: sa.Engine) -> None:
    """Another manager neither lists, downloads nor deletes someone's saved report (404); the owner downloads it
    over its saved range, in the language it was saved in."""
    token = login(client, "boss")
    assert _save(client, token, schedule="none", delivery="none", name="三天").status_code == 303  # type: ignore[attr-defined]
    with engine.connect() as conn:
        (report,) = list_saved_reports(conn)
    own = client.get(f"/reports/saved/{report.id}/download")
    assert own.status_code == 200 and own.content.decode("utf-8-sig").startswith("周期 (Asia/Shanghai),队列,呼入量")
    assert "filename*=UTF-8''%E4%B8%89%E5%A4%A9-2026-03-01-2026-03-03.csv" in own.headers["content-disposition"]
    client.cookies.clear()
    other = login(client, "eve")
    assert "三天" not in client.get("/reports/saved").text
    assert client.get(f"/reports/saved/{report.id}/download").status_code == 404
    gone = client.post(f"/reports/saved/{report.id}/delete", data={"csrf_token": other}, follow_redirects=False)
    assert gone.status_code == 404
    with engine.connect() as conn:
        assert len(list_saved_reports(conn)) == 1
