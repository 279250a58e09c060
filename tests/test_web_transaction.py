"""One transaction per request: ConnDep commits when the handler returns (before the response is sent) and
rolls back when it raises, so handlers never commit and an error leaves nothing half-written."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.errors import InvalidInput
from callops.store.qa_library import get_setting, set_setting
from callops.web import create_app
from callops.web.deps import ConnDep


def test_commit_on_return_rollback_on_error(engine: sa.Engine) -> None:
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="s"))
    seen: list[int] = []

    @app.get("/api/_probe/{value}")  # GET: the probe writes without a session or CSRF token
    def probe(value: int, conn: ConnDep) -> dict[str, int]:
        set_setting(conn, "probe", value)
        seen.append(id(conn))
        if value < 0:
            raise InvalidInput("negative", field="value")
        return {"value": value}

    @app.get("/api/_probe")
    def read(conn: ConnDep) -> dict[str, int | None]:
        return {"value": get_setting(conn, "probe")}

    with TestClient(app) as client:
        assert client.get("/api/_probe/7").json() == {"value": 7}
        assert client.get("/api/_probe").json() == {"value": 7}  # committed before the response went out
        refused = client.get("/api/_probe/-1")
        assert refused.status_code == 400 and refused.json()["field"] == "value"
        assert client.get("/api/_probe").json() == {"value": 7}  # the write before the error was rolled back
    with engine.connect() as conn:
        assert get_setting(conn, "probe") == 7
    assert len(seen) == 2
