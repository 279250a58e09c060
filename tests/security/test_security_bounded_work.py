"""Item 5: sizes are limited before work is done: YAML aliases, intervals, forecast history, request bodies."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from callops.errors import InvalidInput
from callops.simulation.scenario import MAX_INTERVALS, parse_scenario
from callops.yaml_input import load_yaml
from security_site import api_login, bearer

ALIAS_BOMB = """\
name: bomb
intervals: 3000000
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
queues: [{name: q, arrivals: *g, handle: {dist: exponential, mean_s: 180}}]
agents: [{group: g, skills: {q: 1}, count: 1}]
"""


def test_the_alias_bomb_is_refused_before_it_expands() -> None:
    """The YAML loader refuses the first alias, naming its line, without building the expansion."""
    with pytest.raises(InvalidInput) as refused:
        load_yaml(ALIAS_BOMB, file="bomb.yaml")
    assert refused.value.line == 4 and "aliases" in refused.value.reason and refused.value.file == "bomb.yaml"


def test_scenarios_refuse_too_many_intervals() -> None:
    """A scenario asking for more than MAX_INTERVALS intervals is refused before any per-interval list exists."""
    text = f"intervals: {MAX_INTERVALS + 1}\nqueues: []\nagents: []\n"
    with pytest.raises(InvalidInput) as refused:
        parse_scenario(text, file="big.yaml")
    assert refused.value.field == "intervals" and str(MAX_INTERVALS) in refused.value.reason


def test_the_api_answers_400_to_the_alias_bomb(client: TestClient) -> None:
    """POST /api/simulations with the alias bomb answers 400 naming aliases (expanded, the bomb would not answer at
    all: it is refused before any alias is followed; no wall-clock limit here, the suite runs on loaded machines)."""
    headers = bearer(api_login(client, "admin"))
    response = client.post("/api/simulation/run", headers=headers,
                           json={"scenarios": [{"yaml": ALIAS_BOMB}], "replications": 2})
    assert response.status_code == 400, response.text
    assert "aliases" in response.json()["message"]


def test_a_forecast_refuses_an_unbounded_history(client: TestClient) -> None:
    """A forecast over 0002-01-01..9998-12-31 is refused with 400 naming the limit, before reading calls."""
    headers = bearer(api_login(client, "admin"))
    response = client.get("/api/workforce/forecast?history_from=0002-01-01&history_to=9998-12-31", headers=headers)
    assert response.status_code == 400, response.text
    assert "at most" in response.json()["message"]


def test_an_oversized_body_is_413(make_app) -> None:  # type: ignore[no-untyped-def]
    """A body over CALLOPS_MAX_BODY_BYTES is refused with 413 naming the limit, declared or chunked."""
    with TestClient(make_app(max_body_bytes=4096)) as client:
        big = client.post("/api/login", content=b"{" + b" " * 10_000 + b"}",
                          headers={"Content-Type": "application/json"})
        assert big.status_code == 413 and big.json()["limit_bytes"] == 4096

        def chunks() -> Iterator[bytes]:
            for _ in range(10):
                yield b" " * 1000

        streamed = client.post("/api/login", content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert client.post("/api/login", json={"username": "boss", "password": "x"}).status_code == 401


def test_heavy_work_stops_at_its_time_limit(make_app) -> None:  # type: ignore[no-untyped-def]
    """A simulation past CALLOPS_JOB_TIME_LIMIT_S stops between replications with 503 naming the limit; a run
    within the limit answers as usual."""
    scenario = {"single": {"calls": 200, "interval_min": 30, "aht_s": 180, "agents": 22, "hours": 4}}
    with TestClient(make_app(job_time_limit_s=0.001)) as client:  # one replication of ~1,600 calls takes longer
        headers = bearer(api_login(client, "admin"))
        stopped = client.post("/api/simulation/run", headers=headers,
                              json={"scenarios": [scenario], "replications": 20})
        assert stopped.status_code == 503, stopped.text
        assert stopped.json()["error"] == "time_limit" and stopped.json()["limit_s"] == 0.001
        assert "0.001-second limit" in stopped.json()["message"]
    with TestClient(make_app()) as client:
        headers = bearer(api_login(client, "admin"))
        ran = client.post("/api/simulation/run", headers=headers, json={"scenarios": [scenario], "replications": 2})
        assert ran.status_code == 200, ran.text


def test_a_deadline_is_checked_before_each_replication() -> None:
    """The pure side: an expired deadline stops run_scenario before it simulates anything."""
    from callops.deadline import Deadline
    from callops.errors import TimeLimit
    from callops.simulation import run_scenario, single_queue

    deadline = Deadline(0.001)
    time.sleep(0.01)
    with pytest.raises(TimeLimit) as stopped:
        run_scenario(single_queue(calls=10, interval_s=1800, aht_s=180, agents=2, hours=1), 3, 1, deadline=deadline)
    assert stopped.value.limit_s == 0.001 and stopped.value.http_status == 503
