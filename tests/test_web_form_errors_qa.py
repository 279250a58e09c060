"""QA forms answer a bad value on the form itself: the error beside its field in the viewer's language (English
and zh-CN), what was typed kept, nothing stored; a step the state has moved past answers 409 on the same page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from quality_site import Clock, drawn, evaluate_first, login_form, new_clock, qa_site


@pytest.fixture
def clock() -> Clock:
    return new_clock()


@pytest.fixture
def client(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    with qa_site(engine, clock) as test_client:
        yield test_client


def _messages(page: str) -> dict[str, str]:
    """``{"err-<field>": message, "form-error": message}`` as the page shows them."""
    found = re.findall(r'id="(err-[A-Za-z0-9_]+|form-error)"[^>]*>([^<]*)<', page)
    return {key: html.unescape(text) for key, text in found}


def _chinese(client: TestClient, token: str) -> None:
    client.post("/language", data={"locale": "zh-CN", "csrf_token": token, "next": "/qa"})


def _appeal(client: TestClient, key: str, token: str) -> str:
    filed = client.post(
        f"/qa/evaluations/{key}/appeal",
        data={"csrf_token": token, "items": ["arguing"], "reason": "I did not argue"},
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text
    return filed.headers["location"].removeprefix("/qa/appeals/")


@pytest.mark.parametrize(
    ("locale", "due_error", "text_error"),
    [
        ("en", "a follow-up is due in the future", "the note is empty"),
        ("zh-CN", "跟进日期须在将来", "辅导记录不能为空"),
    ],
)
def test_coaching_note_errors_beside_their_fields(
    client: TestClient, clock: Clock, locale: str, due_error: str, text_error: str
) -> None:
    """A follow-up day in the past and an empty note are refused beside their fields, the rest kept, nothing
    stored."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    token = login_form(client, "qa1")
    if locale == "zh-CN":
        _chinese(client, token)
    r = client.post(
        f"/qa/evaluations/{key}/note",
        data={"csrf_token": token, "kind": "coaching", "text": "slow down on the greeting", "due": "2026-03-01"},
    )
    assert r.status_code == 400
    assert _messages(r.text)["err-due"] == due_error
    assert 'value="slow down on the greeting"' in r.text and 'value="2026-03-01"' in r.text
    r = client.post(
        f"/qa/evaluations/{key}/note", data={"csrf_token": token, "kind": "coaching", "text": "  ", "due": "2026-03-20"}
    )
    assert r.status_code == 400 and _messages(r.text)["err-text"] == text_error
    assert 'value="2026-03-20"' in r.text
    r = client.post(
        f"/qa/evaluations/{key}/note", data={"csrf_token": token, "kind": "coaching", "text": "x", "due": "20 March"}
    )
    assert r.status_code == 400 and "err-due" in _messages(r.text)
    assert client.get(f"/api/qa/evaluations/{key}", headers=h["qa1"]).json()["notes"] == []


@pytest.mark.parametrize(
    ("locale", "items_error", "comment_error"),
    [
        ("en", "tick at least one disputed item", "the comment is empty"),
        ("zh-CN", "请至少勾选一个有异议的项目", "评论不能为空"),
    ],
)
def test_the_agents_appeal_and_comment_keep_what_was_typed(
    client: TestClient, clock: Clock, locale: str, items_error: str, comment_error: str
) -> None:
    """An appeal with no disputed item comes back with the reason typed; an empty comment is named."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    clock.now += dt.timedelta(hours=1)
    token = login_form(client, "amy")
    if locale == "zh-CN":
        _chinese(client, token)
    r = client.post(f"/qa/evaluations/{key}/appeal", data={"csrf_token": token, "reason": "the score is too low"})
    assert r.status_code == 400
    assert _messages(r.text)["err-disputed_items"] == items_error
    assert ">the score is too low</textarea>" in r.text
    r = client.post(f"/qa/evaluations/{key}/note", data={"csrf_token": token, "kind": "agent_comment", "text": " "})
    assert r.status_code == 400 and _messages(r.text)["err-text"] == comment_error
    assert client.get("/api/qa/appeals", headers=h["amy"]).json() == []


def test_evaluation_form_names_the_bad_answer_and_keeps_the_others(client: TestClient, clock: Clock) -> None:
    """A score that is not a number and a time mark that is not one are named beside their items; the comments and
    other answers typed stay in the form; a second evaluation of the same call is a 409 on the form."""
    h = drawn(client, clock)
    queue = client.get("/api/qa/queue", headers=h["qa1"]).json()
    call_id = next(i["call_id"] for i in queue["items"] if i["agent"] == "A2")
    token = login_form(client, "qa1")
    data = {
        "csrf_token": token,
        "v_greeting": "yes",
        "v_verify": "no",
        "v_listening": "four",
        "v_solution": "5",
        "v_arguing": "0",
        "c_greeting": "warm hello",
        "t_solution": "1:05, 2:xx",
    }
    r = client.post(f"/qa/evaluate/{call_id}", data=data)
    assert r.status_code == 400
    assert _messages(r.text)["err-v_listening"] == "'four' is not a number"
    assert 'value="four"' in r.text and 'value="warm hello"' in r.text and 'value="1:05, 2:xx"' in r.text
    assert re.search(r'<option value="no" selected>', r.text)  # verify: "no" as chosen, not the default
    r = client.post(f"/qa/evaluate/{call_id}", data=data | {"v_listening": "7", "t_solution": ""})
    assert r.status_code == 400 and _messages(r.text)["err-v_listening"] == "a value from 0 to 5, please"
    r = client.post(f"/qa/evaluate/{call_id}", data=data | {"v_listening": "4"})
    assert r.status_code == 400 and _messages(r.text)["err-t_solution"] == "“2:xx” is not a time mark like 75 or 1:15"
    assert (
        client.post(
            f"/qa/evaluate/{call_id}", data=data | {"v_listening": "4", "t_solution": "65"}, follow_redirects=False
        ).status_code
        == 303
    )
    _chinese(client, token)
    again = client.post(f"/qa/evaluate/{call_id}", data=data | {"v_listening": "3", "t_solution": ""})
    assert again.status_code == 409
    assert _messages(again.text)["form-error"].startswith("您已评估过这通电话")
    assert re.search(r'id="v-listening"[^>]*value="3"', again.text)


def test_correction_without_a_reason_keeps_the_new_answers(client: TestClient, clock: Clock) -> None:
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    token = login_form(client, "qa1")
    data = {
        "csrf_token": token,
        "v_greeting": "yes",
        "v_verify": "yes",
        "v_listening": "4",
        "v_solution": "5",
        "v_arguing": "0",
        "c_arguing": "misheard the tone",
        "reason": " ",
    }
    r = client.post(f"/qa/evaluations/{key}/correct", data=data)
    assert r.status_code == 400
    assert _messages(r.text)["err-reason"] == "a new version needs a reason"
    assert re.search(r'id="v-arguing"[^>]*value="0"', r.text) and 'value="misheard the tone"' in r.text
    versions = client.get(f"/api/qa/evaluations/{key}", headers=h["qa1"]).json()["evaluation"]["versions"]
    assert len(versions) == 1


def test_appeal_steps_answer_on_the_appeal_page(client: TestClient, clock: Clock) -> None:
    """Return without a reason (400), a view that is not one of the choices (400), a decision before the panel has
    finished (409, in Chinese for a zh-CN manager): each on the appeal page, typed values kept."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    clock.now += dt.timedelta(hours=1)
    appeal_id = _appeal(client, key, login_form(client, "amy"))
    client.cookies.clear()
    token = login_form(client, "lead")
    r = client.post(f"/qa/appeals/{appeal_id}/return", data={"csrf_token": token, "reason": ""})
    assert r.status_code == 400 and _messages(r.text)["err-reason"] == "say why the appeal is returned"
    assert (
        client.post(f"/qa/appeals/{appeal_id}/accept", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    again = client.post(f"/qa/appeals/{appeal_id}/accept", data={"csrf_token": token})
    assert again.status_code == 409
    assert _messages(again.text)["form-error"] == f"appeal {appeal_id} is no longer at this step; reload the page"
    r = client.post(
        f"/qa/appeals/{appeal_id}/view", data={"csrf_token": token, "view": "maybe", "comment": "looks fine to me"}
    )
    assert r.status_code == 400 and _messages(r.text)["err-view"] == "choose upheld, partly or rejected"
    assert 'value="looks fine to me"' in r.text
    client.cookies.clear()
    token = login_form(client, "boss")
    _chinese(client, token)
    r = client.post(
        f"/qa/appeals/{appeal_id}/decide",
        data={"csrf_token": token, "decision": "upheld", "v_arguing": "0", "comment": "agreed"},
    )
    assert r.status_code == 409
    assert _messages(r.text)["form-error"].startswith("评审组尚未完成")
    assert client.get(f"/api/qa/appeals/{appeal_id}", headers=h["boss"]).json()["appeal"]["state"] == "under_review"


@pytest.mark.parametrize(
    ("locale", "no_call", "voted"),
    [
        ("en", "there is no call 99999999", "you voted for this call already"),
        ("zh-CN", "没有编号为 99999999 的电话", "您已为这通电话投过票"),
    ],
)
def test_library_nomination_and_votes(client: TestClient, clock: Clock, locale: str, no_call: str, voted: str) -> None:
    """A call number that is not one, an unknown call and an empty reason are named beside their fields with the
    other field kept; a second vote is answered on the library page (409)."""
    h = drawn(client, clock)
    call_id = client.get("/api/qa/queue", headers=h["qa1"]).json()["items"][0]["call_id"]
    token = login_form(client, "qa1")
    if locale == "zh-CN":
        _chinese(client, token)
    r = client.post("/qa/library", data={"csrf_token": token, "call_id": "abc", "reason": "textbook empathy"})
    assert r.status_code == 400 and "err-call_id" in _messages(r.text) and 'value="textbook empathy"' in r.text
    r = client.post("/qa/library", data={"csrf_token": token, "call_id": "99999999", "reason": "textbook empathy"})
    assert r.status_code == 400 and _messages(r.text)["err-call_id"] == no_call
    r = client.post("/qa/library", data={"csrf_token": token, "call_id": str(call_id), "reason": ""})
    assert r.status_code == 400 and "err-reason" in _messages(r.text) and f'value="{call_id}"' in r.text
    assert (
        client.post(
            "/qa/library", data={"csrf_token": token, "call_id": str(call_id), "reason": "calm"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert (
        client.post(f"/qa/library/{call_id}/vote", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    again = client.post(f"/qa/library/{call_id}/vote", data={"csrf_token": token})
    assert again.status_code == 409 and _messages(again.text)["form-error"] == voted


@pytest.mark.parametrize(
    ("locale", "order_error"), [("en", "the last day is before the first"), ("zh-CN", "结束日期早于开始日期")]
)
def test_duty_days_are_checked_on_the_settings_form(
    client: TestClient, clock: Clock, locale: str, order_error: str
) -> None:
    drawn(client, clock)
    token = login_form(client, "boss")
    if locale == "zh-CN":
        _chinese(client, token)
    r = client.post(
        "/qa/settings/duty",
        data={"csrf_token": token, "username": "bob", "first_day": "2026-03-09", "last_day": "2026-03-08"},
    )
    assert r.status_code == 400 and _messages(r.text)["err-last_day"] == order_error
    assert 'value="2026-03-09"' in r.text and "<option selected>bob</option>" in r.text
    r = client.post(
        "/qa/settings/duty",
        data={"csrf_token": token, "username": "nobody", "first_day": "2026-03-09", "last_day": "2026-03-10"},
    )
    assert r.status_code == 400 and "err-username" in _messages(r.text)
    r = client.post(
        "/qa/settings/duty",
        data={"csrf_token": token, "username": "bob", "first_day": "9 March", "last_day": "2026-03-10"},
    )
    assert r.status_code == 400 and "err-first_day" in _messages(r.text) and 'value="9 March"' in r.text
    assert "bob" not in client.get("/qa/settings").text.split('id="duty-table"')[1].split("</table>")[0]


def test_refusals_raised_by_the_domain_read_in_both_languages() -> None:
    """The messages the QA domain and services raise (taken from real raises, not copied) match a catalog pattern in
    English and zh-CN, so a page never shows them raw."""
    from callops.errors import CallopsError
    from callops.quality import starter_scorecard
    from callops.web.i18n import load_catalogs
    from callops.web.reason_keys import say_reason
    from callops.web.routes._quality_shared import answers_from_form, parse_time_marks

    form = starter_scorecard()
    raised: list[str] = []
    for attempt in (
        lambda: dataclasses.replace(form, title=" "),
        lambda: dataclasses.replace(form, pass_score=-1),
        lambda: parse_time_marks("9:xx", "greeting"),
        lambda: parse_time_marks("-3", "greeting"),
        lambda: answers_from_form(form, {"v_greeting": "maybe"}),
        lambda: answers_from_form(form, {"v_greeting": "yes", "v_verify": "yes", "v_listening": "x"}),
    ):
        with pytest.raises(CallopsError) as caught:
            attempt()
        raised.append(getattr(caught.value, "reason", str(caught.value)))
    catalogs = load_catalogs()
    for locale in ("en", "zh-CN"):
        t = catalogs.translator(locale)
        shown = [say_reason(reason, t) for reason in raised]
        assert all(text != reason for text, reason in zip(shown, raised, strict=True) if locale == "zh-CN"), shown
        assert all(text and "{" not in text for text in shown), shown
    assert say_reason(raised[1], catalogs.translator("zh-CN")).startswith("及格分必须在 0 到 100")


@pytest.mark.parametrize(
    ("locale", "early", "first"),
    [
        (
            "en",
            "the period of rule week10 has not ended; freeze after it ends",
            "freeze the eligible calls of rule week10 first",
        ),
        ("zh-CN", "规则 week10 的抽样期尚未结束，请在结束后冻结", "请先冻结规则 week10 的可抽取电话"),
    ],
)
def test_rule_steps_taken_too_early_answer_on_the_rule_page(
    client: TestClient, locale: str, early: str, first: str
) -> None:
    """Freezing before the period ends and entering randomness before the freeze are 409 on the rule's page, in
    the viewer's language, with the typed randomness kept."""
    from quality_site import RULE, bearer

    assert client.post("/api/qa/rules", json=RULE, headers=bearer(client, "qa1")).status_code == 201
    token = login_form(client, "qa1")
    if locale == "zh-CN":
        _chinese(client, token)
    r = client.post("/qa/rules/week10/freeze", data={"csrf_token": token})
    assert r.status_code == 409 and _messages(r.text)["form-error"] == early
    r = client.post("/qa/rules/week10/random", data={"csrf_token": token, "value": "3 6 1 4", "source": "beacon"})
    assert r.status_code == 409 and _messages(r.text)["form-error"] == first
    assert client.post("/qa/rules/week10/dance", data={"csrf_token": token}).status_code == 404


def test_scorecard_editor_without_its_version_comes_back_as_typed(client: TestClient, clock: Clock) -> None:
    """A posted editor form missing the version it started from is answered on the editor (400), the typed title
    kept and the reason in the viewer's language, instead of a bare error page."""
    token = login_form(client, "boss")
    _chinese(client, token)
    r = client.post("/qa/scorecard/edit", data={"csrf_token": token, "title": "我的评分表"})
    assert r.status_code == 400
    assert "表单缺少起始版本；请检查后再次保存" in r.text and 'value="我的评分表"' in r.text
