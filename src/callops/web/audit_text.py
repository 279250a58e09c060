"""Audit steps in the viewer's language: the appeal trail stores English details ("upheld; score 89 -> 94. ok");
the pages show them through the catalogs (``qa.step.*``), reading the stored detail's known forms."""

from __future__ import annotations

import re

from callops.quality.appeals import AuditEvent
from callops.web.i18n import Translator

__all__ = ["appeal_step"]

_FILED = re.compile(r"^items (?P<items>.*?): (?P<reason>.*)$", re.S)
_VIEW = re.compile(r"^(?P<view>upheld|partly|rejected): ?(?P<comment>.*)$", re.S)
_DECIDED = re.compile(r"^(?P<decision>upheld|partly|rejected); score (?P<before>\S+) -> (?P<after>\S+)\.? ?"
                      r"(?P<comment>.*)$", re.S)


def appeal_step(event: AuditEvent, t: Translator) -> str:
    """What the step did, e.g. "维持申诉；得分 89 → 94。" for ``decided`` / ``upheld; score 89 -> 94.``."""
    detail = event.detail
    if event.action == "filed" and (found := _FILED.match(detail)):
        return t("qa.step.filed", items=found["items"], reason=found["reason"])
    if event.action == "accepted":
        return t("qa.step.accepted")
    if event.action == "returned":
        return t("qa.step.returned", reason=detail)
    if event.action == "view" and (found := _VIEW.match(detail)):
        return t("qa.step.view", view=t(f"qa.decision.{found['view']}"), comment=found["comment"])
    if event.action == "decided" and (found := _DECIDED.match(detail)):
        return t("qa.step.decided", decision=t(f"qa.decision.{found['decision']}"), before=found["before"],
                 after=found["after"], comment=found["comment"])
    return f"{event.action} {detail}".strip()
