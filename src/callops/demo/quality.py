"""Demo QA data inside the demo month, so the quality pages can be tried at once: a published sampling rule
for the second full week of January 1999, its freeze, public randomness and draw, a handful of evaluations by
the demo QA user and one appeal by the demo agent (MICHAL), awaiting the team lead.

Everything is labelled as demo data: the rule id starts with ``demo-``, its description says "demo", and
every evaluation comment says it was written for the demo. The clock of each step is a moment in January
1999 (the rule is filed before its week, frozen after it), so the draw verifies like any other. Running it
again adds nothing."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.errors import NotFound
from callops.quality import Answer
from callops.services.qa_reviews import appeal_evaluation, score_call
from callops.services.qa_sampling import draw_rule, enter_randomness, file_rule, freeze_rule, rule_from_form
from callops.services.qa_work import my_queue
from callops.store.qa_sampling import get_rule
from callops.store.users import find_user

__all__ = ["DEMO_RULE", "load_demo_quality"]

DEMO_RULE = "demo-1999-w02"
_TZ = "Asia/Jerusalem"
_FILED_AT = dt.datetime(1999, 1, 8, 9, 0, tzinfo=dt.UTC)
_FROZEN_AT = dt.datetime(1999, 1, 17, 7, 0, tzinfo=dt.UTC)
_EVALUATIONS = 8  # by the demo QA user, beside every drawn call of the demo agent
_NOTE = "demo data: written for the callops demo, not a real evaluation / 演示数据，并非真实评估"


def _answers(n: int) -> dict[str, Answer]:
    """Varied, plausible answers to the starter scorecard (deterministic: the n-th evaluation)."""
    return {"greeting": Answer(n % 5 != 3), "verify": Answer(True), "listening": Answer(float(3 + n % 3)),
            "solution": Answer(float(2 + (n * 2) % 4)),
            "arguing": Answer(float(n % 4 == 1), comment=_NOTE if n % 4 == 1 else "")}


def load_demo_quality(engine: sa.Engine, *, qa_user: str = "qa", witness: str = "manager",
                      agent_user: str = "agent") -> bool:
    """File, freeze, randomise and draw the demo rule, score some drawn calls and file one appeal; False when
    the demo rule exists already (nothing is added)."""
    with engine.begin() as conn:
        try:
            get_rule(conn, DEMO_RULE)
            return False
        except NotFound:
            pass
        qa, manager, agent = (find_user(conn, name) for name in (qa_user, witness, agent_user))
        published = rule_from_form(rule_id=DEMO_RULE, period_start="1999-01-10", period_end="1999-01-16",
                                   timezone=_TZ, per="agent_week", pick_kind="random", n=2, longer_than_s=60,
                                   description="DEMO: two random calls over a minute per agent in the week of "
                                               "10 January 1999 / 演示：每名坐席每周随机抽取两通超过一分钟的通话")
        file_rule(conn, qa, published, now=_FILED_AT)
        freeze_rule(conn, qa, DEMO_RULE, now=_FROZEN_AT)
        dice = "4 2 6 1 5 3"
        enter_randomness(conn, qa, DEMO_RULE, dice, now=_FROZEN_AT + dt.timedelta(minutes=30))
        enter_randomness(conn, manager, DEMO_RULE, dice, now=_FROZEN_AT + dt.timedelta(minutes=40))
        draw_rule(conn, qa, DEMO_RULE, now=_FROZEN_AT + dt.timedelta(hours=1))
        at = _FROZEN_AT + dt.timedelta(days=1)
        items = my_queue(conn, qa, now=at).items
        chosen = [i for i in items if i.agent == agent.agent_id] + \
            [i for i in items if i.agent != agent.agent_id][:_EVALUATIONS]
        agent_keys = []
        for n, item in enumerate(chosen):
            stored = score_call(conn, qa, item.call_pk, _answers(n), now=at + dt.timedelta(minutes=20 * n))
            if item.agent == agent.agent_id:
                agent_keys.append(stored.evaluation.evaluation_id)
        if agent_keys:
            appeal_evaluation(conn, agent, agent_keys[0], items=["listening"], now=at + dt.timedelta(hours=6),
                              reason="Demo appeal: I repeated the question because the line was bad / "
                                     "演示申诉：线路不好，所以重复提问")
    return True
