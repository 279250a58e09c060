"""The queue_log's simple calls (ENTERQUEUE, optional CONNECT, one end event) are built column-wise; every
other call goes through the state machine. The line reader is the oracle: generated logs with every kind of
irregularity mixed in among simple calls store the same rows, counts, notices and rejects both ways, and
the column-wise path really takes the simple calls (and only those)."""

from __future__ import annotations

import random
import sys
import zoneinfo
from pathlib import Path

import numpy as np
import pytest

from callops.ingest.columnar import read_lines
from callops.ingest.items import ParseContext, Rows
from callops.ingest.queue_log_columns import parse_columns

sys.path.insert(0, str(Path(__file__).resolve().parent))
from columnar_compare import assert_same as _assert_same  # noqa: E402
from queue_log_synth import queue_log_lines  # noqa: E402

_AGENTS = [f"PJSIP/{7000 + i}" for i in range(12)]


def _irregular(seed: int, calls: int) -> list[str]:
    """A generated log (in time order) with irregular calls, restarts, aliases and bad lines mixed in."""
    rng = random.Random(seed)
    lines = queue_log_lines(calls, seed=seed)
    epochs = [int(line.split("|", 1)[0]) for line in lines]

    def near(k: int) -> int:
        return epochs[min(k, len(epochs) - 1)]

    extra: list[tuple[int, str]] = []  # (position, line)
    for n in range(calls // 6):
        k = rng.randrange(len(lines))
        t = near(k)
        cid = f"x{seed}.{n}"
        q = rng.choice(["sales", "support"])
        agent = rng.choice(_AGENTS)
        alias = rng.choice([agent, agent.replace("PJSIP", "Agent"), agent.replace("PJSIP", "SIP"),
                            f"Local/{agent[6:]}@from-queue/n", agent[6:]])
        kind = rng.randrange(23)
        seq: list[str]
        if kind == 0:  # re-entry on the same channel: callid@queue#2
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 5}|{cid}|{q}|NONE|ABANDON|1|1|5",
                   f"{t + 9}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 12}|{cid}|{q}|{alias}|CONNECT|3|u|1",
                   f"{t + 70}|{cid}|{q}|{alias}|COMPLETEAGENT|3|58|1"]
        elif kind == 1:  # the log starts mid-call: no ENTERQUEUE
            seq = [f"{t}|{cid}|{q}|{alias}|CONNECT|7|u|1", f"{t + 40}|{cid}|{q}|{alias}|COMPLETECALLER|7|40|1"]
        elif kind == 2:  # only the end event
            seq = [f"{t}|{cid}|{q}|{alias}|COMPLETECALLER|7|40|1"]
        elif kind == 3:  # attended transfer
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 2}|{cid}|{q}|{alias}|CONNECT|2|u|1",
                   f"{t + 30}|{cid}|{q}|{alias}|ATTENDEDTRANSFER|BRIDGE|b1|2|28|1"]
        elif kind == 4:  # 1.2 layouts: no wait, no durations
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 9}|{cid}|{q}|NONE|EXITWITHKEY|5|1"]
        elif kind == 5:
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 2}|{cid}|{q}|{alias}|CONNECT|2|u|1",
                   f"{t + 30}|{cid}|{q}|{alias}|TRANSFER|200|ctx"]
        elif kind == 6:  # a bad field in a call's line
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 2}|{cid}|{q}|{alias}|CONNECT|x|u|1",
                   f"{t + 30}|{cid}|{q}|{alias}|COMPLETECALLER|2|28|1"]
        elif kind == 7:  # fractional and clock-time epochs
            seq = [f"{t}.5|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 3}.25|{cid}|{q}|NONE|ABANDON|1|1|3"]
        elif kind == 8:
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"2026-01-01 08:00:00|{cid}|{q}|{alias}|CONNECT|2|u|1",
                   f"{t + 30}|{cid}|{q}|{alias}|COMPLETECALLER|2|28|1"]
        elif kind == 9:  # a restart while calls are in progress
            seq = [f"{t}|NONE|NONE|NONE|QUEUESTART|"]
        elif kind == 10:  # a call connected twice, and one answered then abandoned
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 2}|{cid}|{q}|{alias}|CONNECT|2|u|1",
                   f"{t + 3}|{cid}|{q}|{agent}|CONNECT|3|u|1", f"{t + 30}|{cid}|{q}|{alias}|COMPLETEAGENT|3|27|1"]
        elif kind == 11:
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 2}|{cid}|{q}|{alias}|CONNECT|2|u|1",
                   f"{t + 30}|{cid}|{q}|NONE|ABANDON|1|1|2"]
        elif kind == 12:  # members join, leave and pause under their other names
            seq = [f"{t}|NONE|{q}|{alias}|ADDMEMBER|", f"{t + 1}|NONE|{q}|{alias}|PAUSE|Lunch",
                   f"{t + 50}|NONE|{q}|{alias}|UNPAUSE|", f"{t + 60}|NONE|{q}|{alias}|REMOVEMEMBER|"]
        elif kind == 13:  # an agent channel login, and a log-off while on a call
            seq = [f"{t}|NONE|NONE|Agent/{agent[6:]}|AGENTLOGIN|{agent}",
                   f"{t + 80}|NONE|NONE|Agent/{agent[6:]}|AGENTLOGOFF|{agent}|80"]
        elif kind == 14:  # the end event before the CONNECT in the file
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 30}|{cid}|{q}|{alias}|COMPLETECALLER|2|28|1",
                   f"{t + 2}|{cid}|{q}|{alias}|CONNECT|2|u|1"]
        elif kind == 15:  # ENTERQUEUE repeated while waiting; a second end event
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 1}|{cid}|{q}|NONE|ENTERQUEUE||139|1",
                   f"{t + 8}|{cid}|{q}|NONE|EXITEMPTY|1|1|8", f"{t + 9}|{cid}|{q}|NONE|WITHDRAW|1|1|9"]
        elif kind == 16:  # a call silent for over a day (dropped at a sweep point when one falls in between)
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 90_000}|{cid}|{q}|NONE|ABANDON|1|1|9"]
        elif kind == 17:  # whitespace the line reader strips, Unicode digits it does not read
            seq = [f"{t}|{cid}|{q}|NONE| ENTERQUEUE ||139|1", f"{t + 4}|{cid}|{q}|NONE|ABANDON|1|1| 4 ",
                   f"{t}|{cid}b|{q}|NONE|ENTERQUEUE||139|1", f"{t + 4}|{cid}b|{q}|NONE|ABANDON|1|1|\u0664"]
        elif kind == 18:  # simple calls with every end event and layout the column-wise path takes
            end = rng.choice([f"EXITWITHTIMEOUT|1|1|{kind}", f"EXITWITHKEY|5|1|1|{kind}", f"EXITEMPTY|1|1|{kind}",
                              f"WITHDRAW|1|1|{kind}", f"ABANDON|2|1|{kind}"])
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||anonymous|1", f"{t + kind}|{cid}|{q}|NONE|{end}",
                   f"{t}|{cid}c|{q}|NONE|ENTERQUEUE|", f"{t + 1}|{cid}c|{q}|{alias}|CONNECT|1",
                   f"{t + 9}|{cid}c|{q}|{alias}|BLINDTRANSFER| 2000 | ctx |1|8|1"]
        elif kind == 19:  # callid and queue that join to another call's key
            seq = [f"{t}|{cid}@{q}|x|NONE|ENTERQUEUE||139|1", f"{t + 4}|{cid}|{q}@x|NONE|ABANDON|1|1|4"]
        elif kind == 20:  # a CONNECT for an agent nobody logged in, who then logs in
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 1}|{cid}|{q}|Agent/99{n}|CONNECT|1|u|1",
                   f"{t + 2}|NONE|{q}|Agent/99{n}|ADDMEMBER|", f"{t + 20}|{cid}|{q}|Agent/99{n}|COMPLETECALLER|1|19|1"]
        elif kind == 21:  # the end line names the agent first (under another name than its CONNECT)
            seq = [f"{t}|{cid}|{q}|NONE|ENTERQUEUE||139|1", f"{t + 1}|{cid}|{q}|Agent/66{n}|CONNECT|1|u|1",
                   f"{t + 20}|{cid}|{q}|SIP/77{n}|COMPLETECALLER|1|19|1", f"{t + 30}|NONE|{q}|PJSIP/77{n}|ADDMEMBER|",
                   f"{t + 90}|NONE|{q}|PJSIP/77{n}|REMOVEMEMBER|"]
        else:  # lines that are not records
            seq = [f"{t}|{cid}|{q}|NONE|RINGNOANSWER|1000", f"# {cid}", "", f"{t}|{cid}|{q}",
                   f"nope|{cid}|{q}|NONE|ENTERQUEUE||1|1"]
        spread = k
        for line in seq:
            spread += rng.randrange(0, 40)
            extra.append((spread, line))
    out = list(lines)
    for position, line in sorted(extra, key=lambda e: -e[0]):
        out.insert(min(position, len(out)), line)
    return out


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_irregular_calls_among_simple_ones_import_the_same_both_ways(template: Path, tmp_path: Path,  # noqa: F811
                                                                     seed: int) -> None:
    path = tmp_path / "mixed.queue_log"
    path.write_text("\n".join(_irregular(seed, 1500)) + "\n", encoding="utf-8")
    report = _assert_same(template, tmp_path, [path], "asterisk-queue-log", "Asia/Shanghai")
    assert report["calls"] > 1500 and report["agent_intervals"] > 100 and report["rejected"] > 10


def test_sweep_points_and_restarts_among_simple_calls(template: Path, tmp_path: Path) -> None:  # noqa: F811
    """Over 20,000 lines, so the line reader's sweep of silent calls runs: simple calls that span a sweep
    point or a restart go through the state machine, and the stored rows and notices are the same."""
    lines = _irregular(9, 12_000)
    assert len(lines) > 40_000 and int(lines[40_000].split("|", 1)[0]) - int(lines[20].split("|", 1)[0]) > 86_400
    lines = [line for k, line in enumerate(lines) if not (0 < k < 41_000 and "QUEUESTART" in line)]
    lines.insert(20, f"{lines[20].split('|', 1)[0]}|silent|sales|NONE|ENTERQUEUE||139|1")  # a simple call's lines,
    lines.append(f"{lines[-1].split('|', 1)[0]}|silent|sales|NONE|ABANDON|1|1|9")  # a sweep point in between
    lines.insert(-60, f"{lines[-60].split('|', 1)[0]}|NONE|NONE|NONE|QUEUESTART|")  # calls in progress
    path = tmp_path / "long.queue_log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _assert_same(template, tmp_path, [path], "asterisk-queue-log")
    assert any("had no event for a day" in n for n in report["notices"])
    assert any("QUEUESTART" in n for n in report["notices"])


def _parsed(path: Path) -> tuple[int, list[int]]:
    """(calls, their lines) of a columnar parse of ``path``."""
    lines = read_lines(path)
    assert lines is not None
    calls: list[int] = []
    for item in parse_columns(lines, ParseContext(file="x", tz=zoneinfo.ZoneInfo("UTC"))):
        if isinstance(item, Rows):
            calls += item.call_lines
    return len(calls), calls


def test_simple_calls_are_built_column_wise_and_handed_on_in_line_order(tmp_path: Path) -> None:
    """Most calls of a regular log are simple (built without the state machine); the calls come out in the
    order of the line that ended them, simple and machine-built ones merged."""
    from callops.ingest import queue_log_columns as columns

    path = tmp_path / "plain.queue_log"
    path.write_text("\n".join(_irregular(11, 3000)) + "\n", encoding="utf-8")
    lines = read_lines(path)
    assert lines is not None
    built: list[int] = []
    original = columns._simple_calls

    def counting(*args: object, **kwargs: object) -> object:
        found = original(*args, **kwargs)  # type: ignore[arg-type]
        if found is not None:
            built.append(len(found[0].ends))
        return found

    columns._simple_calls = counting  # type: ignore[assignment]
    try:
        count, ended = _parsed(path)
    finally:
        columns._simple_calls = original
    assert built and 3000 * 0.8 < built[0] < count
    assert ended == sorted(ended) and np.all(np.diff(ended) >= 0)
