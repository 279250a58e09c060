"""The web's KPI result cache (callops.services.kpi_results) on SQLite and PostgreSQL: every write path KPI reads
see raises the data generation, so the same request shows the new numbers right after it; a team lead's and a
manager's reports never share an entry; with the cache on or off the site answers the same bytes."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.ingest import import_files
from callops.metrics import Grain, KpiRequest, ReportRow
from callops.records import Agent, AgentInterval, AgentState, Call, Direction, Outcome, Role
from callops.services.kpi_results import BYTES_PER_ENTRY, ROWS_PER_ENTRY, KpiReads, KpiResults
from callops.store.data_generation import data_generation
from callops.store.directory import save_agent, save_queue, save_team
from callops.store.kpi_aggregates import rebuild
from callops.store.records import insert_calls, insert_intervals
from callops.store.scenarios import delete_scenario, save_scenario
from callops.web import create_app
from callops.web.state import WebState
from generated_calls import generated_calls
from web_sign_in import csrf_of, insert_users, login

FIXTURES = Path(__file__).parent / "fixtures"
DAY = dt.date(2026, 3, 2)
UTC = dt.UTC


def _call(n: int, agent: str, *, scenario: str | None = None) -> Call:
    start = dt.datetime(2026, 3, 2, 2, n, tzinfo=UTC)
    return Call(source="test", source_call_id=f"{agent}-{n}", direction=Direction.INBOUND, outcome=Outcome.ANSWERED,
                queue="sales", queue_entered_at=start, answered_at=start + dt.timedelta(seconds=5),
                ended_at=start + dt.timedelta(seconds=65), agent=agent, talk_s=60.0, caller_number=f"555{n}",
                scenario=scenario)


def _app(db_url: str, entries: int = 256) -> TestClient:
    return TestClient(create_app(Settings(database_url=db_url, secret_key="test-secret", site_tz="UTC",
                                          kpi_cache_entries=entries)))


def _state(client: TestClient) -> WebState:
    state = client.app.state.web  # type: ignore[attr-defined]  # Starlette's app type does not name its state
    assert isinstance(state, WebState)
    return state


@pytest.fixture
def client(engine: sa.Engine, db_url: str) -> Iterator[TestClient]:
    with engine.begin() as conn:
        save_team(conn, "t1", lead="lead1")
        save_team(conn, "t2", lead="lead2")
        save_agent(conn, Agent("a1", "Amy", team="t1"))
        save_agent(conn, Agent("b1", "Bob", team="t2"))
        insert_calls(conn, [_call(1, "a1"), _call(2, "a1"), _call(3, "b1")])
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("lead1", Role.TEAM_LEAD, None, "en")])
    with _app(db_url) as test_client:
        login(test_client, "boss")
        yield test_client


def _kpi(client: TestClient, kpis: str, *, scenario: str | None = None, start: dt.date = DAY,
         end: dt.date = DAY) -> dict[str, Any]:
    params = {"from": start.isoformat(), "to": end.isoformat(), "grain": "total", "kpis": kpis}
    response = client.get("/api/reports/kpi", params={**params, **({"scenario": scenario} if scenario else {})})
    assert response.status_code == 200, response.text
    rows = response.json()
    return rows[0] if rows else {}


def _generation(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        found = data_generation(conn)
    assert found is not None
    return found


def test_each_write_path_shows_its_numbers_at_once(client: TestClient, engine: sa.Engine) -> None:
    results = _state(client).kpi_results
    assert _kpi(client, "offered")["offered"] == 3
    assert _kpi(client, "offered")["offered"] == 3 and len(results) == 1  # the second answer came from the cache

    with engine.begin() as conn:  # live follow and simulation saves write calls this way
        insert_calls(conn, [_call(4, "b1")])
    assert _kpi(client, "offered")["offered"] == 4

    bank = FIXTURES / "anonymous_bank" / "calls.txt"  # 1999-01: the columnar import path (increments)
    first, last = dt.date(1999, 1, 1), dt.date(1999, 1, 31)
    assert _kpi(client, "offered", start=first, end=last) == {}
    import_files(engine, [bank], fmt="anonymous-bank", tz="UTC")
    assert _kpi(client, "offered", start=first, end=last)["offered"] > 0

    at = dt.datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    before = _kpi(client, "offered,occupancy")
    with engine.begin() as conn:
        insert_intervals(conn, [AgentInterval("test", "a1", AgentState.ON_CALL, at, at + dt.timedelta(hours=1))])
    after = _kpi(client, "offered,occupancy")
    assert before.get("occupancy") is None and after["occupancy"] is not None

    with engine.begin() as conn:
        save_scenario(conn, "storm", definition={}, replications=1, seed=1, summary={},
                      records=[_call(n, "s1", scenario="storm") for n in range(5)], now=at)
    assert _kpi(client, "offered", scenario="storm")["offered"] == 5
    with engine.begin() as conn:
        delete_scenario(conn, "storm")
    gone = client.get("/api/reports/kpi", params={"from": DAY.isoformat(), "to": DAY.isoformat(), "kpis": "offered",
                                                  "scenario": "storm"})
    assert gone.status_code == 404

    raised = _generation(engine)
    with engine.begin() as conn:
        rebuild(conn)
    assert _generation(engine) == raised + 1


def test_a_rolled_back_write_leaves_the_generation(client: TestClient, engine: sa.Engine) -> None:
    raised = _generation(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        insert_calls(conn, [_call(9, "a1")])
        raise RuntimeError("the import failed after writing")
    assert _generation(engine) == raised
    assert _kpi(client, "offered")["offered"] == 3


def test_scopes_never_share_an_entry(client: TestClient) -> None:
    assert _kpi(client, "offered")["offered"] == 3  # the manager's report is kept first
    lead = client  # the same app and cache, now signed in as the lead of t1 (agent a1: 2 calls)
    lead.cookies.clear()
    login(lead, "lead1")
    assert _kpi(lead, "offered")["offered"] == 2
    lead.cookies.clear()
    login(lead, "boss")
    assert _kpi(lead, "offered")["offered"] == 3
    assert len(_state(client).kpi_results) == 2


_CSRF = re.compile(r'(name="csrf_token" value="|name="csrf-token" content=")[^"]+"')


def _page(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return _CSRF.sub(r"\1", response.text)


def test_cache_on_and_off_answer_the_same(engine: sa.Engine, db_url: str) -> None:
    with engine.begin() as conn:
        insert_calls(conn, generated_calls(dt.datetime(2026, 3, 1, tzinfo=UTC), 14, 60, seed=5))
        insert_users(conn, [("boss", Role.MANAGER, None, "en")])
    paths = ["/reports", "/reports/daily?date=2026-03-10", "/reports/monthly?date=2026-03-10",
             "/api/reports/kpi?from=2026-03-01&to=2026-03-14&grain=day&by=queue",
             "/api/reports/kpi?from=2026-03-01&to=2026-03-14&grain=60min&by=agent&compare_previous=true",
             "/reports/builder?from=2026-03-01&to=2026-03-14&grain=day&by=queue&kpi=offered&kpi=service_level"]
    with _app(db_url, 0) as off, _app(db_url) as on:
        login(off, "boss")
        login(on, "boss")
        for path in paths:
            expected = _page(off, path)
            assert _page(on, path) == expected, path  # filled
            assert _page(on, path) == expected, path  # from the cache
        assert len(_state(on).kpi_results) > len(paths) and len(_state(off).kpi_results) == 0


def _rows(n: int) -> tuple[ReportRow, ...]:
    return tuple(ReportRow(f"p{i}", dt.datetime(2026, 3, 2), (), {"offered": float(i)}) for i in range(n))


def test_kept_reports_are_bounded_by_entries_and_rows() -> None:
    results = KpiResults(2)
    keys = [(g, KpiRequest(start=DAY, end=DAY, grain=Grain.TOTAL, tz="UTC"), None) for g in range(4)]
    results.put(keys[0], _rows(1))
    results.put(keys[1], _rows(1))
    assert results.get(keys[0]) is not None  # now the most recently used
    results.put(keys[2], _rows(1))
    assert results.get(keys[1]) is None and results.get(keys[0]) is not None and len(results) == 2
    results.put(keys[3], _rows(2 * ROWS_PER_ENTRY + 1))  # larger than all the rows kept may be: not kept
    assert results.get(keys[3]) is None and len(results) == 2
    results.put(keys[3], _rows(2 * ROWS_PER_ENTRY))  # fits only alone
    assert results.get(keys[3]) is not None and len(results) == 1
    nothing = KpiResults(0)
    nothing.put(keys[0], _rows(1))
    assert len(nothing) == 0


def test_kept_bodies_are_bounded_by_bytes() -> None:
    results = KpiResults(4)
    keys = [(g, KpiRequest(start=DAY, end=DAY, grain=Grain.TOTAL, tz="UTC"), None) for g in range(5)]
    for key in keys[:3]:
        results.put(key, _rows(1), b"x" * BYTES_PER_ENTRY)
    assert results.body(keys[0]) == b"x" * BYTES_PER_ENTRY and len(results) == 3  # keys[0] now the most recent
    results.put(keys[3], _rows(1), b"y" * (BYTES_PER_ENTRY + 1))  # over the bytes of four entries: keys[1] goes
    assert results.body(keys[1]) is None and results.body(keys[0]) is not None and len(results) == 3
    results.put(keys[4], _rows(1), b"z" * (4 * BYTES_PER_ENTRY + 1))  # larger than all the bytes kept may be
    assert results.get(keys[4]) is None and len(results) == 3


def test_an_api_hit_answers_the_kept_body(client: TestClient, engine: sa.Engine) -> None:
    """The second identical API request is answered from the kept body (the rows are not read again), and a write
    makes the next one run and encode afresh."""
    results = _state(client).kpi_results
    path = f"/api/reports/kpi?from={DAY}&to={DAY}&grain=total&kpis=offered,answered"
    first = client.get(path)
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    assert first.json() == [{"period": "total", "offered": 3, "answered": 3}]
    kept = [results.body(key) for key in list(results._kept)]  # noqa: SLF001  # the one entry, with its body
    assert kept == [first.content]
    assert client.get(path).content == first.content and len(results) == 1
    with engine.begin() as conn:
        insert_calls(conn, [_call(7, "b1")])
    assert client.get(path).json() == [{"period": "total", "offered": 4, "answered": 4}]
    assert len(results) == 2  # a new generation: a new entry (the old one ages out)


_OFFERED_TODAY = re.compile(r'data-kpi="offered"><th>[^<]*</th>\s*<td class="num">([^<]*)</td>')
_SALES_THRESHOLD = re.compile(r'data-queue="sales">.*?data-threshold="([^"]+)"', re.S)


def test_the_kept_dashboard_follows_writes_targets_scope_and_language(client: TestClient,
                                                                      engine: sa.Engine) -> None:
    """The dashboard's body is kept per data generation, targets, scope and language: each of them changing shows
    at once, and the same view again is answered from the kept body."""
    results = _state(client).kpi_results

    def dashboard() -> str:
        return _page(client, "/reports")

    first = dashboard()
    assert _OFFERED_TODAY.findall(first) == ["3"] and _SALES_THRESHOLD.findall(first) == ["20"]
    kept = len(results)
    assert dashboard() == first and len(results) == kept  # the kept body, nothing new computed
    with engine.begin() as conn:
        insert_calls(conn, [_call(8, "b1")])
    assert _OFFERED_TODAY.findall(dashboard()) == ["4"]
    with engine.begin() as conn:
        save_queue(conn, "sales", sl_threshold_s=30)  # a target edit raises no generation: the key holds targets
    assert _SALES_THRESHOLD.findall(dashboard()) == ["30"]
    client.cookies.clear()
    login(client, "lead1")  # agent a1 only
    assert _OFFERED_TODAY.findall(dashboard()) == ["2"]
    english = dashboard()
    assert '<h1>Dashboard</h1>' in english
    chinese = client.post("/language", data={"locale": "zh-CN", "next": "/reports",
                                             "csrf_token": csrf_of(client.get("/reports").text)})
    assert chinese.status_code == 200
    assert "<h1>仪表盘</h1>" in dashboard() and _OFFERED_TODAY.findall(dashboard()) == ["2"]


def test_a_report_stays_kept_while_writes_touch_other_days(client: TestClient, engine: sa.Engine) -> None:
    """A report is keyed by the generation of the days it reads: calls arriving on a later day leave a report of
    2 March kept (nothing recomputed), but change one whose FCR window or compared period reaches their day."""
    results = _state(client).kpi_results

    def kpi(params: str) -> list[dict[str, Any]]:
        response = client.get(f"/api/reports/kpi?grain=total&{params}")
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows

    plain = "from=2026-03-02&to=2026-03-02&kpis=offered"
    with_fcr = "from=2026-03-02&to=2026-03-02&kpis=offered,fcr&fcr_days=7"
    compared = "from=2026-03-03&to=2026-03-03&kpis=offered&compare_previous=true"  # against 2 March
    nine = dt.datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    with engine.begin() as conn:
        insert_calls(conn, [Call(source="test", source_call_id="third", direction=Direction.INBOUND,
                                 outcome=Outcome.ANSWERED, queue="sales", queue_entered_at=nine,
                                 answered_at=nine + dt.timedelta(seconds=5), ended_at=nine + dt.timedelta(minutes=1),
                                 agent="b1", talk_s=55.0, caller_number="999")])
    first = {p: kpi(p) for p in (plain, with_fcr, compared)}
    assert first[compared][0]["offered"] == 1 and first[compared][0]["prev_offered"] == 3
    kept = len(results)
    later = dt.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # within FCR's 7 days of 2 March, the same caller again
    with engine.begin() as conn:
        insert_calls(conn, [Call(source="test", source_call_id="again", direction=Direction.INBOUND,
                                 outcome=Outcome.ANSWERED, queue="sales", queue_entered_at=later,
                                 answered_at=later + dt.timedelta(seconds=5), ended_at=later + dt.timedelta(minutes=1),
                                 agent="a1", talk_s=55.0, caller_number="5551")])
    assert kpi(plain) == first[plain] and len(results) == kept  # kept: the same entry answered
    assert kpi(with_fcr) != first[with_fcr]  # a repeat contact within the window: FCR changed, read afresh
    assert kpi(compared) == first[compared] and len(results) == kept + 1  # 3 March and 2 March: untouched, kept
    with engine.begin() as conn:
        insert_calls(conn, [_call(30, "b1")])  # 2 March again
    assert kpi(plain)[0]["offered"] == first[plain][0]["offered"] + 1
    assert kpi(compared)[0]["prev_offered"] == first[compared][0]["prev_offered"] + 1


def test_one_request_computes_a_key_while_the_others_wait() -> None:
    """Five requests for one key at once: the first computes, the others wait and answer what it kept; when the
    first fails, the next one computes."""
    results = KpiResults(4)
    key = (1, KpiRequest(start=DAY, end=DAY, grain=Grain.TOTAL, tz="UTC"), None)
    computed: list[int] = []
    start = threading.Barrier(5)

    def ask(fail: bool = False) -> None:
        start.wait()
        if results.get(key) is not None:
            return
        with results.computing(key):
            if results.get(key) is None:
                computed.append(1)
                time.sleep(0.2)  # the others arrive meanwhile
                if fail:
                    raise RuntimeError("the first request's query failed")
                results.put(key, _rows(1))

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert computed == [1] and results.get(key) is not None

    other = (2, key[1], None)
    key = other
    errors: list[BaseException] = []

    def first_fails() -> None:
        try:
            ask(fail=True)
        except RuntimeError as exc:
            errors.append(exc)

    computed.clear()
    start = threading.Barrier(5)
    threads = [threading.Thread(target=first_fails)] + [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(errors) <= 1 and results.get(key) is not None and 1 <= len(computed) <= 2


def test_concurrent_dashboards_build_the_body_once(client: TestClient, engine: sa.Engine) -> None:
    """Requests for the same dashboard at once (every open screen after a write) build its body once."""
    results = _state(client).kpi_results
    built: list[int] = []
    start = threading.Barrier(4)

    def build() -> str:
        built.append(1)
        time.sleep(0.2)
        return "<p>body</p>"

    def ask(answers: list[str]) -> None:
        with engine.connect() as conn:
            start.wait()
            answers.append(KpiReads(conn, results, None).kept_text(("test-page",), build))

    answers: list[str] = []
    threads = [threading.Thread(target=ask, args=(answers,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert answers == ["<p>body</p>"] * 4 and built == [1]
