"""The desk's category tree: site-wide, two levels, labels in English and zh-CN.

Each node has a *kind*, one of the six fixed :class:`~callops.desk.tickets.Category` values of seed 003: SLAs,
complaint escalation and the ticket KPIs count by kind, so a new top-level category names its kind and a
second-level one takes its parent's. Nodes are never deleted: a retired node is no longer offered on forms, but
tickets and contacts filed under it keep it (and its labels).

    tree = CategoryTree(DEFAULT_NODES)
    tree.check_new(NewCategory(key="billing_dispute", parent="complaint", label_en="Billing", label_zh="账单争议"))
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from callops.desk.tickets import Category, parse_choice
from callops.errors import InvalidInput

__all__ = ["CategoryNode", "NewCategory", "CategoryTree", "DEFAULT_NODES", "MAX_CATEGORIES", "check_label"]

MAX_CATEGORIES = 500  # nodes a site may have: bounds every form's option list
MAX_LABEL = 80
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True, slots=True)
class CategoryNode:
    key: str
    parent: str | None
    kind: Category
    label_en: str
    label_zh: str
    sort: int = 0
    retired: bool = False

    def label(self, locale: str) -> str:
        """The label in ``locale`` (zh-CN, else English)."""
        return self.label_zh if locale.lower().startswith("zh") else self.label_en


DEFAULT_NODES: tuple[CategoryNode, ...] = (
    CategoryNode("inquiry", None, Category.INQUIRY, "Inquiry", "咨询", 0),
    CategoryNode("complaint", None, Category.COMPLAINT, "Complaint", "投诉", 10),
    CategoryNode("suggestion", None, Category.SUGGESTION, "Suggestion", "建议", 20),
    CategoryNode("repair_order", None, Category.REPAIR_ORDER, "Repair / order", "报修/订单", 30),
    CategoryNode("transfer", None, Category.TRANSFER, "Transfer", "转接", 40),
    CategoryNode("other", None, Category.OTHER, "Other", "其他", 50),
)


def check_label(text: str, *, field: str) -> str:
    """A label of 1-80 characters, trimmed; else InvalidInput naming ``field``."""
    value = " ".join(text.split())
    if not value or len(value) > MAX_LABEL:
        raise InvalidInput(f"a label of 1-{MAX_LABEL} characters is required", field=field)
    return value


@dataclass(frozen=True, slots=True)
class NewCategory:
    """What the admin form gives for a new node: ``kind`` only for a top-level one (a child takes its parent's)."""

    key: str
    label_en: str
    label_zh: str
    parent: str | None = None
    kind: str | None = None


class CategoryTree:
    """The nodes of a site, checked together: at most two levels, keys unique, children of a live top level."""

    def __init__(self, nodes: Iterable[CategoryNode]) -> None:
        self.nodes = {n.key: n for n in nodes}

    def get(self, key: str, *, field: str = "category") -> CategoryNode:
        """The node ``key``; InvalidInput naming ``field`` when there is none."""
        node = self.nodes.get(key.strip().lower().replace(" ", "_").replace("-", "_"))
        if node is None:
            raise InvalidInput(f"{key!r} is not a category; known: {', '.join(sorted(self.nodes))}", field=field)
        return node

    def choose(self, key: str, *, field: str = "category") -> CategoryNode:
        """The node an agent files a contact under: it must exist and not be retired (nor its parent)."""
        node = self.get(key, field=field)
        parent = self.nodes.get(node.parent) if node.parent else None
        if node.retired or (parent is not None and parent.retired):
            raise InvalidInput(f"category {node.key!r} is retired: choose another", field=field)
        return node

    def ordered(self, *, include_retired: bool = False) -> list[CategoryNode]:
        """Top-level nodes by sort then key, each followed by its children (retired ones left out unless asked)."""
        live = [n for n in self.nodes.values() if include_retired or not n.retired]
        tops = sorted((n for n in live if n.parent is None), key=lambda n: (n.sort, n.key))
        out: list[CategoryNode] = []
        for top in tops:
            out.append(top)
            out += sorted((n for n in live if n.parent == top.key), key=lambda n: (n.sort, n.key))
        return out

    def check_new(self, new: NewCategory) -> CategoryNode:
        """The node ``new`` describes, checked against the tree; InvalidInput naming the field otherwise."""
        key = new.key.strip().lower()
        if not _KEY.match(key):
            raise InvalidInput(f"{new.key!r}: 2-40 characters a-z, 0-9 and _, starting with a letter", field="key")
        if key in self.nodes:
            raise InvalidInput(f"category {key!r} already exists", field="key")
        if len(self.nodes) >= MAX_CATEGORIES:
            raise InvalidInput(f"a site has at most {MAX_CATEGORIES} categories", field="key")
        label_en = check_label(new.label_en, field="label_en")
        label_zh = check_label(new.label_zh, field="label_zh")
        parent_key = (new.parent or "").strip().lower() or None
        if parent_key is None:
            if not new.kind:
                raise InvalidInput(f"a top-level category needs a kind: {', '.join(c.value for c in Category)}",
                                   field="kind")
            kind = parse_choice(Category, new.kind, field="kind")
            sort = max((n.sort for n in self.nodes.values() if n.parent is None), default=0) + 10
            return CategoryNode(key, None, kind, label_en, label_zh, sort)
        parent = self.get(parent_key, field="parent")
        if parent.parent is not None:
            raise InvalidInput(f"{parent.key!r} is itself under {parent.parent!r}: the tree has two levels",
                               field="parent")
        if parent.retired:
            raise InvalidInput(f"{parent.key!r} is retired", field="parent")
        if new.kind and parse_choice(Category, new.kind, field="kind") is not parent.kind:
            raise InvalidInput(f"a second-level category has its parent's kind ({parent.kind.value})", field="kind")
        sort = max((n.sort for n in self.nodes.values() if n.parent == parent.key), default=0) + 10
        return CategoryNode(key, parent.key, parent.kind, label_en, label_zh, sort)
