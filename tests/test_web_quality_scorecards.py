"""The scorecard pages on SQLite and PostgreSQL: the editor saves the next version (manage_qa only), refuses a bad
form as typed with nothing saved, and everyone reads the version history and older versions read-only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from quality_site import ANSWERS, Clock, bearer, drawn, evaluate_first, login_form, new_clock, qa_site


@pytest.fixture
def clock() -> Clock:
    return new_clock()


@pytest.fixture
def client(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    with qa_site(engine, clock) as test_client:
        yield test_client



class _FormFields(HTMLParser):
    """The fields a browser would post for the form with id ``form_id`` (ticked boxes only; no <template>s)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.template = form_id, False, 0
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "template":
            self.template += 1
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or self.template or "name" not in a:
            if tag == "option" and self._select is not None and "selected" in a:
                self.fields[self._select] = a["value"]
            return
        if tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.template -= 1
        elif tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data.removeprefix("\n") if not self.fields[self._textarea] else data


def _editor_fields(client: TestClient, path: str = "/qa/scorecard/edit") -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    parser = _FormFields("scorecard-editor")
    parser.feed(page.text)
    return parser.fields


def _versions(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    return [s for s in client.get("/api/qa/scorecards", headers=headers).json() if s["name"] == "inbound-service"]


def test_a_lead_saves_the_next_version_and_old_evaluations_keep_theirs(client: TestClient, clock: Clock) -> None:
    """Edited pass score, a new deduction, a removed section: version 2; the earlier evaluation stays on version 1."""
    h = drawn(client, clock)
    old_key = evaluate_first(client, h, "A1")
    login_form(client, "boss")
    fields = _editor_fields(client)
    assert fields["s2-i0-id"] == "arguing" and fields["s2-i0-cap"] == "20" and fields["based_on"] == "1"
    blank = next(k for k, v in fields.items() if k.startswith("s2-i") and k.endswith("-id") and v == "")
    row = blank.removesuffix("-id")
    fields.update({"pass_score": "85", "s1-i0-points": "20", "applies_to": "inbound, vip",
                   f"{row}-id": "hold_no_notice", f"{row}-label": "Hold without notice 未告知即保持",
                   f"{row}-kind": "deduction", f"{row}-points": "3", f"{row}-cap": "9",
                   f"{row}-description": "Puts the caller on hold without saying why.",
                   f"{row}-examples": "Silence for 40 s\nMusic with no word", "s3-remove": "1"})
    saved = client.post("/qa/scorecard/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/qa/scorecard/versions/2"
    v1, v2 = _versions(client, h["boss"])
    assert (v1["version"], v1["definition"]["pass_score"]) == (1, 80.0)
    d2 = v2["definition"]
    assert (v2["version"], d2["pass_score"], d2["applies_to"]) == (2, 85.0, ["inbound", "vip"])
    assert [s["section_id"] for s in d2["sections"]] == ["opening", "handling", "conduct"]
    new = d2["sections"][2]["items"][-1]
    assert (new["item_id"], new["points"], new["cap"], new["examples"]) == ("hold_no_notice", 3.0, 9.0,
                                                                           ["Silence for 40 s", "Music with no word"])
    assert d2["sections"][1]["items"][0]["points"] == 20.0
    page = client.get("/qa/scorecard").text
    assert 'id="item-hold_no_notice"' in page and "v2" in page and "boss" in page
    old = client.get(f"/api/qa/evaluations/{old_key}", headers=h["qa1"]).json()["evaluation"]
    assert old["scorecard_version"] == 1
    a2_call = next(i["call_id"] for i in client.get("/api/qa/queue", headers=h["qa1"]).json()["items"]
                   if i["agent"] == "A2")
    made = client.post("/api/qa/evaluations", json={"call_id": a2_call, "answers": {
        **ANSWERS, "listening": {"value": 4}, "hold_no_notice": {"value": 2}}}, headers=h["qa1"])
    assert made.status_code == 201, made.text
    assert made.json()["scorecard_version"] == 2
    # earned 5 + 5 + 20 * 4/5 + 15; the pool is 100 minus the 45 positive points; deducted 10 (arguing) + 2 * 3
    assert made.json()["score"] == 5 + 5 + 16 + 15 + (100 - 45) - 10 - 6


def test_a_bad_form_comes_back_as_typed_and_nothing_is_saved(client: TestClient, clock: Clock) -> None:
    """Unreadable fields are all named and marked; a domain rule breach names the item; no version is stored."""
    login_form(client, "boss")
    fields = _editor_fields(client)
    fields.update({"s0-i0-points": "five", "s1-i1-id": "bad id", "title": "Changed title"})
    refused = client.post("/qa/scorecard/edit", data=fields, follow_redirects=False)
    assert refused.status_code == 400
    errors = re.search(r'id="editor-errors">(.*?)</div>', refused.text, re.S)
    assert errors and "greeting" in errors.group(1) and "“five” is not a number" in errors.group(1)
    assert "bad id" in errors.group(1)
    assert re.search(r'name="s0-i0-points" id="s0-i0-points" value="five"[^>]*class="invalid" aria-invalid="true"',
                     refused.text)
    assert 'value="Changed title"' in refused.text
    fields.update({"s0-i0-points": "5", "s1-i1-id": "greeting"})
    repeated = client.post("/qa/scorecard/edit", data=fields, follow_redirects=False)
    assert repeated.status_code == 400 and "item ids repeat: greeting" in repeated.text
    assert "Item id:" in repeated.text
    boss = bearer(client, "boss")
    assert [v["version"] for v in _versions(client, boss)] == [1]
    assert "Changed title" not in client.get("/qa/scorecard").text


def test_only_manage_qa_opens_or_posts_the_editor(client: TestClient) -> None:
    """A QA, a team lead and an agent read the form but get 403 on the editor, and their posts store nothing."""
    token = login_form(client, "boss")
    fields = _editor_fields(client)
    for name in ("qa1", "lead", "amy"):
        client.cookies.clear()
        token = login_form(client, name)
        page = client.get("/qa/scorecard")
        assert page.status_code == 200 and 'id="item-arguing"' in page.text and 'id="edit-link"' not in page.text
        assert client.get("/qa/scorecard/edit").status_code == 403
        posted = client.post("/qa/scorecard/edit", data={**fields, "csrf_token": token, "pass_score": "70"},
                             follow_redirects=False)
        assert posted.status_code == 403 and "lacks the right manage_qa" in posted.text
    assert [v["version"] for v in _versions(client, bearer(client, "boss"))] == [1]


def test_a_version_saved_meanwhile_is_not_overwritten(client: TestClient) -> None:
    """Two editors opened at version 1: the second save answers 409 with its edits kept; saving again makes v3."""
    boss = bearer(client, "boss")  # before the page login: an API login starts a new session
    login_form(client, "boss")
    first = _editor_fields(client)
    second = dict(first)
    assert client.post("/qa/scorecard/edit", data={**first, "pass_score": "85"}, follow_redirects=False
                       ).status_code == 303
    clash = client.post("/qa/scorecard/edit", data={**second, "pass_score": "75"}, follow_redirects=False)
    assert clash.status_code == 409 and 'id="editor-conflict"' in clash.text
    assert 'id="sc-pass" value="75"' in clash.text and 'name="based_on" value="2"' in clash.text
    assert [v["definition"]["pass_score"] for v in _versions(client, boss)] == [80.0, 85.0]
    again = _FormFields("scorecard-editor")
    again.feed(clash.text)
    assert client.post("/qa/scorecard/edit", data=again.fields, follow_redirects=False).status_code == 303
    assert [v["definition"]["pass_score"] for v in _versions(client, boss)] == [80.0, 85.0, 75.0]


def test_history_lists_versions_and_shows_an_old_one_read_only(client: TestClient) -> None:
    """The history names who saved each version and when; version 1 opens read-only with a link to the current."""
    login_form(client, "boss")
    fields = _editor_fields(client)
    client.post("/qa/scorecard/edit", data={**fields, "pass_score": "90"}, follow_redirects=False)
    starter = _editor_fields(client, "/qa/scorecard/edit?start=starter")
    assert starter["pass_score"] == "80" and starter["based_on"] == "2"
    client.cookies.clear()
    login_form(client, "amy")
    history = client.get("/qa/scorecard/versions").text
    rows = re.findall(r'<tr data-version="(\d+)">.*?<td class="saved-by">([^<]*)</td>', history, re.S)
    assert rows == [("2", "boss"), ("1", "the system (starter form)")]
    old = client.get("/qa/scorecard/versions/1")
    assert old.status_code == 200 and 'id="old-version"' in old.text and "80" in old.text
    assert 'id="edit-link"' not in old.text and "<form method=\"post\" action=\"/qa/scorecard/edit\"" not in old.text
    assert 'id="old-version"' not in client.get("/qa/scorecard/versions/2").text
    assert client.get("/qa/scorecard/versions/7").status_code == 404


def test_editor_and_errors_in_chinese(client: TestClient) -> None:
    """In zh-CN the editor, its kinds and its error list are Chinese."""
    token = login_form(client, "boss")
    client.post("/language", data={"locale": "zh-CN", "csrf_token": token, "next": "/qa/scorecard/edit"})
    fields = _editor_fields(client)
    page = client.get("/qa/scorecard/edit").text
    assert "编辑质检表" in page and "保存为第 2 版" in page and ">扣分项<" in page
    refused = client.post("/qa/scorecard/edit", data={**fields, "s2-i0-cap": "两次"}, follow_redirects=False)
    assert refused.status_code == 400 and "未保存" in refused.text and "“两次”不是数字" in refused.text
    assert "扣分上限" in refused.text
