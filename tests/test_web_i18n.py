"""Message catalogs: both languages have every key, and every key the templates use exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from callops.web.i18n import LOCALES, LOCALES_DIR, load_catalogs, normalize_locale

TEMPLATES = Path(LOCALES_DIR).parent / "templates"
ROUTES = Path(LOCALES_DIR).parent / "routes"


def test_every_key_exists_in_both_catalogs() -> None:
    """zh-CN and en define the same keys, none of them empty."""
    catalogs = load_catalogs().by_locale
    assert set(catalogs["zh-CN"]) == set(catalogs["en"])
    assert all(text.strip() for locale in LOCALES for text in catalogs[locale].values())


def test_every_key_used_in_templates_and_routes_exists() -> None:
    """Each literal t("...") key and NavItem key in templates and route modules is in the catalogs."""
    keys = set(load_catalogs().by_locale["en"])
    used: set[str] = set()
    for path in [*TEMPLATES.rglob("*.html"), *ROUTES.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([A-Za-z0-9_.-]+)["']""", text))
        used |= set(re.findall(r"""NavItem\(\s*["']([A-Za-z0-9_.-]+)["']""", text))
        used |= set(re.findall(r"""description_key=["']([A-Za-z0-9_.-]+)["']""", text))
    used = {key for key in used if not key.endswith(".")}  # prefixes such as t("outcome." ~ value)
    assert used, "the scan found no keys at all"
    assert sorted(used - keys) == []


def test_enum_labels_exist() -> None:
    """Every outcome, role, direction and issue category has a label in both languages."""
    from callops.records import Direction, IssueCategory, Outcome, Role

    keys = set(load_catalogs().by_locale["zh-CN"])
    wanted = ({f"outcome.{o.value}" for o in Outcome} | {f"role.{r.value}" for r in Role}
              | {f"direction.{d.value}" for d in Direction} | {f"issue.{c.value}" for c in IssueCategory}
              | {f"lang.{code}" for code in LOCALES})
    assert sorted(wanted - keys) == []


def test_translator_fills_fields() -> None:
    """t(key, name=...) fills {name}; an unknown key comes back as itself."""
    t = load_catalogs().translator("en")
    assert t("home.welcome", name="Li") == "Welcome, Li"
    assert t("no.such.key") == "no.such.key"
    assert load_catalogs().translator("zh-CN")("nav.calls") == "通话"


def test_duplicate_keys_across_files_are_refused(tmp_path: Path) -> None:
    """Two files of one locale defining the same key stop the app at start-up."""
    (tmp_path / "core.en.json").write_text(json.dumps({"a": "A"}), encoding="utf-8")
    (tmp_path / "reports.en.json").write_text(json.dumps({"a": "B"}), encoding="utf-8")
    with pytest.raises(ValueError, match="defined already"):
        load_catalogs(tmp_path)


def test_area_files_are_merged(tmp_path: Path) -> None:
    """Files of other areas add their keys to the locale's catalog."""
    (tmp_path / "core.zh-CN.json").write_text(json.dumps({"a": "甲"}), encoding="utf-8")
    (tmp_path / "reports.zh-CN.json").write_text(json.dumps({"b": "乙"}), encoding="utf-8")
    assert dict(load_catalogs(tmp_path).by_locale["zh-CN"]) == {"a": "甲", "b": "乙"}


@pytest.mark.parametrize(("raw", "expected"), [("en-US", "en"), ("EN", "en"), ("zh", "zh-CN"), ("zh_TW", "zh-CN"),
                                               ("zh-CN", "zh-CN"), ("fr", None), ("", None), (None, None)])
def test_locale_names_are_normalized(raw: str | None, expected: str | None) -> None:
    """Browser-style locale names map onto the two supported languages, others to None."""
    assert normalize_locale(raw) == expected
