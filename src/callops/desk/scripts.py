"""Knowledge scripts: how long a script is and how long it takes to read aloud at the required pace.

Seed 000: a scripted call must be spoken at 180-250 Chinese characters a minute (normal speech is 280-350).
A Chinese script is measured in characters (letters and digits; spaces and punctuation are not spoken as
characters); an English one in words, read at 130-160 words a minute — a plain-speech pace we chose, not from
the seeds, and the page says it is words.

    reading_time("您好，这里是客服中心。", "zh-CN")   # ReadingTime(length=9, unit="characters", ...)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from callops.errors import InvalidInput

__all__ = ["ReadingTime", "reading_time", "LANGUAGES", "ZH_RATE", "EN_RATE", "MAX_SCRIPT_CHARS", "check_script"]

LANGUAGES = ("zh-CN", "en")
ZH_RATE = (180, 250)  # characters a minute (seed 000)
EN_RATE = (130, 160)  # words a minute (our assumption for English)
MAX_SCRIPT_CHARS = 8000
MAX_TITLE = 200
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class ReadingTime:
    length: int
    unit: str  # "characters" or "words"
    rate_low: int  # per minute: the slowest allowed pace
    rate_high: int  # the fastest
    seconds_at_high: float  # read at the fastest pace
    seconds_at_low: float  # read at the slowest


def _spoken_characters(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch)[0] in {"L", "N"})


def reading_time(text: str, language: str) -> ReadingTime:
    """The script's length (characters in Chinese, words in English) and its reading time at the allowed pace."""
    if language == "zh-CN":
        length, unit, (low, high) = _spoken_characters(text), "characters", ZH_RATE
    elif language == "en":
        length, unit, (low, high) = len(_WORD.findall(text)), "words", EN_RATE
    else:
        raise InvalidInput(f"{language!r} is not one of {', '.join(LANGUAGES)}", field="language")
    return ReadingTime(length, unit, low, high, 60.0 * length / high, 60.0 * length / low)


def check_script(title: str, body: str, language: str) -> tuple[str, str, str]:
    """A script's title, body and language, checked: InvalidInput naming the field otherwise."""
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(f"a title of 1-{MAX_TITLE} characters is required", field="title")
    body = body.strip()
    if not body or len(body) > MAX_SCRIPT_CHARS:
        raise InvalidInput(f"a script of 1-{MAX_SCRIPT_CHARS} characters is required", field="body")
    if language not in LANGUAGES:
        raise InvalidInput(f"{language!r} is not one of {', '.join(LANGUAGES)}", field="language")
    return title, body, language
