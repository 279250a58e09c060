"""The terms of the knowledge scripts' full-text index: each pair of adjacent letters or digits (a character
bigram), lower-cased.

Chinese has no spaces between words, and the words an agent searches for are mostly two characters (账单, 退款,
投诉). A word index cannot split such text into words (PostgreSQL's ``simple`` configuration keeps a whole run
of Chinese as one word), and a trigram index (``pg_trgm``, SQLite FTS5's ``trigram`` tokenizer) cannot look up
fewer than three characters: it scans. Bigrams serve both scripts alike: a word of two or more characters that
occurs in a text has all its bigrams in that text's terms, so asking the index for the scripts holding every
bigram of every word misses no script that contains the words; the exact ``LIKE`` check that follows drops the
few that hold the bigrams without the word. A one-character word has no bigram and is checked by ``LIKE`` only.

    index_terms("退款申请", "Refund")   # 'ef fu nd re un 申请 款申 退款'
    query_terms(["退款", "REFUND"])      # ['ef', 'fu', 'nd', 're', 'un', '退款']
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["bigrams", "index_terms", "query_terms"]


def _fold(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch  # a letter whose lower case is two characters stays as it is


def bigrams(text: str) -> set[str]:
    """Each pair of adjacent letters or digits in ``text``, lower-cased; anything else separates."""
    found: set[str] = set()
    prev = ""
    for ch in text:
        if ch.isalnum():
            folded = _fold(ch)
            if prev:
                found.add(prev + folded)
            prev = folded
        else:
            prev = ""
    return found


def index_terms(*texts: str) -> str:
    """The terms stored for a script: the bigrams of each of ``texts`` (title, body), sorted, space-separated."""
    terms: set[str] = set()
    for text in texts:
        terms |= bigrams(text)
    return " ".join(sorted(terms))


def query_terms(words: Iterable[str]) -> list[str]:
    """The bigrams a script must hold to possibly contain every one of ``words`` (empty: the index cannot help)."""
    terms: set[str] = set()
    for word in words:
        terms |= bigrams(word)
    return sorted(terms)
