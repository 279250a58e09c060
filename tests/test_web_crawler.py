"""Every page and API route, called as an admin with bad values in each parameter, answers without a 500.

The routes come from the app's route table (every module of ``callops.web.routes``). For each route and each of
its parameters (path, query, form field, JSON body field, uploaded file) the crawler sends each value of
``BAD_VALUES`` in that parameter while the others get a value the handler accepts (their default, a day for
date-like names, else ``1``); the answer must be below 500 and a page must not echo a script tag unescaped.
Handlers that read their form themselves get the fields of the page forms that post to them. The work is bounded:
at most ``MAX_PER_ROUTE`` (parameter, value) pairs per route, spread so that every value is still used, fewer on
routes that hash passwords, forecast or simulate. The database is the demo month on SQLite, loaded once.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

import callops.web.routes as route_package
from browser_harness import demo_database
from callops.config import Settings
from callops.web import create_app
from callops.web.discovery import discover_routes
from web_sign_in import csrf_of

SCRIPT = "<script>alert(1)</script>"
BAD_VALUES: dict[str, str | bytes] = {
    "empty": "",
    "huge_integer": "9" * 30,
    "negative": "-1",
    "percent_sign": "80%",
    "percent_number": "80",
    "long_text": "x" * 5000,
    "script": SCRIPT,
    "path": "../../etc/passwd",
    "slash": "a/b",
    "non_utf8": b"\xff\xfe\xfa",
}
# Routes whose every call would end the crawler's own session; every GET ending in /stream (server-sent events:
# the live floor, the desk's caller card) streams forever and is left out too.
SKIPPED = {("POST", "/logout"), ("POST", "/api/logout")}
BUDGET_S = 90.0  # CPU seconds for the whole crawl (about 30 here), so a loaded machine does not fail it
MAX_PER_ROUTE = 40  # bad (parameter, value) pairs sent to one route, spread over its parameters and the values
# routes whose every call costs a password hash, a forecast or a simulation: fewer pairs
EXPENSIVE = {"/login", "/api/login", "/account/password", "/api/me/password", "/workforce/forecast",
             "/api/workforce/forecast", "/simulation", "/simulation/replay", "/api/simulation/replay",
             "/api/simulation/run", "/workforce/plans", "/api/workforce/plans", "/qa/scorecard/edit"}
MAX_PER_EXPENSIVE_ROUTE = 12


@dataclass(frozen=True, slots=True)
class Param:
    where: str  # path, query, form, json, file
    name: str
    plain: str = "1"  # the value it gets while another parameter is probed: its default, else a plausible one


_DAY_NAMES = re.compile(r"(^|_)(from|to|day|date|as_of|held_on|start|end|first_day|last_day)$")


def _plain(name: str, default: object) -> str:
    """A value the handler accepts, so that probing one parameter reaches the validation behind the others."""
    if default is not None and not callable(default) and repr(default) != "PydanticUndefined":
        return str(default).lower() if isinstance(default, bool) else str(default)
    return "1999-01-10" if _DAY_NAMES.search(name) else "1"


def _params(route: APIRoute) -> list[Param]:
    out = [Param("path", p.alias) for p in route.dependant.path_params]
    out += [Param("query", p.alias, _plain(p.alias, p.field_info.default)) for p in route.dependant.query_params]
    for dep in route.dependant.dependencies:  # query parameters declared in shared dependencies (filters, paging)
        names = {(p.where, p.name) for p in out}
        out += [Param("query", p.alias, _plain(p.alias, p.field_info.default)) for p in dep.query_params
                if ("query", p.alias) not in names]
    for body in route.dependant.body_params:
        annotation = body.field_info.annotation
        kind = type(body.field_info).__name__
        if kind == "File":
            out.append(Param("file", body.alias))
        elif kind == "Form":
            out.append(Param("form", body.alias, _plain(body.alias, body.field_info.default)))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out += [Param("json", name, _plain(name, field.default)) for name, field in annotation.model_fields.items()]
        else:
            out.append(Param("json", body.alias))
    return out


_FORM = re.compile(r'(?is)<form\b[^>]*method="post"[^>]*action="([^"]+)"[^>]*>(.*?)</form>')
_FIELD = re.compile(r'(?is)<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]*)"')


def page_forms(client: TestClient, routes: list[tuple[str, APIRoute]]) -> dict[str, list[Param]]:
    """The fields of the POST forms on every page without path parameters, by the path they post to, each with
    the value the page puts in it: the parameters of handlers that read their form themselves."""
    forms: dict[str, list[Param]] = {}
    for method, route in routes:
        if method != "GET" or "{" in route.path or route.path.startswith("/api"):
            continue
        response = client.get(route.path)
        for action, inner in _FORM.findall(response.text if "html" in response.headers.get("content-type", "")
                                           else ""):
            fields = forms.setdefault(html.unescape(action), [])
            for tag in re.finditer(r"(?is)<(?:input|select|textarea)\b[^>]*>", inner):
                name = _FIELD.match(tag.group(0))
                value = _VALUE.search(tag.group(0))
                if name and name.group(1) != "csrf_token" and all(f.name != name.group(1) for f in fields):
                    fields.append(Param("form", name.group(1), html.unescape(value.group(1)) if value else "1"))
    return forms


def probes(params: list[Param], most: int) -> list[tuple[Param, str]]:
    """At most ``most`` (parameter, bad value label) pairs: every parameter gets its share, each starting at a
    different value so that together they still use every value."""
    labels = list(BAD_VALUES)
    if not params:
        return []
    if len(params) > most:  # a long form: every few fields
        params = params[::-(-len(params) // most)]
    share = max(1, min(len(labels), most // len(params)))
    return [(param, labels[(k * share + j) % len(labels)]) for k, param in enumerate(params) for j in range(share)]


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _request(client: TestClient, method: str, route: APIRoute, params: list[Param], bad: Param,
             value: str | bytes) -> Any:
    path = route.path
    for p in params:
        if p.where == "path":
            raw = value if p == bad else p.plain
            encoded = quote(raw, safe="") if isinstance(raw, str) else "".join(f"%{b:02X}" for b in raw)
            path = re.sub(r"\{" + re.escape(p.name) + r"(:[^}]*)?\}", encoded or "%20", path)
    query_parts = []
    for p in params:
        if p.where == "query" and p == bad:
            raw = value
            encoded = quote(raw, safe="") if isinstance(raw, str) else "".join(f"%{b:02X}" for b in raw)
            query_parts.append(f"{quote(p.name)}={encoded}")
    url = path + ("?" + "&".join(query_parts) if query_parts else "")
    forms = [p for p in params if p.where == "form"]
    files = [p for p in params if p.where == "file"]
    json_fields = [p for p in params if p.where == "json"]
    if files:
        data = {p.name: _text(value) if p == bad else p.plain for p in forms}
        upload = {p.name: ("x.bin" if p == bad else "x.txt",
                           (value if isinstance(value, bytes) else value.encode()) if p == bad else b"1",
                           "application/octet-stream") for p in files}
        return client.request(method, url, data=data, files=upload, follow_redirects=False)
    if forms:
        pairs = [(p.name, value if p == bad else p.plain) for p in forms]
        body = b"&".join(quote(name).encode() + b"=" + (quote(v).encode() if isinstance(v, str)
                                                        else b"".join(f"%{b:02X}".encode() for b in v))
                         for name, v in pairs)
        return client.request(method, url, content=body, follow_redirects=False,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    if json_fields:
        payload = {p.name: _text(value) if p == bad else p.plain for p in json_fields}
        return client.request(method, url, json=payload, follow_redirects=False)
    return client.request(method, url, follow_redirects=False)


def _routes() -> list[tuple[str, APIRoute]]:
    found = []
    for module in discover_routes(route_package):
        for route in module.router.routes:
            if isinstance(route, APIRoute):
                found += [(method, route) for method in sorted((route.methods or set()) - {"HEAD"})
                          if (method, route.path) not in SKIPPED
                          and not (method == "GET" and route.path.endswith("/stream"))]
    # sign-in routes last: their failed passwords throttle this client's address, and nothing needs a session after
    return sorted(found, key=lambda pair: pair[1].path.endswith("/login"))


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = demo_database(tmp_path_factory.mktemp("crawler"))
    app = create_app(Settings(database_url=url, secret_key="crawler-test"))
    with TestClient(app, raise_server_exceptions=False) as client:
        _login(client)
        yield client


def _login(client: TestClient) -> None:
    client.headers.pop("X-CSRF-Token", None)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "admin", "password": "admin-demo-1", "csrf_token": token,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = csrf_of(client.get("/").text)


def test_route_table_is_crawled() -> None:
    """The crawler finds the pages and the API of every area (a broken enumeration would pass vacuously)."""
    paths = {route.path for _, route in _routes()}
    for expected in ("/calls/{call_id}", "/api/reports/agents", "/workforce/plans", "/api/workforce/staffing"):
        assert expected in paths
    assert len(paths) > 60


def test_no_bad_value_gives_a_500(admin: TestClient) -> None:
    """Each bad value in each parameter of each route answers below 500 and never reflects a raw script tag."""
    failures: list[str] = []
    started = time.process_time()  # the app runs in this process's threads: its work counts
    calls = 0
    routes = _routes()
    forms = page_forms(admin, routes)
    for method, route in routes:
        params = _params(route)
        if method == "POST" and not any(p.where in ("form", "json", "file") for p in params):
            params += forms.get(route.path, [])
        most = MAX_PER_EXPENSIVE_ROUTE if route.path in EXPENSIVE else MAX_PER_ROUTE
        for param, label in probes(params, most):
            response = _request(admin, method, route, params, param, BAD_VALUES[label])
            calls += 1
            where = f"{method} {route.path} {param.where}:{param.name}={label}"
            if response.status_code >= 500:
                failures.append(f"{where} -> {response.status_code}")
            elif "html" in response.headers.get("content-type", "") and SCRIPT in response.text:
                failures.append(f"{where} -> script tag reflected unescaped")
            if route.path.endswith("/login"):
                continue
            if response.status_code == 401 or response.headers.get("location", "").startswith("/login"):
                _login(admin)  # a bad value that ended the session (a password change) must not hide the rest
        assert time.process_time() - started < BUDGET_S, f"the crawl took over {BUDGET_S} CPU s after {calls} calls"
    assert calls > 500
    assert not failures, "\n".join(failures)


def test_crawler_values_reach_the_handlers(admin: TestClient) -> None:
    """The bad values are not all stopped before the handler: some answer the field's own 400; the fields of
    handlers that read their form themselves are found on the pages that post to them."""
    forms = page_forms(admin, _routes())
    assert {"a_calls", "replications", "seed"} <= {p.name for p in forms["/simulation"]}
    response = admin.get("/api/reports/agents", params={"from": "", "to": "2026-01-31"})
    assert response.status_code == 400 and response.json()["field"] == "from"
    response = admin.get("/calls/" + "9" * 20)
    assert response.status_code in (400, 404)


if __name__ == "__main__":  # pragma: no cover - a quick listing while writing routes
    for method, route in _routes():
        print(method, route.path, [f"{p.where}:{p.name}" for p in _params(route)])
    print(Path(__file__).name)
