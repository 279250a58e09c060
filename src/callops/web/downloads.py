"""``Content-Disposition`` for downloads whose names may hold any text (scenario ``场景1``, rule ``一月``).

    attachment("callops-kpi-场景1.csv")
    -> {"Content-Disposition": "attachment; filename=\"callops-kpi-_.csv\"; filename*=UTF-8''callops-kpi-%E5..."}

The plain ``filename`` keeps only safe ASCII (others become ``_``) for old clients; ``filename*`` (RFC 6266 /
RFC 5987) carries the exact name. Quotes, backslashes and control characters never reach the header.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["attachment"]

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._()\-]")


def attachment(filename: str) -> dict[str, str]:
    cleaned = "".join(ch for ch in filename if ch.isprintable() and ch not in '"\\/')[:200] or "download"
    fallback = _UNSAFE_ASCII.sub("_", cleaned)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"}
