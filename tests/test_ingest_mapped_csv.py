"""The mapped CSV importer: the YAML mapping validated at the edge, renames, formats, zones, value maps."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.ingest.items import ParseContext, Rejection, Skip
from callops.ingest.mapped_csv import load_mapping, parse
from callops.records import Call, Outcome

FIX = Path(__file__).resolve().parent / "fixtures" / "csv"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mappings" / "crm-export.yaml"


def _mapping() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    return loaded


def _items(lines: list[str], mapping: dict[str, Any] | None = None) -> list[object]:
    ctx = ParseContext(file="calls.csv", tz=zoneinfo.ZoneInfo("UTC"),
                       options={"mapping": mapping or _mapping(), "mapping_file": "crm-export.yaml"})
    return list(parse(enumerate(lines, start=1), ctx))


def test_worked_example() -> None:
    """The documented example maps columns, parses the day-first format in Berlin time and maps outcomes."""
    calls = {c.source_call_id: c for c in _items((FIX / "crm-calls.csv").read_text().splitlines())
             if isinstance(c, Call)}
    first = calls["c-1"]
    assert first.queue_entered_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert first.outcome is Outcome.ANSWERED and first.talk_s == 240 and first.call_type == "service"
    assert calls["c-2"].outcome is Outcome.ABANDONED and calls["c-3"].outcome is Outcome.TIMEOUT


def test_bad_mapping_names_file_and_key() -> None:
    """An unknown canonical field in columns is refused naming the mapping file and key."""
    broken = {**_mapping(), "columns": {**_mapping()["columns"], "talk_minutes": "Talk"}}
    with pytest.raises(InvalidInput, match=r"crm-export.yaml, field columns: .*talk_minutes"):
        load_mapping(broken, "crm-export.yaml")
    with pytest.raises(InvalidInput, match="zone"):
        load_mapping({**_mapping(), "zone": "Mars/Olympus"}, "crm-export.yaml")
    with pytest.raises(InvalidInput, match="outcome needs a column or a constant"):
        load_mapping({"source": "x", "columns": {"source_call_id": "id", "ended_at": "end"}}, "m.yaml")


def test_missing_column_in_header() -> None:
    """A header without a mapped column is rejected at line 1."""
    [item] = _items(["Call ID;Result", "c;OK"])
    assert isinstance(item, Rejection) and item.line == 1 and "Queued" in item.reason


def test_epoch_format_and_constant_outcome() -> None:
    """timestamp_format epoch reads Unix seconds; a constant outcome applies to every row."""
    mapping = {"source": "s", "timestamp_format": "epoch", "columns": {"source_call_id": "id", "ended_at": "t"},
               "constants": {"outcome": "abandoned"}}
    [call] = _items(["id,t", "x,60"], mapping)
    assert isinstance(call, Call) and call.ended_at == dt.datetime(1970, 1, 1, 0, 1, tzinfo=dt.UTC)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('0123456789;"-.: OKLSTabc'), max_size=100), max_size=8))
def test_garbage_never_crashes(lines: list[str]) -> None:
    """Random rows under a valid header yield rejections or calls, never an exception."""
    header = "Call ID;From;Queued;Answered;Ended;Agent;Talk seconds;Result"
    for item in _items([header, *lines]):
        assert isinstance(item, Call | Rejection)


def test_row_filter_and_outcome_rules_on_other_columns() -> None:
    """The filter skips rows with a reason; outcome rules read other columns, first match wins."""
    mapping = _mapping()
    mapping["filter"] = [{"column": "From", "matches": r"\+49.*"}]
    mapping["outcome_rules"] = [
        {"when": [{"column": "Talk seconds", "greater_than": 0}], "outcome": "answered"},
        {"when": [{"column": "Result", "in": ["LOST"]}, {"column": "Answered", "empty": True}],
         "outcome": "ivr_hangup"},
    ]
    lines = (FIX / "crm-calls.csv").read_text().splitlines()
    lines.append("c-4;+1555;02.03.2026 10:30:00;;02.03.2026 10:31:00;;0;LOST")
    items = _items(lines, mapping)
    calls = {c.source_call_id: c.outcome for c in items if isinstance(c, Call)}
    assert calls == {"c-1": Outcome.ANSWERED, "c-2": Outcome.IVR_HANGUP, "c-3": Outcome.TIMEOUT}
    [skip] = [i for i in items if isinstance(i, Skip)]
    assert skip.line == 5 and "From matches" in skip.reason


def test_bad_condition_is_refused_naming_the_key() -> None:
    mapping = _mapping()
    mapping["filter"] = [{"column": "From", "equals": "x", "empty": True}]
    with pytest.raises(InvalidInput, match="give exactly one of"):
        load_mapping(mapping, "m.yaml")
    mapping["filter"] = [{"column": "Nope", "equals": "x"}]
    [rejection] = _items((FIX / "crm-calls.csv").read_text().splitlines(), mapping)
    assert isinstance(rejection, Rejection) and "Nope" in rejection.reason
