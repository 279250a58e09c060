"""A roster checked by simulation per skill (issue 11): its agents, breaks taken out, staff each skill's queue;
per interval and skill the simulated service level with its 95 % interval, from the CLI and the saved roster."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.errors import InvalidInput
from callops.scheduling.roster_model import RosterAgent, RosterBreak, RosterShift
from callops.scheduling.work_rules import WorkSystem
from callops.simulation.from_roster import Workload, parse_workload, roster_scenario, simulate_roster
from callops.store.roster_builds import RosterInputs, save_inputs
from callops.store.rosters import save_roster

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 7, hour, minute, tzinfo=TZ)


def day_shift(agent: str, meal_hour: int = 12) -> RosterShift:
    return RosterShift(agent, at(8), at(17), (RosterBreak(at(meal_hour), at(meal_hour + 1), "meal", False),))


def team(sales: int, service: int, both: int = 0) -> list[RosterAgent]:
    return (
        [RosterAgent(f"S{i}", WorkSystem.STANDARD, frozenset({"sales"})) for i in range(sales)]
        + [RosterAgent(f"V{i}", WorkSystem.STANDARD, frozenset({"service"})) for i in range(service)]
        + [RosterAgent(f"X{i}", WorkSystem.STANDARD, frozenset({"sales", "service"})) for i in range(both)]
    )


def workload(calls: float = 40.0) -> list[Workload]:
    """08:00-17:00, 40 calls of 180 s per half hour on each skill: 4 Erlangs each."""
    return [
        Workload(at(8) + dt.timedelta(minutes=30 * i), k, calls, 180.0) for i in range(18) for k in ("sales", "service")
    ]


def test_staffing_per_skill_follows_the_roster_less_breaks() -> None:
    """Agents count for the skills they have, only while on the phones: the meal hour staffs nobody, a
    two-skilled agent counts in both skills' groups."""
    agents = team(6, 3, both=1)
    shifts = [day_shift(a.agent) for a in agents]
    scenario, starts = roster_scenario(shifts, agents, workload())
    assert [q.config.name for q in scenario.queues] == ["sales", "service"]
    groups = {g.name: g for g in scenario.groups}
    assert sorted(groups) == ["sales", "sales+service", "service"]
    noon = starts.index(at(12))
    assert groups["sales"].counts[0] == 6 and groups["sales"].counts[noon] == 0
    assert groups["sales+service"].skills == {"sales": 1, "service": 1}
    assert scenario.queues[0].arrivals_per_interval[0] == 40.0


def test_a_short_skill_is_found_and_more_agents_raise_its_service_level() -> None:
    """Six agents on 4 Erlangs of sales meet 80 %; three on the same service load are clearly short, and the
    whole-roster service level of service rises with six; the meal hour with nobody is clearly short."""
    thin = team(6, 3)
    got = simulate_roster([day_shift(a.agent, 12) for a in thin], thin, workload(), replications=6, seed=7)
    by = {(c.start_at, c.skill): c for c in got.intervals}
    morning = [by[(at(9, 30), "sales")], by[(at(10), "sales")]]
    assert all(c.agents == 6 and c.service_level is not None and c.service_level > 0.8 for c in morning)
    assert by[(at(10), "service")].clearly_short and by[(at(10), "service")].agents == 3
    assert by[(at(12), "sales")].agents == 0 and by[(at(12), "sales")].clearly_short
    ci = by[(at(10), "sales")].service_level_ci95
    assert ci is not None and ci[0] <= (by[(at(10), "sales")].service_level or 0) <= ci[1]
    full = team(6, 6)
    staggered = [day_shift(a.agent, 11 if i % 2 else 13) for i, a in enumerate(full)]
    better = simulate_roster(staggered, full, workload(), replications=6, seed=7)
    assert better.service_level["service"].mean > got.service_level["service"].mean + 0.3
    assert better.intervals_clearly_short < got.intervals_clearly_short
    assert (
        simulate_roster([day_shift(a.agent) for a in thin], thin, workload(), replications=6, seed=7).intervals
        == got.intervals
    )  # same seed, same answer


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("interval_start,calls\n2026-12-07T08:00,3\n", 1, None),
        ("interval_start,calls,aht_s\n2026-12-07T08:00,3,180\n08:30,3,180\n", 3, "interval_start"),
        ("interval_start,calls,aht_s\n2026-12-07T08:00,-3,180\n", 2, "calls"),
        ("interval_start,calls,aht_s\n2026-12-07T08:00,3,0\n", 2, "aht_s"),
        ("interval_start,calls,aht_s,skill\n2026-12-07T08:00,3,180,a\n2026-12-07T08:00,3,180,a\n", 3, "interval_start"),
    ],
)
def test_bad_workload_names_the_line_and_field(text: str, line: int, field: str | None) -> None:
    """A workload with a missing column, a bad time, a negative count, no handle time or a repeated interval is
    refused naming its line (and field)."""
    with pytest.raises(InvalidInput) as err:
        parse_workload(text, tz=TZ, file="w.csv")
    assert err.value.line == line and err.value.field == field


def test_bounds_are_refused_before_running() -> None:
    """Too many calls for the replications, one replication, and a month-plus workload are refused up front."""
    agents = team(1, 0)
    shifts = [day_shift("S0")]
    with pytest.raises(InvalidInput) as many:
        simulate_roster(shifts, agents, workload(), replications=10, seed=1, max_calls=100)
    assert many.value.field == "replications"
    with pytest.raises(InvalidInput):
        simulate_roster(shifts, agents, workload(), replications=1, seed=1)
    far = [Workload(at(8), "sales", 1, 60), Workload(at(8) + dt.timedelta(days=40), "sales", 1, 60)]
    with pytest.raises(InvalidInput, match="31 days"):
        simulate_roster(shifts, agents, far, replications=2, seed=1)


def _workload_csv() -> str:
    rows = [
        f"{(at(8) + dt.timedelta(minutes=30 * i)).replace(tzinfo=None).isoformat()},40,180,{k}"
        for i in range(18)
        for k in ("sales", "service")
    ]
    return "interval_start,calls,aht_s,skill\n" + "\n".join(rows) + "\n"


def test_cli_simulates_a_roster_file_and_a_saved_roster(tmp_path: Path, engine: sa.Engine, db_url: str) -> None:
    """``roster simulate ROSTER --agents --workload --json`` gives per-skill service levels with intervals and the
    short interval-skills; ``--saved NAME`` reads the saved version and its agents' skills, with the same answer."""
    agents = team(6, 3)
    shifts = [day_shift(a.agent) for a in agents]
    (tmp_path / "roster.json").write_text(
        json.dumps(
            {
                "from": "2026-12-07",
                "to": "2026-12-07",
                "shifts": [
                    {
                        "agent": s.agent,
                        "start": s.start_at.isoformat(),
                        "end": s.end_at.isoformat(),
                        "breaks": [
                            {
                                "start": b.start_at.isoformat(),
                                "end": b.end_at.isoformat(),
                                "kind": b.kind,
                                "paid": b.paid,
                            }
                            for b in s.breaks
                        ],
                    }
                    for s in shifts
                ],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "agents.csv").write_text(
        "agent,contract,skills\n" + "".join(f"{a.agent},standard,{';'.join(sorted(a.skills))}\n" for a in agents),
        encoding="utf-8",
    )
    (tmp_path / "w.csv").write_text(_workload_csv(), encoding="utf-8")
    runner = CliRunner(env={"CALLOPS_DATABASE_URL": db_url})
    args = ["--workload", str(tmp_path / "w.csv"), "--replications", "4", "--seed", "3", "--json"]
    out = runner.invoke(
        cli, ["roster", "simulate", str(tmp_path / "roster.json"), "--agents", str(tmp_path / "agents.csv"), *args]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data["skills"]) == {"sales", "service"}
    assert data["skills"]["sales"]["service_level"] > data["skills"]["service"]["service_level"]
    ten = next(r for r in data["intervals"] if r["skill"] == "service" and r["start_at"] == "2026-12-07T10:00:00+08:00")
    assert ten["agents"] == 3 and ten["clearly_short"] and len(ten["service_level_sim_ci95"]) == 2
    with engine.begin() as conn:
        stored = save_roster(
            conn,
            "mon",
            shifts,
            first_day=dt.date(2026, 12, 7),
            last_day=dt.date(2026, 12, 7),
            tz="Asia/Shanghai",
            summary={},
            now=at(0),
            by="pat",
        )
        save_inputs(conn, stored.roster_id, RosterInputs(tuple(agents), (), None))
    saved = runner.invoke(cli, ["roster", "simulate", "--saved", "mon@1", *args])
    assert saved.exit_code == 0, saved.output
    assert json.loads(saved.output) == data
    neither = runner.invoke(cli, ["roster", "simulate", "--workload", str(tmp_path / "w.csv")])
    assert neither.exit_code != 0 and "ROSTER" in neither.output


def test_roster_page_simulates_against_saved_plans(engine: sa.Engine) -> None:
    """The roster page links to the check; with a staffing plan per skill it shows the service level per skill and
    the intervals below the target, in English and zh-CN; a bad replications value is 400 next to its field."""
    from callops.scheduling.staffing_plan import PlanInterval, StaffingPlan, StaffingTargets
    from callops.store.plans import save_plan
    from roster_web_site import MONDAY, roster_app, seed
    from web_sign_in import login

    seed(engine)
    calls = [
        PlanInterval(
            dt.datetime.combine(MONDAY, dt.time(8), TZ) + dt.timedelta(minutes=30 * i),
            20.0,
            180.0,
            3,
            3,
            0.8,
            10.0,
            0.0,
            0.6,
        )
        for i in range(20)
    ]
    with engine.begin() as conn:
        save_plan(conn, StaffingPlan("mon-calls", StaffingTargets(), tuple(calls), queue="sales"), now=at(0))
    with roster_app(engine) as client:
        login(client, "pat")
        page = client.get("/rosters/saved/week50")
        assert 'id="simulate-link"' in page.text
        got = client.get(
            "/rosters/saved/week50/simulate", params={"plan": "mon-calls@1", "replications": "3", "target": "0.8"}
        )
        assert got.status_code == 200, got.text
        assert 'data-skill="sales"' in got.text and 'id="sim-short-count"' in got.text
        assert "interval-skills below the target" in got.text
        bad = client.get("/rosters/saved/week50/simulate", params={"plan": "mon-calls@1", "replications": "500"})
        assert bad.status_code == 400 and 'id="err-replications"' in bad.text and 'value="500"' in bad.text
        gone = client.get("/rosters/saved/week50/simulate", params={"plan": "nope"})
        assert gone.status_code == 400 and 'id="err-plan"' in gone.text
        api = client.get("/api/rosters/saved/week50/simulate", params={"plan": "mon-calls@1", "replications": 3})
        assert api.status_code == 200, api.text
        data = api.json()
        assert data["version"] == 1 and set(data["skills"]) == {"sales"} and data["intervals"][0]["skill"] == "sales"
        bad_api = client.get("/api/rosters/saved/week50/simulate", params={"plan": "nope"})
        assert bad_api.status_code == 400 and "plan" in bad_api.text
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET locale = 'zh-CN' WHERE username = 'pat'"))
    with roster_app(engine) as client:
        login(client, "pat")
        zh = client.get("/rosters/saved/week50/simulate", params={"plan": "mon-calls@1", "replications": "2"})
        assert zh.status_code == 200 and "各技能服务水平" in zh.text


def test_openapi_describes_the_simulation_answer() -> None:
    """/openapi.json names the fields of the roster simulation answer."""
    from typing import Any

    from callops.config import Settings
    from callops.web import create_app

    schema: dict[str, Any] = create_app(Settings(database_url="sqlite://", secret_key="s")).openapi()
    answer = schema["paths"]["/api/rosters/saved/{name}/simulate"]["get"]["responses"]["200"]["content"]
    ref = answer["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"skills", "intervals", "intervals_short"} <= set(schema["components"]["schemas"][ref]["properties"])


def test_offered_and_queue_stand_for_calls_and_skill() -> None:
    """The queue exports' words read the same as the CLI's; an error names the file's own column."""
    plain = parse_workload("interval_start,calls,aht_s,skill\n2026-12-07T08:00,3,180,sales\n", tz=TZ)
    assert parse_workload("interval_start,offered,aht_s,queue\n2026-12-07T08:00,3,180,sales\n", tz=TZ) == plain
    assert plain == [Workload(at(8), "sales", 3.0, 180.0)]
    with pytest.raises(InvalidInput) as err:
        parse_workload("interval_start,offered,aht_s\n2026-12-07T08:00,x,180\n", tz=TZ)
    assert err.value.line == 2 and err.value.field == "offered"


def _upload_csv(offered: str = "20", rows: int = 16, skill: str = "sales") -> bytes:
    """Monday 08:00 onwards, ``rows`` half hours of ``offered`` calls of 180 s for ``skill`` (the 3rd row's count is
    ``offered``, the others 20)."""
    lines = ["interval_start,offered,aht_s,skill"]
    for i in range(rows):
        start = (dt.datetime(2026, 12, 7, 8) + dt.timedelta(minutes=30 * i)).isoformat(timespec="minutes")
        lines.append(f"{start},{offered if i == 1 else '20'},180,{skill}")
    return ("\n".join(lines) + "\n").encode()


def test_roster_page_simulates_an_uploaded_workload(engine: sa.Engine) -> None:
    """A workload CSV posted on the page is simulated like saved plans (its skill in the table); a bad row is 400
    with the line and column under the file field, in English and zh-CN; no file and no plan, or both, are named;
    the form's numbers are still checked."""
    from roster_web_site import roster_app, seed
    from web_sign_in import login

    seed(engine)
    with roster_app(engine) as client:
        client.headers["X-CSRF-Token"] = login(client, "pat")
        url = "/rosters/saved/week50/simulate"
        form = {"replications": "3", "target": "0.8", "seed": "7"}
        page = client.get(url)
        assert 'id="f-workload"' in page.text and 'enctype="multipart/form-data"' in page.text
        good = client.post(url, data=form, files={"workload": ("w.csv", _upload_csv(), "text/csv")})
        assert good.status_code == 200, good.text
        assert 'data-skill="sales"' in good.text and 'id="sim-workload-used"' in good.text
        again = client.post(url, data=form, files={"workload": ("w.csv", _upload_csv(), "text/csv")})
        assert again.text.count("data-skill=") == good.text.count("data-skill=")
        bad = client.post(url, data=form, files={"workload": ("w.csv", _upload_csv("-4"), "text/csv")})
        assert bad.status_code == 400 and 'id="err-workload"' in bad.text
        assert "Line 3, column offered: -4 must be 0 or more" in bad.text
        header = client.post(url, data=form, files={"workload": ("w.csv", b"start,offered\n", "text/csv")})
        assert header.status_code == 400 and "the header needs the columns" in header.text
        nothing = client.post(url, data=form)
        assert nothing.status_code == 400 and 'id="err-workload"' in nothing.text
        both = client.post(url, data=form | {"plan": "any@1"},
                           files={"workload": ("w.csv", _upload_csv(), "text/csv")})
        assert both.status_code == 400 and "either saved plans or a workload file, not both" in both.text
        runs = client.post(url, data=form | {"replications": "99"},
                           files={"workload": ("w.csv", _upload_csv(), "text/csv")})
        assert runs.status_code == 400 and 'id="err-replications"' in runs.text
        far = _upload_csv().replace(b"2026-12-07", b"2027-03-01")  # no shift of the roster then
        off = client.post(url, data=form, files={"workload": ("w.csv", far, "text/csv")})
        assert off.status_code == 400 and "no shift of the roster is on the phones" in off.text
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET locale = 'zh-CN' WHERE username = 'pat'"))
    with roster_app(engine) as client:
        client.headers["X-CSRF-Token"] = login(client, "pat")
        zh = client.post("/rosters/saved/week50/simulate", data={"replications": "2"},
                         files={"workload": ("w.csv", _upload_csv("x"), "text/csv")})
        assert zh.status_code == 400 and "第 3 行，offered 列：&#39;x&#39; 不是数字" in zh.text
        long_field = _upload_csv() + b"2026-12-07T16:00,20,180," + b"s" * 200_000 + b"\n"
        zh_long = client.post("/rosters/saved/week50/simulate", data={"replications": "2"},
                              files={"workload": ("w.csv", long_field, "text/csv")})
        assert zh_long.status_code == 400 and "第 18 行：该行无法按 CSV 读取" in zh_long.text


def test_api_simulates_a_workload_sent_as_the_body(engine: sa.Engine) -> None:
    """POST /api/rosters/saved/{name}/simulate takes the workload CSV as its body and answers like the page; a bad
    row is 400 naming the line and the column, an empty or oversized body names the workload, the query's numbers
    are checked, and /openapi.json describes the CSV body."""
    from roster_web_site import roster_app, seed
    from web_sign_in import login

    seed(engine)
    url = "/api/rosters/saved/week50/simulate"
    csv = {"Content-Type": "text/csv"}
    with roster_app(engine) as client:
        client.headers["X-CSRF-Token"] = login(client, "pat")
        good = client.post(url, params={"replications": 3, "seed": 7}, content=_upload_csv(), headers=csv)
        assert good.status_code == 200, good.text
        data = good.json()
        assert data["roster"] == "week50" and set(data["skills"]) == {"sales"}
        assert len(data["intervals"]) == 16 and all(i["skill"] == "sales" for i in data["intervals"])
        same = client.post(url, params={"replications": 3, "seed": 7}, content=_upload_csv(), headers=csv)
        assert same.json() == data  # the same seed, the same answer
        busier = client.post(url, params={"replications": 3, "seed": 7}, content=_upload_csv("200"), headers=csv)
        assert busier.json()["intervals"][1]["calls"] == 200 != data["intervals"][1]["calls"]
        bad = client.post(url, content=_upload_csv("-4"), headers=csv)
        assert bad.status_code == 400 and bad.json()["line"] == 3 and bad.json()["field"] == "offered"
        empty = client.post(url, content=b"", headers=csv)
        assert empty.status_code == 400 and empty.json()["field"] == "workload"
        long_field = client.post(url, content=b"x" * (300 * 1024), headers=csv)  # over the csv module's field limit
        assert long_field.status_code == 400 and long_field.json()["line"] == 1
        big = client.post(url, content=b"x" * (3 * 1024 * 1024), headers=csv)
        assert big.status_code == 400 and big.json()["field"] == "workload"
        runs = client.post(url, params={"replications": 99}, content=_upload_csv(), headers=csv)
        assert runs.status_code == 400 and "replications" in runs.text
        far = client.post(url, content=_upload_csv().replace(b"2026-12-07", b"2027-03-01"), headers=csv)
        assert far.status_code == 400 and "no shift of the roster is on the phones" in far.text
        schema = client.get("/openapi.json").json()
        body = schema["paths"][url.replace("week50", "{name}")]["post"]["requestBody"]
        assert "text/csv" in body["content"]
