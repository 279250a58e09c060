"""YAML from users, loaded without aliases: a few hundred bytes of ``&a``/``*a`` cannot expand to gigabytes.

    load_yaml(text, file="scenario.yaml")   # like yaml.safe_load, but InvalidInput for any alias or merge key
    load_yaml(text, max_bytes=64_000)       # and a smaller bound for settings files (policies, journeys, rules)

A "billion laughs" document nests aliases so that each level repeats the one below; ``yaml.safe_load`` builds
the full expansion (the review measured a 209-byte scenario taking 800 MB). Our files (scenarios, scorecards,
sampling rules, import mappings, contact policies, journeys, work rules) never need aliases, so the loader
refuses the first one it meets, naming its line, before anything is built. Anchors alone are harmless and allowed.
This is the one loader of YAML typed or uploaded by users.
"""

from __future__ import annotations

from typing import Any

import yaml

from callops.errors import InvalidInput

__all__ = ["MAX_YAML_CHARS", "load_yaml", "yaml_problem"]

MAX_YAML_CHARS = 2_000_000


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise InvalidInput(f"YAML aliases (*{event.anchor}) are not accepted: write the value out",
                               line=event.start_mark.line + 1)
        return super().compose_node(parent, index)


def load_yaml(text: str, *, file: str | None = None, max_bytes: int | None = None) -> Any:
    """The document in ``text``; ``InvalidInput`` naming the file (and line) for bad YAML, aliases or size (at
    most ``max_bytes`` of UTF-8 when given, and never over MAX_YAML_CHARS characters)."""
    if len(text) > MAX_YAML_CHARS:
        raise InvalidInput(f"the YAML text has {len(text):,} characters; the limit is {MAX_YAML_CHARS:,}", file=file)
    if max_bytes is not None and len(text.encode("utf-8")) > max_bytes:
        raise InvalidInput(f"larger than {max_bytes:,} bytes", file=file)
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader that also refuses aliases
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, file=file, line=exc.line) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvalidInput(f"not valid YAML: {getattr(exc, 'problem', None) or exc}", file=file,
                           line=mark.line + 1 if mark is not None else None) from exc


def yaml_problem(exc: InvalidInput) -> str:
    """``load_yaml``'s refusal as one line for errors of their own (a policy's, a journey's): reason and line."""
    return exc.reason if exc.line is None else f"{exc.reason} (line {exc.line})"
