"""``callops erlang`` and ``callops staffing``: what agents deliver, and how many agents a target needs."""

from __future__ import annotations

import re
from typing import Any

import click

from callops.cli._options import options_named
from callops.cli._output import echo_json, echo_table
from callops.queueing import ServiceTargets
from callops.services.workforce_json import erlang_answer, staffing_answer


def register(group: click.Group) -> None:
    group.add_command(erlang)
    group.add_command(staffing)


class _Interval(click.ParamType[float]):
    """An interval length such as 5m, 15m, 30m, 60m or 1h, as seconds."""

    name = "interval"
    _pattern = re.compile(r"^(\d+)\s*(m|min|h)$")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        match = self._pattern.match(str(value).strip().lower())
        if not match or int(match.group(1)) == 0:
            self.fail(f"{value!r} is not an interval length like 15m, 30m or 1h", param, ctx)
        return float(int(match.group(1)) * (3600 if match.group(2) == "h" else 60))


_POSITIVE = click.FloatRange(min=0, min_open=True)
_SHARE = click.FloatRange(min=0, max=1, min_open=True, max_open=True)


def _common(func: Any) -> Any:
    options = [
        click.option(
            "--calls", type=click.FloatRange(min=0), required=True, help="Calls offered in the interval."
        ),
        click.option(
            "--interval",
            "interval_s",
            type=_Interval(),
            default="30m",
            show_default=True,
            help="Interval length: 5m, 15m, 30m, 60m or 1h.",
        ),
        click.option("--aht", "aht_s", type=_POSITIVE, required=True, help="Average handle time, seconds."),
        click.option(
            "--patience",
            "patience_s",
            type=_POSITIVE,
            help="Mean caller patience, seconds: Erlang A with abandonment (else Erlang C).",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command()
@_common
@click.option("--agents", type=click.IntRange(min=0), required=True, help="Agents on the phones.")
@click.option(
    "--sl-time",
    "sl_time_s",
    type=click.FloatRange(min=0),
    default=20.0,
    show_default=True,
    help="Service-level threshold, seconds.",
)
def erlang(
    calls: float,
    interval_s: float,
    aht_s: float,
    patience_s: float | None,
    as_json: bool,
    agents: int,
    sl_time_s: float,
) -> None:
    """Service level, ASA, P(wait) and occupancy that AGENTS deliver (Erlang C; Erlang A with --patience).

    service_level is calls answered within --sl-time over calls offered.
    """
    out = erlang_answer(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents, sl_time_s=sl_time_s,
                        patience_s=patience_s)
    _show(out, as_json, f"{_model(patience_s)}: {agents} agents, {calls * aht_s / interval_s:.2f} Erlangs offered")


@click.command()
@_common
@click.option(
    "--sl", "service_level", type=_SHARE, help="Service-level target, e.g. 0.8 (share answered in time)."
)
@click.option(
    "--sl-time",
    "sl_time_s",
    type=click.FloatRange(min=0),
    default=20.0,
    show_default=True,
    help="Service-level threshold, seconds.",
)
@click.option("--asa", "asa_s", type=_POSITIVE, help="Most ASA allowed (answered calls), seconds.")
@click.option("--max-abandon", type=_SHARE, help="Most abandon rate allowed, e.g. 0.05 (needs --patience).")
@click.option(
    "--max-occupancy",
    type=click.FloatRange(min=0, max=1, min_open=True),
    help="Most occupancy allowed, e.g. 0.85.",
)
@click.option(
    "--shrinkage",
    type=click.FloatRange(min=0, max=1, max_open=True),
    default=0.0,
    show_default=True,
    help="Share of paid time off the phones (breaks, training, absence).",
)
@click.option(
    "--distressing-share",
    type=click.FloatRange(min=0, max=1),
    default=0.0,
    show_default=True,
    help="Share of calls after which the agent needs recovery time.",
)
@click.option(
    "--recovery",
    "recovery_s",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Recovery time after a distressing call, seconds (seed 003: 60-120).",
)
def staffing(
    calls: float,
    interval_s: float,
    aht_s: float,
    patience_s: float | None,
    as_json: bool,
    service_level: float | None,
    sl_time_s: float,
    asa_s: float | None,
    max_abandon: float | None,
    max_occupancy: float | None,
    shrinkage: float,
    distressing_share: float,
    recovery_s: float,
) -> None:
    """The fewest agents meeting the targets, and the agents to schedule after shrinkage.

    With --distressing-share and --recovery the agents' recovery time after hard calls is added to
    the handle time they are kept per call, and the output says what it costs in agents.
    """
    with options_named(_STAFFING_OPTIONS):
        targets = ServiceTargets(
            service_level=service_level,
            sl_time_s=sl_time_s,
            asa_s=asa_s,
            max_abandon=max_abandon,
            max_occupancy=max_occupancy,
        )
        out = staffing_answer(calls=calls, interval_s=interval_s, aht_s=aht_s, targets=targets,
                              patience_s=patience_s, shrinkage=shrinkage, distressing_share=distressing_share,
                              recovery_s=recovery_s)
    handle_s = out.get("effective_aht_s", aht_s)
    held = " (handle time with recovery)" if recovery_s > 0 else ""
    _show(out, as_json, f"{_model(patience_s)}: {calls * handle_s / interval_s:.2f} Erlangs offered{held}")


_STAFFING_OPTIONS = {"service_level": "--sl", "asa_s": "--asa", "max_abandon": "--max-abandon",
                     "max_occupancy": "--max-occupancy", "distressing_share": "--distressing-share",
                     "recovery_s": "--recovery", "shrinkage": "--shrinkage"}


def _model(patience_s: float | None) -> str:
    return "erlang c" if patience_s is None else "erlang a"


def _show(out: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        echo_json(out)
        return
    click.echo(title)
    echo_table([{"metric": key, "value": value} for key, value in out.items()])
