"""One id convention for error messages in the templates (docs/web.md, "Error ids"): a field's error is
``err-<field>``, written only by the ``_macros.html`` macros; a form's own message is ``form-error`` or
``<form>-error``."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "callops" / "web" / "templates"
MACROS = TEMPLATES / "_macros.html"
# the older spellings: adm-<field>-error, imp-error-<field>, error-<field> (error.html's error-message is the
# error page's own text, no field's)
_OLD_FIELD_IDS = re.compile(r'id="(adm-[^"]*-error|imp-error-[^"]+|error-(?!message")[^"]+)"')
_ELEMENT = re.compile(r"<[a-z]+\b[^>]*>")


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_only_the_macros_write_a_field_error_id() -> None:
    """``err-`` ids come from ``ui.error_for`` / ``ui.field_error`` alone, so no template spells one by hand."""
    assert 'id="err-{{ field }}"' in MACROS.read_text(encoding="utf-8")
    by_hand = [path.relative_to(TEMPLATES).as_posix() for path in _templates()
               if path != MACROS and 'id="err-' in path.read_text(encoding="utf-8")]
    assert not by_hand


def test_no_template_uses_an_older_spelling() -> None:
    """No ``adm-x-error``, ``imp-error-x`` or ``error-x`` id is left, and a ``field-error`` element written outside
    the macros carries no id or a form's own ``<form>-error``."""
    assert len(_templates()) > 50
    found: list[str] = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(1)}" for m in _OLD_FIELD_IDS.finditer(text)]
        if path == MACROS:
            continue
        for element in _ELEMENT.findall(text):
            if 'class="field-error"' in element:
                element_id = re.search(r'id="([^"]*)"', element)
                if element_id and not element_id.group(1).endswith("-error"):
                    found.append(f"{path.name}: {element_id.group(1)}")
    assert not found, found


def test_the_guard_sees_an_old_spelling() -> None:
    """The pattern above catches each older spelling and leaves the convention alone."""
    for old in ('id="adm-name-error"', 'id="imp-error-zone"', 'id="error-to"'):
        assert _OLD_FIELD_IDS.search(old), old
    for new in ('id="err-name"', 'id="form-error"', 'id="calc-error"', 'id="error-message"'):
        assert not _OLD_FIELD_IDS.search(new), new
