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
