"""Forms answer bad values on the form itself: the error beside its field, in the viewer's language, with what was
typed kept; rates read 0.8, 80 and 80 % alike and say which reading they took; plans can be deleted."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError

from callops.cli import cli
from callops.errors import InvalidInput
from callops.store.plans import list_plans
from callops.web.form_input import field_errors, read_rate
from callops.web.i18n import load_catalogs
from workforce_site import as_planner, load_history, workforce_site

PLAN = {"name": "week", "queue": "PS", "history_from": "2026-02-02", "history_to": "2026-03-01", "horizon": "7d",
        "interval_min": "30", "sl_time_s": "20", "recovery_s": "0"}


@pytest.fixture
def planner(engine: sa.Engine) -> Iterator[TestClient]:
    load_history(engine)
    with workforce_site(engine) as client:
        yield as_planner(client)


def _messages(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="((?:err|note)-[a-z_]+|form-error)"[^>]*>([^<]*)<', html))


def _plans(engine: sa.Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return sorted((name, version) for name, version, _, _ in list_plans(conn))


def test_rates_typed_as_percent_build_the_same_plan(planner: TestClient, engine: sa.Engine) -> None:
    """Service level 80, 80 % and 0.8 all mean 80 %: each builds a plan with the 0.8 target."""
    for typed in ("80", "80%", "0.8"):
        response = planner.post("/workforce/plans", data=PLAN | {"service_level": typed, "shrinkage": "30"},
                                follow_redirects=False)
        assert response.status_code == 303, response.text
        plan = planner.get("/api/workforce" + response.headers["location"].removeprefix("/workforce")).json()
        assert plan["targets"]["service_level"] == pytest.approx(0.8)
        assert plan["targets"]["shrinkage"] == pytest.approx(0.3)
    assert _plans(engine) == [("week", 1), ("week", 2), ("week", 3)]


def test_bad_values_answer_on_the_form_with_input_kept(planner: TestClient, engine: sa.Engine) -> None:
    """Shrinkage 1 (100 %) is refused beside its field, every typed value is still in the form, nothing is saved;
    the note says how the percent was read."""
    typed = PLAN | {"service_level": "85", "shrinkage": "1", "name": "kept-name"}
    response = planner.post("/workforce/plans", data=typed)
    assert response.status_code == 400
    messages = _messages(response.text)
    assert messages["err-shrinkage"] == "must be less than 1"
    assert messages["note-service_level"] == "read 85 as 85%"
    assert 'value="kept-name"' in response.text and 'value="85"' in response.text
    assert 'value="2026-02-02"' in response.text and 'id="build-form"' in response.text
    assert _plans(engine) == []
    response = planner.post("/workforce/plans", data=PLAN | {"interval_min": "abc", "history_to": "1 March"})
    assert response.status_code == 400
    assert _messages(response.text)["err-history_to"] == "a date as YYYY-MM-DD, please"


def test_errors_are_in_the_viewers_language(planner: TestClient) -> None:
    """In zh-CN the same bad value reads in Chinese."""
    token = planner.headers["X-CSRF-Token"]
    planner.post("/language", data={"locale": "zh-CN", "csrf_token": token, "next": "/workforce/plans"})
    response = planner.post("/workforce/plans", data=PLAN | {"service_level": "0.8", "shrinkage": "-5%"})
    assert response.status_code == 400
    assert _messages(response.text)["err-shrinkage"] == "不能小于 0"


@pytest.mark.parametrize("name", ["a/b", "<script>alert(1)</script>", "x" * 5000, "q@2", "   "])
def test_plan_names_that_could_not_be_addressed_are_refused(planner: TestClient, engine: sa.Engine,
                                                            name: str) -> None:
    """A name with / or @, longer than 120 characters, or blank is refused on the form, escaped."""
    response = planner.post("/workforce/plans", data=PLAN | {"name": name})
    assert response.status_code == 400
    assert "err-name" in _messages(response.text) and "<script>alert" not in response.text
    assert _plans(engine) == []


def test_plans_are_deleted_from_the_page_the_api_and_the_cli(planner: TestClient, engine: sa.Engine,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Delete one version on the page, another through the API, the rest with `callops plan delete`."""
    for _ in range(4):
        assert planner.post("/workforce/plans", data=PLAN, follow_redirects=False).status_code == 303
    page = planner.get("/workforce/plans").text
    assert 'action="/workforce/plans/week/delete"' in page
    response = planner.post("/workforce/plans/week/delete", data={"version": "1"}, follow_redirects=False)
    assert response.status_code == 303 and _plans(engine) == [("week", 2), ("week", 3), ("week", 4)]
    assert planner.post("/workforce/plans/week/delete", data={"version": "two"}).status_code == 400
    response = planner.delete("/api/workforce/plans/week", params={"version": 2})
    assert response.json() == {"name": "week", "deleted_versions": 1}
    assert planner.delete("/api/workforce/plans/week", params={"version": 2}).status_code == 404
    monkeypatch.setenv("CALLOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(cli, ["plan", "delete", "week", "--yes"])
    assert result.exit_code == 0, result.output
    assert "2 version(s)" in result.output and _plans(engine) == []


@pytest.mark.parametrize(("typed", "value", "read_as"), [("0.8", 0.8, "rate"), ("80", 0.8, "percent"),
                                                         ("80%", 0.8, "percent"), ("80 %", 0.8, "percent"),
                                                         ("1", 1.0, "rate"), ("", 0.3, "rate"),
                                                         ("0.5%", 0.005, "percent")])
def test_read_rate(typed: str, value: float, read_as: str) -> None:
    rate = read_rate({"sl": typed}, "sl", default=0.3)
    assert rate.value == pytest.approx(value) and rate.read_as == read_as


@pytest.mark.parametrize("typed", ["%", "abc", "nan", "inf", "1e999"])
def test_read_rate_refuses_what_is_not_a_number(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_rate({"sl": typed}, "sl", default=0.3)
    assert caught.value.field == "sl"


class _Body(BaseModel):
    share: float = Field(ge=0, le=1)
    name: str = Field(max_length=3)


def test_field_errors_translate_by_type_and_send_unknown_fields_to_the_top() -> None:
    """Pydantic messages become the catalog's by error type, with their limits; a field the form lacks goes to
    the form's top, named."""
    catalogs = load_catalogs()
    with pytest.raises(ValidationError) as caught:
        _Body.model_validate({"share": 2, "name": "long"})
    zh = catalogs.translator("zh-CN")
    assert field_errors(caught.value, zh, ("share", "name")) == {"share": "不能大于 1", "name": "最多 3 个字符"}
    en = catalogs.translator("en")
    assert field_errors(caught.value, en, ("name",)) == {"name": "at most 3 characters",
                                                         "": "field share: must be at most 1"}
    assert field_errors(InvalidInput("'x' is not a date (YYYY-MM-DD)", field="history-from"), en,
                        ("history_from",)) == {"history_from": "a date as YYYY-MM-DD, please"}
