"""The web import page on SQLite and PostgreSQL: a real extract of the demo month through preview and import
(the same engine as the CLI: idempotent, rejects file), and every bad upload answered 4xx naming the problem."""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Role
from callops.store.schema import calls
from callops.web import create_app
from web_sign_in import insert_users, login

DEMO = Path(__file__).resolve().parents[1] / "src" / "callops" / "demo" / "calls_1999-01.txt.gz"
LIMIT = 256 * 1024


def demo_extract(rows: int) -> bytes:
    """The header and the first ``rows`` rows of the demo month (Anonymous Bank, January 1999)."""
    with gzip.open(DEMO, "rt", encoding="utf-8") as source:
        lines = [next(source) for _ in range(rows + 1)]
    return "".join(lines).encode()


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    """The app over ``engine`` with an importing planner (English), a manager (Chinese) and an agent."""
    with engine.begin() as conn:
        insert_users(conn, [("pat", Role.PLANNER, None, "en"), ("max", Role.MANAGER, None, "zh-CN"),
                            ("amy", Role.AGENT, None, "en")])
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret",
                                        import_max_bytes=LIMIT))) as test_client:
        yield test_client


def as_user(client: TestClient, username: str) -> TestClient:
    client.headers["X-CSRF-Token"] = login(client, username)
    return client


def upload(client: TestClient, content: bytes, name: str = "calls.txt", **fields: str) -> Any:
    data = {"format": "auto", "zone": "Asia/Jerusalem", "encoding": "utf-8", "action": "preview",
            "skip_invalid": "1", **fields}
    return client.post("/imports/upload", data=data, files={"file": (name, content, "application/octet-stream")},
                       follow_redirects=False)


def wait_for(client: TestClient, job: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/api/imports/{job}").json()
        if body["status"] not in {"queued", "running"}:
            return body
        time.sleep(0.1)
    raise AssertionError(f"import {job} did not finish")


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(calls)).scalar_one())


def test_demo_extract_previews_then_imports_once(client: TestClient, engine: sa.Engine) -> None:
    """Recognised as anonymous-bank with the reason; the preview lists calls in the chosen zone; importing the
    previewed file inserts exactly its calls (PHANTOM rows skipped), and a second import only finds duplicates."""
    planner = as_user(client, "pat")
    content = demo_extract(300)
    page = upload(planner, content, "calls_1999-01-head.txt")
    assert page.status_code == 200, page.text
    assert "Recognised as anonymous-bank" in page.text and "Anonymous Bank header" in page.text
    assert page.text.count("<tr><td class=\"mono\">") == 20  # the first 20 calls
    assert "1999-01-01 00:00:31" in page.text  # VRU entry of call 33116, read in Asia/Jerusalem
    token = re.search(r'name="staged" value="([^"]+)"', page.text)
    assert token is not None and token.group(1)
    started = planner.post("/imports/upload", data={"staged": token.group(1), "format": "anonymous-bank",
                                                    "zone": "Asia/Jerusalem", "encoding": "utf-8",
                                                    "skip_invalid": "1", "action": "import"},
                           follow_redirects=False)
    assert started.status_code == 303
    job = int(started.headers["location"].rsplit("/", 1)[1])
    result = wait_for(planner, job)
    assert result["status"] == "done" and result["percent"] == 100, (result, result.get("error"))
    inserted = result["result"]["inserted"]
    assert inserted == _count(engine) and inserted + result["result"]["skipped"] == 300
    assert result["result"]["rejected"] == 0 and result["rejects_url"] is None
    summary = planner.get(f"/imports/{job}")
    assert summary.status_code == 200 and f'id="imp-inserted">{inserted:,}<' in summary.text
    assert "calls_1999-01-head.txt" in planner.get("/imports").text  # the recent imports list
    again = upload(planner, content, "calls_1999-01-head.txt", action="import")
    second = wait_for(planner, int(again.headers["location"].rsplit("/", 1)[1]))
    assert (second["result"]["inserted"], second["result"]["duplicates"]) == (0, inserted)
    assert _count(engine) == inserted


def test_bad_lines_go_to_a_downloadable_rejects_file(client: TestClient, engine: sa.Engine) -> None:
    """With "set bad lines aside" a broken row is rejected with its line and reason and the rest lands; without
    it the job fails naming the line and writes nothing."""
    planner = as_user(client, "pat")
    lines = demo_extract(40).decode().splitlines(keepends=True)
    lines[5] = lines[5].replace("990101", "991341")
    content = "".join(lines).encode("utf-8")
    strict = upload(planner, content, "broken.txt", action="import", skip_invalid="")
    failed = wait_for(planner, int(strict.headers["location"].rsplit("/", 1)[1]))
    assert failed["status"] == "failed" and "broken.txt, line 6" in failed["error"] and _count(engine) == 0
    page = upload(planner, content, "broken.txt")
    assert page.status_code == 200 and 'id="imp-preview-rejections"' in page.text
    lenient = upload(planner, content, "broken.txt", action="import")
    done = wait_for(planner, int(lenient.headers["location"].rsplit("/", 1)[1]))
    assert done["status"] == "done" and done["result"]["rejected"] == 1 and _count(engine) > 0
    rejects = planner.get(done["rejects_url"])
    assert rejects.status_code == 200 and rejects.content.startswith(b"\xef\xbb\xbf")
    assert "broken.txt,6," in rejects.content.decode("utf-8-sig")


def _gb18030_cdr() -> bytes:
    row = ('"","13800138000","6001","from-trunk","张三 <13800138000>","SIP/trunk-00000001","SIP/6001-00000002",'
           '"Dial","SIP/6001","2024-03-01 09:00:00","2024-03-01 09:00:05","2024-03-01 09:01:05",65,60,'
           '"ANSWERED","DOCUMENTATION","1709254800.1",""\n')
    return row.encode("gb18030")


@pytest.mark.parametrize(("name", "content", "fields", "status", "field", "words"), [
    ("empty.txt", b"", {}, 400, "file", "empty.txt is empty"),
    ("blank.txt", b"\n \n", {}, 400, "file", "blank.txt is empty"),
    ("big.txt.gz", b"\x1f\x8b" + b"x" * (LIMIT + 10), {}, 413, "file", "larger than the limit of 262,144 bytes"),
    ("calls.txt", b"hello world\nthis is not a call log\n", {}, 400, "format", "does not recognise the format"),
    ("calls.txt", demo_extract(20), {"format": "asterisk-cdr"}, 400, "format",
     "calls.txt does not read as asterisk-cdr: line 1"),
    ("Master.csv", _gb18030_cdr(), {}, 400, "encoding", "is not UTF-8 text (line 1"),
    ("calls.txt.gz", gzip.compress(demo_extract(200))[:-40], {}, 400, "file", "cannot be unpacked"),
    ("calls.txt.gz", b"\x1f\x8b\x08\x00garbage-not-deflate" * 3, {}, 400, "file", "cannot be unpacked"),
    ("calls.txt", demo_extract(5), {"zone": "Mars/Olympus"}, 400, "zone", "is not a time zone"),
    ("crm.csv", b"Call ID;From;Queued\nc1;1;2\n", {}, 400, "mapping", "paste a column mapping"),
])
def test_bad_uploads_are_refused_naming_the_problem_with_the_form_kept(
        client: TestClient, engine: sa.Engine, name: str, content: bytes, fields: dict[str, str], status: int,
        field: str, words: str) -> None:
    planner = as_user(client, "pat")
    response = upload(planner, content, name, **{"action": "import", **fields})
    assert response.status_code == status, response.text
    assert f'id="err-{field}"' in response.text and words in response.text
    if "zone" in fields:
        assert 'value="Mars/Olympus"' in response.text  # the input is kept on the form
    assert _count(engine) == 0 and "imp-jobs" not in response.text


def test_chinese_user_reads_the_errors_in_chinese_and_gb18030_then_imports(client: TestClient) -> None:
    manager = as_user(client, "max")
    refused = upload(manager, _gb18030_cdr(), "Master.csv", zone="Asia/Shanghai")
    assert refused.status_code == 400 and "不是 UTF-8 文本（第 1 行" in refused.text and "GB18030" in refused.text
    page = upload(manager, _gb18030_cdr(), "Master.csv", zone="Asia/Shanghai", encoding="gb18030")
    assert page.status_code == 200 and "识别为 asterisk-cdr" in page.text and "1709254800.1" in page.text
    assert "前 1 行中有 1 行是带开始/结束时间和处理结果" in page.text  # why, in Chinese too
    unknown = upload(manager, b"hello world\n", "notes.txt")
    assert unknown.status_code == 400 and "第一行（hello world）不属于 callops 已知的任何格式" in unknown.text


def test_a_body_far_over_the_limit_is_cut_off_while_streaming(client: TestClient) -> None:
    """The upload path's body cap (the limit plus room for the form) answers 413 naming the limit and setting."""
    planner = as_user(client, "pat")
    response = upload(planner, b"x" * (LIMIT + 2 * 1024 * 1024), "huge.txt")
    assert response.status_code == 413
    assert "262,144" in response.json()["message"] and "CALLOPS_IMPORT_MAX_BYTES" in response.json()["message"]


def test_the_page_states_the_limit_and_the_default_zone_and_needs_the_right(client: TestClient) -> None:
    planner = as_user(client, "pat")
    page = planner.get("/imports")
    assert page.status_code == 200
    assert "Plain or gzip, at most 262,144 bytes." in page.text
    assert "Default: the site&#39;s zone, Asia/Shanghai." in page.text
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    agent = as_user(client, "amy")
    assert agent.get("/imports").status_code == 403
    assert upload(agent, demo_extract(5)).status_code == 403
    assert agent.get("/api/imports/1").status_code == 403


def test_job_ids_and_staged_files_that_are_not_yours_are_refused(client: TestClient) -> None:
    """Ids that are not numbers or too large answer 400, unknown ones 404; a previewed file is its sender's only."""
    planner = as_user(client, "pat")
    for path in ("/imports/99999999999999999999", "/imports/abc", "/api/imports/-1"):
        assert planner.get(path).status_code == 400, path
    assert planner.get("/imports/12345").status_code == 404
    assert planner.get("/imports/12345/rejects.csv").status_code == 404
    page = upload(planner, demo_extract(30), "head.txt")
    token = re.search(r'name="staged" value="([^"]+)"', page.text)
    assert token is not None
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    manager = as_user(client, "max")
    taken = manager.post("/imports/upload", data={"staged": token.group(1), "format": "anonymous-bank",
                                                  "zone": "Asia/Jerusalem", "encoding": "utf-8", "action": "import"},
                         follow_redirects=False)
    assert taken.status_code == 400 and 'id="err-file"' in taken.text and "不再保留" in taken.text
    forged = manager.post("/imports/upload", data={"staged": "../../etc/passwd", "action": "preview"})
    assert forged.status_code == 400 and 'id="err-file"' in forged.text


def test_a_csv_of_your_own_columns_imports_with_the_mapping_pasted(client: TestClient, engine: sa.Engine) -> None:
    fixtures = Path(__file__).resolve().parent / "fixtures" / "csv"
    planner = as_user(client, "pat")
    content = (fixtures / "crm-calls.csv").read_bytes()
    broken = upload(planner, content, "crm-calls.csv", mapping="columns: [unclosed")
    assert broken.status_code == 400 and 'id="err-mapping"' in broken.text
    assert "columns: [unclosed</textarea>" in broken.text  # the pasted mapping is kept
    mapping = (fixtures / "crm-export.yaml").read_text()
    page = upload(planner, content, "crm-calls.csv", mapping=mapping)
    assert page.status_code == 200 and "Recognised as csv" in page.text and "c-1" in page.text
    started = upload(planner, content, "crm-calls.csv", mapping=mapping, action="import")
    done = wait_for(planner, int(started.headers["location"].rsplit("/", 1)[1]))
    assert done["status"] == "done" and done["result"]["inserted"] == _count(engine) == 3
