"""Recordings for evaluators, the panel and (with the right) agents: a link, or a file served safely.

A call's ``recording_ref`` is an http(s) address (shown as a link, never fetched by the server), or a
file path or ``file://`` URL. A file is served only when it resolves inside the recordings folder an
administrator configured (site setting ``qa.recordings_dir``) and is an audio file; anything else is
shown as text.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound, PermissionDenied
from callops.records import Call, Role
from callops.services.qa_access import may_reach
from callops.store.qa_library import get_setting, set_setting
from callops.store.qa_reviews import load_call
from callops.store.users import User

__all__ = ["RECORDINGS_KEY", "AUDIO_TYPES", "recording_kind", "recording_path", "check_can_hear", "set_recordings_dir",
           "call_recording_file",
           "require_file"]

RECORDINGS_KEY = "qa.recordings_dir"
AUDIO_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".oga": "audio/ogg",
               ".opus": "audio/ogg", ".m4a": "audio/mp4", ".flac": "audio/flac", ".webm": "audio/webm"}


def _as_path(ref: str) -> Path:
    if ref.startswith("file://"):
        return Path(unquote(urlparse(ref).path))
    return Path(ref)


def recording_path(conn: sa.Connection, ref: str | None) -> Path | None:
    """The audio file for ``ref`` inside the recordings folder, or None."""
    folder = get_setting(conn, RECORDINGS_KEY)
    if not ref or not folder or ref.startswith(("http://", "https://")):
        return None
    root = Path(str(folder)).resolve()
    raw = _as_path(ref)
    try:
        path = (raw if raw.is_absolute() else root / raw).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or path.suffix.lower() not in AUDIO_TYPES or not path.is_file():
        return None
    return path


def recording_kind(conn: sa.Connection, ref: str | None) -> str | None:
    """``audio`` (served here), ``link`` (an http(s) address), ``text`` (shown as is) or None."""
    if not ref:
        return None
    if ref.startswith(("http://", "https://")):
        return "link"
    return "audio" if recording_path(conn, ref) is not None else "text"


def check_can_hear(conn: sa.Connection, user: User, call: Call) -> None:
    """Staff hear every recording (a team lead those of their teams); an agent their own, and others' when
    the site grants the right."""
    reach = may_reach(conn, user, call.agent)
    if reach is None:
        raise PermissionDenied(f"the {user.role.value} role hears only the recordings of their own teams")
    if reach:
        return
    raise PermissionDenied("agents hear only their own recordings here")


def set_recordings_dir(conn: sa.Connection, user: User, folder: str | None) -> None:
    """Only an administrator names the server folder recordings are served from."""
    if user.role is not Role.ADMIN:
        raise PermissionDenied("only an administrator sets the recordings folder")
    if folder is not None:
        path = Path(folder)
        if not path.is_absolute() or not path.is_dir():
            raise InvalidInput(f"{folder!r} is not an absolute path of a folder on the server", field="recordings_dir")
    set_setting(conn, RECORDINGS_KEY, folder)


def require_file(conn: sa.Connection, call: Call) -> Path:
    path = recording_path(conn, call.recording_ref)
    if path is None:
        raise NotFound("this call has no recording file the server may serve")
    return path


def call_recording_file(conn: sa.Connection, user: User, call_pk: int) -> Path:
    """The recording file of the stored call ``call_pk``, if ``user`` may hear it and it lies in the folder."""
    call = load_call(conn, call_pk)
    check_can_hear(conn, user, call)
    return require_file(conn, call)
