"""A starter inbound-service scorecard, with the deduction catalogue drawn from seeds 000, 002 and 003.

Centers copy and adapt it; the tests and docs use it as their worked example.
"""

from __future__ import annotations

from callops.quality.scorecards import ItemKind, Scorecard, ScorecardItem, Section

__all__ = ["starter_scorecard"]


def starter_scorecard() -> Scorecard:
    """Version 1 of form "inbound-service": 40 points of positive items, a 60-point deduction pool."""
    opening = Section(
        "opening",
        "Opening 开场",
        (
            ScorecardItem(
                "greeting",
                "Standard greeting 标准问候语",
                ItemKind.YES_NO,
                points=5,
                description="Greets with the center's greeting and own work number within 3 s. 3 "
                            "秒内使用中心标准问候语并报工号。",
            ),
            ScorecardItem(
                "verify",
                "Identity verified 核实身份",
                ItemKind.YES_NO,
                points=5,
                description="Verifies the caller before discussing the account. 先核实来电人身份，再谈账户。",
            ),
        ),
    )
    handling = Section(
        "handling",
        "Handling 处理",
        (
            ScorecardItem(
                "listening",
                "Listening 倾听",
                ItemKind.WEIGHTED,
                points=15,
                scale_max=5,
                description="Picks the information out of the caller's words; 5 = nothing asked twice. "
                            "从客户话语中抓住信息；5 分 = 不重复提问。",
            ),
            ScorecardItem(
                "solution",
                "Correct solution 解决方案正确",
                ItemKind.WEIGHTED,
                points=15,
                scale_max=5,
                description="The answer is correct and complete; 5 = first-contact resolution. "
                            "答复正确完整；5 分 = 首次解决。",
            ),
        ),
    )
    conduct = Section(
        "conduct",
        "Conduct 服务规范 (扣分项)",
        (
            ScorecardItem(
                "arguing",
                "Arguing with the caller 与客户争辩",
                ItemKind.DEDUCTION,
                points=10,
                cap=20,
                description="Contradicts or argues with the caller instead of explaining. 反驳、争辩而不解释。",
                examples=("'That is not what you said.' “您刚才可不是这么说的。”",
                          "Raising the voice over the caller. 提高嗓门压过客户。"),
            ),
            ScorecardItem(
                "interrogating",
                "Interrogating 质问客户",
                ItemKind.DEDUCTION,
                points=5,
                cap=10,
                description="Questions in an accusing tone. 用指责的语气发问。",
                examples=("'Why didn't you read the SMS?' “您为什么不看短信？”",),
            ),
            ScorecardItem(
                "coldness",
                "Cold or stiff tone 冷漠、生硬",
                ItemKind.DEDUCTION,
                points=5,
                cap=10,
                description="Flat, impatient or mechanical delivery; no acknowledgement of feelings. "
                            "语气平淡、不耐烦或机械，不体谅客户情绪。",
            ),
            ScorecardItem(
                "monologue",
                "Monologue 自说自话",
                ItemKind.DEDUCTION,
                points=5,
                cap=10,
                description="Talks over the caller or reads a script without checking understanding. "
                            "抢话，或照本宣科不确认客户是否理解。",
            ),
            ScorecardItem(
                "speech_rate",
                "Speaking rate outside 180-250 字/min 语速",
                ItemKind.DEDUCTION,
                points=2,
                cap=6,
                description="Per stretch of 30 s spoken faster than 250 or slower "
                "than 180 characters a minute (normal speech is 280-350). "
                "每 30 秒语速高于 250 或低于 180 字/分钟（正常语速 280-350）。",
            ),
            ScorecardItem(
                "over_marketing",
                "More than two marketing attempts after a refusal 客户拒绝后营销超过两次",
                ItemKind.DEDUCTION,
                points=5,
                cap=15,
                description="Each attempt beyond the second after the customer says no. "
                            "客户拒绝后，第二次之后的每次营销。",
            ),
        ),
    )
    critical = Section(
        "critical",
        "Critical 致命错误",
        (
            ScorecardItem(
                "abuse",
                "Abusive language 辱骂客户",
                ItemKind.CRITICAL,
                description="Any insult or swearing at the caller fails the evaluation. 任何辱骂客户的言语即判不合格。",
            ),
            ScorecardItem(
                "privacy",
                "Disclosed personal data 泄露客户信息",
                ItemKind.CRITICAL,
                description="Gives account or personal data to an unverified caller. "
                            "向未核实身份的来电人透露账户或个人信息。",
            ),
        ),
    )
    return Scorecard(
        form_id="inbound-service",
        version=1,
        title="Inbound service 呼入服务质检表",
        sections=(opening, handling, conduct, critical),
        total=100,
        pass_score=80,
        applies_to=("inbound",),
    )
