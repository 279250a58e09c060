"""The analytical endpoints answer typed models, so /openapi.json (and /docs) describe their rows."""

from __future__ import annotations

from typing import Any

from callops.config import Settings
from callops.web import create_app


def test_openapi_describes_the_analytical_answers() -> None:
    schema: dict[str, Any] = create_app(Settings(database_url="sqlite://", secret_key="s")).openapi()
    components = schema["components"]["schemas"]
    assert {"period"} <= set(components["KpiRowOut"]["properties"])
    assert components["KpiRowOut"].get("additionalProperties", True) is True
    assert {"agents", "scheduled", "recovery_agents"} <= set(components["StaffingOut"]["properties"])
    assert {"p_wait", "p_abandon", "mean_wait_s"} <= set(components["ErlangOut"]["properties"])
    paths = schema["paths"]
    kpi = paths["/api/reports/kpi"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert kpi["items"]["$ref"].endswith("/KpiRowOut")
    staffing = paths["/api/workforce/staffing"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert staffing["$ref"].endswith("/StaffingOut")


def _answer(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    responses = schema["paths"][path][method]["responses"]
    code = "201" if "201" in responses else "200"
    answer: dict[str, Any] = responses[code]["content"]["application/json"]["schema"]
    return answer


def _fields(schema: dict[str, Any], answer: dict[str, Any]) -> set[str]:
    ref: str = answer["items"]["$ref"] if answer.get("type") == "array" else answer["$ref"]
    return set(schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"])


def test_openapi_describes_the_simulation_answers() -> None:
    schema: dict[str, Any] = create_app(Settings(database_url="sqlite://", secret_key="s")).openapi()
    run = _fields(schema, _answer(schema, "/api/simulation/run", "post"))
    assert {"replications", "seed", "metrics", "results", "saved"} <= run
    saved = {"name", "calls", "from", "to", "first_call_at", "last_call_at", "replications", "seed", "created_at"}
    assert saved <= _fields(schema, _answer(schema, "/api/simulation/scenarios", "get"))
    assert saved <= _fields(schema, _answer(schema, "/api/simulation/scenarios/{name}", "delete"))
    replay = _fields(schema, _answer(schema, "/api/simulation/replay", "get"))
    assert {"queue", "days", "calls", "capacity", "patience_s", "hours", "mean_absolute_error"} <= replay
    assert {"hour", "offered_per_day", "service_level_sim", "p_abandon_actual"} <= set(
        schema["components"]["schemas"]["ReplayHourOut"]["properties"])


def test_openapi_describes_the_forecast_and_plan_answers() -> None:
    schema: dict[str, Any] = create_app(Settings(database_url="sqlite://", secret_key="s")).openapi()
    expected = {
        ("/api/workforce/forecast", "get"): {"queue", "tz", "grain_min", "history", "forecast", "report"},
        ("/api/workforce/forecast", "post"): {"name", "version", "model", "total_calls", "accuracy", "points"},
        ("/api/workforce/forecasts", "get"): {"name", "version", "created_at", "queue", "grain_min", "model"},
        ("/api/workforce/forecasts/{name}", "get"): {"name", "version", "points", "overrides"},
        ("/api/workforce/plans", "post"): {"name", "version", "targets", "totals", "intervals"},
        ("/api/workforce/plans", "get"): {"name", "version", "created_at", "queue"},
        ("/api/workforce/plans/{name}", "get"): {"name", "version", "forecast_id", "totals", "intervals"},
        ("/api/workforce/plans/compare", "get"): {"a", "b", "agent_hours_delta", "peak_delta", "intervals"},
        ("/api/workforce/plans/{name}/simulate", "post"): {"service_level", "offered_mean", "plan",
                                                          "target_service_level", "intervals_short", "intervals"},
    }
    for (path, method), fields in expected.items():
        assert fields <= _fields(schema, _answer(schema, path, method)), path
    assert {"mean", "ci95"} <= set(schema["components"]["schemas"]["EstimateOut"]["properties"])


def test_openapi_describes_the_live_answers() -> None:
    schema: dict[str, Any] = create_app(Settings(database_url="sqlite://", secret_key="s")).openapi()
    assert {"as_of", "queues"} <= _fields(schema, _answer(schema, "/api/live/queues", "get"))
    contract = {"queue", "waiting", "longest_wait_s", "offered_today", "answered_today", "abandoned_today",
                "service_level_today", "agents"}
    assert set(schema["components"]["schemas"]["LiveQueueOut"]["properties"]) == contract
    floor = _fields(schema, _answer(schema, "/api/live/floor", "get"))
    assert {"as_of", "version", "queues", "agents", "alerts", "thresholds", "feeds"} <= floor
    intraday = _fields(schema, _answer(schema, "/api/live/intraday", "get"))
    assert {"plan", "version", "ratio", "actual_so_far", "forecast_so_far", "first_short", "intervals"} <= intraday
    move = _fields(schema, _answer(schema, "/api/live/intraday/move", "get"))
    assert {"agents", "from_agents", "to_agents", "from_service_level", "to_service_level"} <= move
