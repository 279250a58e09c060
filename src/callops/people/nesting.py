"""Nesting: a new hire's first weeks on easier queues with a buddy (issue 15, seed 001's new hires).

A nesting plan says, for one person and the days ``[starts_on, ends_on)``, which skills (queues) they take
and at which level, and who their buddy is. While it lasts the plan's skills *replace* the person's
directory skills in routing: a queue the plan leaves out is not offered to them, and a level the plan gives
(1 lowest, as ``callops.routing``) is the level the router uses. After ``ends_on`` the directory's skills
apply again. Plans of one person never overlap; a plan lasts at most ``MAX_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from callops.errors import InvalidInput

__all__ = [
    "MAX_DAYS",
    "MAX_SKILLS",
    "NestingPlan",
    "check_plan",
    "check_no_overlap",
    "nesting_skills",
    "parse_skill_levels",
]

MAX_DAYS = 183  # half a year: longer is not nesting
MAX_SKILLS = 50
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class NestingPlan:
    person: str
    starts_on: dt.date
    ends_on: dt.date  # the first day after the nesting
    skills: Mapping[str, int]  # skill (queue) -> level 1-10 while nesting
    buddy: str | None = None
    note: str = ""

    def active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day < self.ends_on

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days

    def as_dict(self) -> dict[str, object]:
        return {
            "person": self.person,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "days": self.days,
            "skills": dict(sorted(self.skills.items())),
            "buddy": self.buddy,
            "note": self.note,
        }


def check_plan(plan: NestingPlan) -> None:
    """Refuse an impossible plan, naming the field."""
    if not plan.person.strip() or len(plan.person) > 80:
        raise InvalidInput("a person is 1-80 characters", field="person")
    if plan.ends_on <= plan.starts_on:
        raise InvalidInput(
            f"the nesting ends ({plan.ends_on}) on or before it starts ({plan.starts_on})", field="ends_on"
        )
    if plan.days > MAX_DAYS:
        raise InvalidInput(f"a nesting lasts at most {MAX_DAYS} days, not {plan.days}", field="ends_on")
    if not plan.skills:
        raise InvalidInput("name at least one skill (queue) the new hire takes while nesting", field="skills")
    if len(plan.skills) > MAX_SKILLS:
        raise InvalidInput(f"at most {MAX_SKILLS} skills", field="skills")
    for skill, level in plan.skills.items():
        if not skill.strip() or len(skill) > 80:
            raise InvalidInput(f"skill name {skill[:20]!r} needs 1-80 characters", field="skills")
        if not 1 <= level <= 10:
            raise InvalidInput(f"skill {skill!r} level {level} is outside 1-10", field="skills")
    if plan.buddy is not None and plan.buddy == plan.person:
        raise InvalidInput("a buddy is someone else", field="buddy")
    if len(plan.note) > MAX_NOTE:
        raise InvalidInput(f"a note is at most {MAX_NOTE} characters", field="note")


def check_no_overlap(plans: Iterable[NestingPlan]) -> None:
    """Plans of one person must not overlap."""
    by_person: dict[str, list[NestingPlan]] = {}
    for plan in plans:
        by_person.setdefault(plan.person, []).append(plan)
    for person, mine in by_person.items():
        mine.sort(key=lambda p: p.starts_on)
        for before, after in zip(mine, mine[1:], strict=False):
            if after.starts_on < before.ends_on:
                raise InvalidInput(
                    f"{person}'s nesting from {after.starts_on} overlaps the one from "
                    f"{before.starts_on} to {before.ends_on}",
                    field="starts_on",
                )


def nesting_skills(skills: Mapping[str, int], plans: Iterable[NestingPlan], day: dt.date) -> dict[str, int]:
    """The skills routing uses on ``day``: the plan's while one of ``plans`` (the person's) is active, else
    ``skills`` (the directory's)."""
    for plan in plans:
        if plan.active_on(day):
            return dict(plan.skills)
    return dict(skills)


def parse_skill_levels(text: str) -> dict[str, int]:
    """``"billing=2, general=1"`` (or ``billing:2``, or one per line) as {skill: level}; no level is level 1."""
    out: dict[str, int] = {}
    for part in text.replace("\n", ",").split(","):
        item = part.strip()
        if not item:
            continue
        name, _, level = item.replace(":", "=").partition("=")
        name = name.strip()
        try:
            value = int(level.strip()) if level.strip() else 1
        except ValueError:
            raise InvalidInput(
                f"skill {name!r}: level {level.strip()!r} is not a whole number", field="skills"
            ) from None
        if name in out:
            raise InvalidInput(f"skill {name!r} is named twice", field="skills")
        out[name] = value
    return out
