"""The `$ callops …` examples of the docs run, and print what the docs say (like simpy runs its docs' examples).

Every fenced block of docs/*.md with a `$ callops` line is a session: its commands run in order against a fresh
SQLite database, in a folder where the repository's `tests/`, `examples/`, the demo month and `../shared` are
where the docs expect them. A command's output must equal the lines printed under it in the doc; `...` stands
for any text (an elided part, a time stamp). Pipes through `head`, `tail` and `sed -n A,Bp`, `&&`, `export` and
`echo $?` are understood. A block that needs more than that (a server, curl, shell loops) or data this machine
may lack is listed in NOT_RUN with the reason; an entry that matches no block fails, so the list cannot rot.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from callops.cli import cli

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# (doc, first command of the block): why the block is not run here.
NOT_RUN: dict[tuple[str, str], str] = {
    ("forecast.md", "callops forecast --series ../shared/data/bank-calls-2003/bank_calls_5min.csv --grain 60m"):
        "fits five models on a year of 5-minute data (minutes); covered by tests/test_cli_forecast.py",
    ("forecast.md", "callops forecast --series train.csv --grain 5m --horizon 14d --format json"):
        "train.csv is the acceptance split the reader makes first",
    ("metrics.md", "callops scenarios list"): "needs the simulated bank-run saved first (docs/simulation.md)",
    ("quality.md", "callops qa agreement calibration.csv --unit call --rater qa --score score --item item"):
        "calibration.csv is the reader's own export",
    ("quality.md", "callops qa bias scores.csv --agent agent --rater qa --score score"):
        "scores.csv is the reader's own export",
    ("quality.md", "callops qa commit --seed h7Qm-2026w48-lead-vault"): "rule.yaml/calls.csv are the reader's files",
    ("quality.md", "callops qa draw ... --json > draw.json"): "an elided command line",
    ("quality.md", "callops qa verify-draw forged.json --calls calls.csv"): "the reader's draw and calls files",
    ("simulation.md", "callops plan build --name jan --queue PS --history-from 1999-01-03"):
        "needs the demo month loaded (db upgrade && demo load) and minutes of simulation",
    ("simulation.md", "callops replay --queue PS --from 1999-01-01 --to 1999-01-31 --weekdays 7,1,2,3,4"):
        "needs the demo month loaded; covered by tests/test_services_replay.py",
    ("web.md", "export CALLOPS_DATABASE_URL=sqlite:///callops.db"): "starts a server",
    ("workforce.md", "export CALLOPS_DATABASE_URL=sqlite:///callops.db CALLOPS_TZ=Asia/Jerusalem"):
        "the printed created_at is the time of the run",
    ("workforce.md", "callops serve &"): "a running server",
}


@dataclass
class Step:
    command: str
    expected: list[str]


@dataclass
class Block:
    doc: str
    line: int
    steps: list[Step]

    @property
    def first(self) -> str:
        return " ".join(shlex.split(self.steps[0].command, comments=True))

    def not_run(self) -> str | None:
        """Why the block is not run (its NOT_RUN entry), or None."""
        return next((why for (doc, start), why in NOT_RUN.items()
                     if doc == self.doc and self.first.startswith(start)), None)


def _blocks() -> Iterator[Block]:
    for path in sorted((REPO / "docs").glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("```"):
                i += 1
                continue
            start, i = i + 1, i + 1
            body: list[str] = []
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            i += 1
            steps: list[Step] = []
            k = 0
            while k < len(body):
                if body[k].startswith("$ "):
                    command = body[k][2:]
                    while command.endswith("\\") and k + 1 < len(body):
                        k += 1
                        command = command[:-1].rstrip() + " " + body[k].strip()
                    steps.append(Step(command, []))
                elif steps:
                    steps[-1].expected.append(body[k])
                k += 1
            if any(s.command.startswith("callops ") for s in steps):
                yield Block(path.name, start, steps)


BLOCKS = list(_blocks())


_LONG_FLOAT = re.compile(r"-?\d+\.\d{6,}(?:e[-+]?\d+)?")


def _rounded(text: str) -> str:
    """Long floats to 12 significant digits: the last digits of a float sum move with numpy/scipy releases and the
    order of additions, which a printed example cannot promise."""
    return _LONG_FLOAT.sub(lambda found: f"{float(found.group()):.12g}", text)


def _matches(expected: list[str], actual: str) -> bool:
    want = _rounded("\n".join(line.rstrip() for line in expected).strip("\n"))
    got = _rounded("\n".join(line.rstrip() for line in actual.splitlines()).strip("\n"))
    pattern = ".*?".join(re.escape(part) for part in want.split("..."))
    return re.fullmatch(pattern, got, flags=re.S) is not None


def _filter(text: str, stage: list[str]) -> str:
    match stage:
        case ["head", "-c", n]:
            return text[: int(n)]
        case ["head", n] if n.startswith("-"):
            return "\n".join(text.splitlines()[: int(n[1:])]) + "\n"
        case ["tail", n] if n.startswith("-"):
            return "\n".join(text.splitlines()[-int(n[1:]):]) + "\n"
        case ["sed", "-n", span] if re.fullmatch(r"\d+,\d+p", span):
            a, b = (int(x) for x in span[:-1].split(","))
            return "\n".join(text.splitlines()[a - 1: b]) + "\n"
    raise AssertionError(f"the docs' example pipes through {' '.join(stage)!r}, which this test does not run")


class Session:
    def __init__(self, folder: Path) -> None:
        self.env = {"CALLOPS_DATABASE_URL": f"sqlite:///{folder / 'callops.db'}", "CALLOPS_TZ": "Asia/Shanghai",
                    "NO_COLOR": "1"}
        self.status = 0
        assert self._callops(["db", "upgrade"]) == "" or self.status == 0

    def _callops(self, args: list[str]) -> str:
        result = CliRunner(env=self.env).invoke(cli, args, terminal_width=200)
        self.status = result.exit_code
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.output

    def run(self, command: str) -> str:
        out = ""
        for part in command.split(" && "):
            words = shlex.split(part, comments=True)
            stages: list[list[str]] = [[]]
            for word in words:
                if word == "|":
                    stages.append([])
                else:
                    stages[-1].append(word)
            first, *pipes = stages
            if first[0] == "export":
                for word in first[1:]:
                    name, _, value = word.partition("=")
                    self.env[name] = value
                text = ""
            elif first == ["echo", "$?"]:
                text = f"{self.status}\n"
            elif first[0] == "callops":
                text = self._callops(first[1:])
            else:
                raise AssertionError(f"{first[0]!r} is not a command this test runs")
            for stage in pipes:
                text = _filter(text, stage)
            out += text
        return out


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A folder laid out as the docs assume: the repository's tests/ and examples/, the demo month, ../shared."""
    here = tmp_path / "callops"
    here.mkdir()
    for name in ("tests", "examples"):
        (here / name).symlink_to(REPO / name)
    (here / "calls_1999-01.txt.gz").symlink_to(REPO / "src" / "callops" / "demo" / "calls_1999-01.txt.gz")
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)
    before = Path.cwd()
    os.chdir(here)
    try:
        yield here
    finally:
        os.chdir(before)


def test_not_run_entries_name_real_blocks() -> None:
    stale = [(doc, start) for doc, start in NOT_RUN
             if not any(b.doc == doc and b.first.startswith(start) for b in BLOCKS)]
    assert not stale, f"NOT_RUN names blocks the docs no longer have: {stale}"


@pytest.mark.parametrize("doc", sorted({b.doc for b in BLOCKS if b.not_run() is None}))
def test_doc_examples_print_what_the_doc_says(doc: str, workdir: Path) -> None:
    """The doc's blocks run in order in one session (a later block reads what an earlier one stored)."""
    blocks = [b for b in BLOCKS if b.doc == doc and b.not_run() is None]
    session = Session(workdir)
    for block in blocks:
        if any("../shared/" in s.command for s in block.steps) and not SHARED.is_dir():
            continue
        for step in block.steps:
            out = session.run(step.command)
            assert _matches(step.expected, out), f"{block.doc}:{block.line} `$ {step.command}` printed:\n{out}"
