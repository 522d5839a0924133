"""Walk a codebook.yaml node tree into Codebook values, collecting located problems.

Used by `workbench.io.codebook_yaml`; every problem carries the line of the
key or item it is about and an entry such as `dimensions[2].codes[0]`.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workbench.core.codebook import (COLOR_PATTERN, CRITERION_KINDS, FIELD_TYPES, GUID_PATTERN,
                                     ROLES,
                                     ID_PATTERN, SELECT_MODES,
                                     STAGE_KINDS, Choice, Code, Codebook, Criterion, Dimension,
                                     Field, Group, HighlightTerms, ReviewMeta, Stage)
from workbench.core.events import CONSENSUS, is_valid_reviewer
from workbench.core.screening import DECISIONS as SCREENING_DECISIONS
from workbench.errors import Problem

REVIEW_KEYS = ("title", "question", "years", "description")
YEARS_KEYS = ("from", "to")
STAGE_KEYS = ("id", "label", "kind", "reviewers", "criteria", "source",
              "exclude_needs_criterion", "description", "decisions", "pilot")
CRITERION_KEYS = ("id", "kind", "label", "description", "stages")
HIGHLIGHT_KEYS = ("include", "exclude")
DIMENSION_KEYS = ("id", "label", "description", "select", "codes", "memo_hint", "guid",
                  "color")
CODE_KEYS = ("id", "label", "description", "examples", "children", "guid", "color")
FIELD_KEYS = ("id", "label", "type", "description", "required", "unit", "min", "max",
              "choices", "ordered")
CHOICE_KEYS = ("id", "label")
GROUP_KEYS = ("id", "label", "description", "fields", "key")
TOP_KEYS = ("review", "stages", "criteria", "highlights", "dimensions", "fields", "groups",
            "renamed", "resolvers", "team")

_constructor = yaml.SafeLoader("")


def _kind(node: Node) -> str:
    return {MappingNode: "a mapping", SequenceNode: "a list"}.get(type(node), "a value")


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class Builder:
    """Builds a Codebook from a YAML node tree; `problems` collects what is wrong."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.where: dict[tuple, tuple[int, str]] = {}
        self.ids: dict[str, dict[str, int]] = {}

    # -- problems --------------------------------------------------------------

    def problem(self, node: Node | None, entry: str, message: str) -> None:
        """Record a problem at a node's line."""
        line = _line(node) if node is not None else None
        self.problems.append(Problem(self.path, line, entry or None, message))

    def add(self, locator: tuple, message: str) -> None:
        """Record a problem at a place remembered under `locator` during the walk."""
        line, entry = self.where.get(locator, self.where.get(locator[:2], (None, "")))
        self.problems.append(Problem(self.path, line, entry or None, message))

    def _remember(self, locator: tuple, node: Node, entry: str) -> None:
        self.where.setdefault(locator, (_line(node), entry))

    # -- typed readers ---------------------------------------------------------

    def mapping(self, node: Node, entry: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, tuple[Node, Node]]:
        """Return {key: (key node, value node)}, reporting unknown, duplicate and missing keys."""
        if not isinstance(node, MappingNode):
            self.problem(node, entry, f"expected a mapping of keys, found {_kind(node)}")
            return {}
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
            if key in out:
                self.problem(key_node, entry, f"duplicate key {key!r}")
            elif key not in allowed:
                match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f" (did you mean {match[0]!r}?)" if match else \
                    f" (allowed: {', '.join(allowed)})"
                self.problem(key_node, entry, f"unknown key {key!r}{hint}")
            else:
                out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.problem(node, entry, f"missing key {key!r}")
        return out

    def sequence(self, node: Node, entry: str, key: str) -> list[Node]:
        """Return the items of a list (an empty value is an empty list)."""
        if isinstance(node, ScalarNode) and node.value in ("", "~", "null"):
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, entry, f"{key!r} must be a list, found {_kind(node)}")
            return []
        return list(node.value)

    def scalar(self, node: Node, entry: str, key: str) -> Any:
        """Return the Python value of a scalar node (None when it is not a scalar)."""
        if not isinstance(node, ScalarNode):
            self.problem(node, entry, f"{key!r} must be a single value, found {_kind(node)}")
            return None
        return _constructor.construct_object(node)

    def text(self, m: dict, key: str, entry: str, default: str = "") -> str:
        """Return a text value of a mapping ("" or default when absent)."""
        if key not in m:
            return default
        value = self.scalar(m[key][1], entry, key)
        return default if value is None else str(value).strip()

    def texts(self, m: dict, key: str, entry: str) -> tuple[str, ...]:
        """Return a list of texts (a single text is accepted as a one-item list)."""
        if key not in m:
            return ()
        node = m[key][1]
        if isinstance(node, ScalarNode):
            value = self.scalar(node, entry, key)
            return () if value in (None, "") else (str(value).strip(),)
        return tuple(str(v).strip() for item in self.sequence(node, entry, key)
                     if (v := self.scalar(item, entry, key)) is not None)

    def number(self, m: dict, key: str, entry: str, integer: bool = False) -> Any:
        """Return a number (int when `integer`), or None when absent or wrong."""
        if key not in m:
            return None
        value = self.scalar(m[key][1], entry, key)
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if value is None or isinstance(value, bool) or not ok:
            what = "a whole number" if integer else "a number"
            self.problem(m[key][1], entry, f"{key!r} must be {what}, found {value!r}")
            return None
        return value

    def flag(self, m: dict, key: str, entry: str, default: bool = False) -> bool:
        """Return a true/false value."""
        if key not in m:
            return default
        value = self.scalar(m[key][1], entry, key)
        if not isinstance(value, bool):
            self.problem(m[key][1], entry, f"{key!r} must be true or false, found {value!r}")
            return default
        return value

    def one_of(self, m: dict, key: str, entry: str, options: tuple[str, ...],
               default: str) -> str:
        """Return a value that must be one of `options`."""
        value = self.text(m, key, entry, default)
        if value not in options:
            self.problem(m[key][1], entry, f"{key!r} must be one of {', '.join(options)}, "
                         f"found {value!r}")
            return default
        return value

    def ident(self, m: dict, entry: str, namespace: str, node: Node) -> str:
        """Return the `id` of an item, checking its shape and that it is unique."""
        if "id" not in m:
            return ""
        value = self.text(m, "id", entry)
        key_node = m["id"][0]
        if not ID_PATTERN.match(value):
            self.problem(key_node, entry, f"id {value!r} must start with a letter or digit and "
                         "use only letters, digits, '_', '.' or '-'")
        seen = self.ids.setdefault(namespace, {})
        if value in seen:
            self.problem(key_node, entry, f"duplicate {namespace} id {value!r} (first defined "
                         f"on line {seen[value]})")
        else:
            seen[value] = _line(key_node)
        return value

    def items(self, m: dict, key: str, entry: str, build: Callable[[Node, str], Any]) -> tuple:
        """Build every item of a list-valued key."""
        if key not in m:
            return ()
        out = []
        for i, node in enumerate(self.sequence(m[key][1], entry, key)):
            item = build(node, f"{entry + '.' if entry else ''}{key}[{i}]")
            if item is not None:
                out.append(item)
        return tuple(out)

    # -- sections --------------------------------------------------------------

    def build(self, root: Node) -> Codebook:
        """Build the whole codebook (check `problems` afterwards)."""
        top = self.mapping(root, "", TOP_KEYS, required=("stages",))
        review = self.review(top["review"][1]) if "review" in top else ReviewMeta()
        highlights = HighlightTerms()
        if "highlights" in top:
            h = self.mapping(top["highlights"][1], "highlights", HIGHLIGHT_KEYS)
            highlights = HighlightTerms(self.texts(h, "include", "highlights"),
                                        self.texts(h, "exclude", "highlights"))
        renamed: dict[str, str] = {}
        if "renamed" in top:
            node = top["renamed"][1]
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    old = str(self.scalar(key_node, "renamed", "renamed"))
                    new = self.scalar(value_node, f"renamed.{old}", old)
                    if old in renamed:
                        self.problem(key_node, "renamed", f"duplicate key {old!r}")
                    renamed[old] = "" if new is None else str(new)
                    self._remember(("renamed", old), key_node, "renamed")
            elif not (isinstance(node, ScalarNode) and node.value in ("", "~", "null")):
                self.problem(node, "renamed", "'renamed' must map old code ids to new ones")
        return Codebook(
            review=review,
            stages=self.items(top, "stages", "", self.stage),
            criteria=self.items(top, "criteria", "", self.criterion),
            highlights=highlights,
            dimensions=self.items(top, "dimensions", "", self.dimension),
            fields=self.items(top, "fields", "", lambda n, e: self.field(n, e, "field")),
            groups=self.items(top, "groups", "", self.group),
            renamed=renamed,
            resolvers=self.texts(top, "resolvers", "resolvers"),
            team=self.team(top))

    def team(self, top: dict) -> dict[str, tuple[str, ...]]:
        """Return `team:` as {reviewer: roles}, each role one of ROLES."""
        if "team" not in top:
            return {}
        node = top["team"][1]
        if isinstance(node, ScalarNode) and node.value in ("", "~", "null"):
            return {}
        if not isinstance(node, MappingNode):
            self.problem(node, "team", "'team' must map reviewer names to their roles "
                         f"({', '.join(ROLES)})")
            return {}
        team: dict[str, tuple[str, ...]] = {}
        for key_node, value_node in node.value:
            name = str(self.scalar(key_node, "team", "team"))
            entry = f"team.{name}"
            if not is_valid_reviewer(name) or name == CONSENSUS:
                self.problem(key_node, "team", f"{name!r} is not a valid reviewer name "
                             "(letters, digits, _ . -)")
                continue
            if name in team:
                self.problem(key_node, "team", f"duplicate reviewer {name!r}")
            roles = self.texts({"roles": (key_node, value_node)}, "roles", entry)
            for role in roles:
                if role not in ROLES:
                    close = difflib.get_close_matches(role, ROLES, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    self.problem(value_node, entry, f"unknown role {role!r}{hint}; roles are "
                                 f"{', '.join(ROLES)}")
            team[name] = tuple(r for r in roles if r in ROLES)
        return team

    def review(self, node: Node) -> ReviewMeta:
        m = self.mapping(node, "review", REVIEW_KEYS)
        year_from = year_to = None
        if "years" in m:
            y = self.mapping(m["years"][1], "review.years", YEARS_KEYS)
            year_from = self.number(y, "from", "review.years", integer=True)
            year_to = self.number(y, "to", "review.years", integer=True)
            if year_from is not None and year_to is not None and year_from > year_to:
                self.problem(m["years"][0], "review.years",
                             f"'from' ({year_from}) is after 'to' ({year_to})")
        return ReviewMeta(self.text(m, "title", "review"), self.text(m, "question", "review"),
                          year_from, year_to, self.text(m, "description", "review"))

    def stage(self, node: Node, entry: str) -> Stage:
        m = self.mapping(node, entry, STAGE_KEYS, required=("id", "kind"))
        sid = self.ident(m, entry, "stage", node)
        entry_id = f"{entry} ({sid})" if sid else entry
        self._remember(("stage", sid), node, entry_id)
        for key in ("criteria", "source"):
            if key in m:
                self._remember(("stage", sid, key), m[key][0], entry_id)
        reviewers = self.number(m, "reviewers", entry_id, integer=True)
        if reviewers is not None and reviewers < 1:
            self.problem(m["reviewers"][1], entry_id, f"'reviewers' must be 1 or more, "
                         f"found {reviewers}")
        return Stage(id=sid, label=self.text(m, "label", entry_id, sid),
                     kind=self.one_of(m, "kind", entry_id, STAGE_KINDS, "screening"),
                     reviewers=reviewers if reviewers and reviewers > 0 else 1,
                     criteria=self.texts(m, "criteria", entry_id),
                     source=self.text(m, "source", entry_id),
                     exclude_needs_criterion=self.flag(m, "exclude_needs_criterion", entry_id),
                     description=self.text(m, "description", entry_id),
                     decisions=self.decisions(m, entry_id),
                     pilot=self.pilot(m, entry_id))

    def pilot(self, m: dict, entry: str) -> int:
        """Return a stage's `pilot:` size (a whole number, 0 or more)."""
        size = self.number(m, "pilot", entry, integer=True)
        if size is not None and size < 0:
            self.problem(m["pilot"][1], entry, f"'pilot' must be 0 or more, found {size}")
            return 0
        return size or 0

    def decisions(self, m: dict, entry: str) -> tuple[str, ...]:
        """Return a stage's `decisions:` list (screening decisions it offers), checked."""
        if "decisions" not in m:
            return ()
        values = self.texts(m, "decisions", entry)
        node = m["decisions"][1]
        bad = [v for v in values if v not in SCREENING_DECISIONS]
        if bad:
            self.problem(node, entry, f"unknown decision {bad[0]!r} in 'decisions' (use "
                         f"{', '.join(SCREENING_DECISIONS)})")
        elif len(set(values)) != len(values):
            self.problem(node, entry, "'decisions' lists a decision twice")
        elif not {"include", "exclude"} <= set(values):
            self.problem(node, entry, "'decisions' must offer at least include and exclude")
        elif self.text(m, "kind", entry, "screening") != "screening":
            self.problem(m["decisions"][0], entry, "'decisions' only applies to screening stages")
        else:
            return values
        return ()

    def criterion(self, node: Node, entry: str) -> Criterion:
        m = self.mapping(node, entry, CRITERION_KEYS, required=("id", "kind", "label"))
        cid = self.ident(m, entry, "criterion", node)
        entry_id = f"{entry} ({cid})" if cid else entry
        self._remember(("criterion", cid), node, entry_id)
        if "stages" in m:
            self._remember(("criterion", cid, "stages"), m["stages"][0], entry_id)
        return Criterion(id=cid, kind=self.one_of(m, "kind", entry_id, CRITERION_KINDS,
                                                  "include"),
                         label=self.text(m, "label", entry_id),
                         description=self.text(m, "description", entry_id),
                         stages=self.texts(m, "stages", entry_id))

    def dimension(self, node: Node, entry: str) -> Dimension:
        m = self.mapping(node, entry, DIMENSION_KEYS, required=("id", "label"))
        did = self.ident(m, entry, "dimension", node)
        entry_id = f"{entry} ({did})" if did else entry
        return Dimension(id=did, label=self.text(m, "label", entry_id),
                         description=self.text(m, "description", entry_id),
                         select=self.one_of(m, "select", entry_id, SELECT_MODES, "multi"),
                         codes=self.items(m, "codes", entry, self.code),
                         memo_hint=self.text(m, "memo_hint", entry_id),
                         guid=self.guid(m, entry_id), color=self.color(m, entry_id))

    def code(self, node: Node, entry: str) -> Code:
        m = self.mapping(node, entry, CODE_KEYS, required=("id", "label"))
        cid = self.ident(m, entry, "code", node)
        entry_id = f"{entry} ({cid})" if cid else entry
        return Code(id=cid, label=self.text(m, "label", entry_id),
                    description=self.text(m, "description", entry_id),
                    examples=self.texts(m, "examples", entry_id),
                    children=self.items(m, "children", entry, self.code),
                    guid=self.guid(m, entry_id), color=self.color(m, entry_id))

    def guid(self, m: dict, entry: str) -> str:
        """Return a REFI-QDA GUID kept from an import ("" when absent), checking its shape."""
        value = self.text(m, "guid", entry)
        if value and not GUID_PATTERN.match(value):
            self.problem(m["guid"][1], entry, f"'guid' {value!r} is not a GUID like "
                         "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
            return ""
        return value

    def color(self, m: dict, entry: str) -> str:
        """Return a colour (#RRGGBB or #RGB; "" when absent), checking its shape."""
        value = self.text(m, "color", entry)
        if value and not COLOR_PATTERN.match(value):
            self.problem(m["color"][1], entry, f"'color' {value!r} is not a colour like #1f77b4")
            return ""
        return value

    def field(self, node: Node, entry: str, namespace: str) -> Field:
        m = self.mapping(node, entry, FIELD_KEYS, required=("id", "label", "type"))
        fid = self.ident(m, entry, namespace, node)
        entry_id = f"{entry} ({fid})" if fid else entry
        ftype = self.one_of(m, "type", entry_id, FIELD_TYPES, "text")
        low = self.number(m, "min", entry_id)
        high = self.number(m, "max", entry_id)
        for key in ("min", "max", "unit"):
            if key in m and ftype not in ("integer", "number"):
                self.problem(m[key][0], entry_id, f"{key!r} only applies to integer and number "
                             f"fields, not {ftype}")
        if low is not None and high is not None and low > high:
            self.problem(m["min"][0], entry_id, f"min ({low:g}) is greater than max ({high:g})")
        choices: list[Choice] = []
        if "choices" in m:
            if ftype not in ("choice", "multi_choice"):
                self.problem(m["choices"][0], entry_id, f"'choices' only applies to choice and "
                             f"multi_choice fields, not {ftype}")
            seen: set[str] = set()
            for i, item in enumerate(self.sequence(m["choices"][1], entry_id, "choices")):
                where = f"{entry_id}.choices[{i}]"
                if isinstance(item, MappingNode):
                    c = self.mapping(item, where, CHOICE_KEYS, required=("id",))
                    cid = self.text(c, "id", where)
                    label = self.text(c, "label", where, cid)
                else:
                    cid = str(self.scalar(item, where, "choices") or "").strip()
                    label = cid
                if cid in seen:
                    self.problem(item, where, f"duplicate choice id {cid!r}")
                elif cid and not ID_PATTERN.match(cid):
                    self.problem(item, where, f"choice id {cid!r} must start with a letter or "
                                 "digit and use only letters, digits, '_', '.' or '-'")
                seen.add(cid)
                choices.append(Choice(cid, label))
        elif ftype in ("choice", "multi_choice"):
            self.problem(node, entry_id, f"missing key 'choices' (a {ftype} field needs them)")
        ordered = self.flag(m, "ordered", entry_id)
        if ordered and ftype != "choice":
            self.problem(m["ordered"][0], entry_id, f"'ordered' only applies to choice fields "
                         f"(a scale in the order of its choices), not {ftype}")
            ordered = False
        return Field(id=fid, label=self.text(m, "label", entry_id), type=ftype,
                     description=self.text(m, "description", entry_id),
                     required=self.flag(m, "required", entry_id),
                     unit=self.text(m, "unit", entry_id),
                     minimum=low, maximum=high, choices=tuple(choices), ordered=ordered)

    def group(self, node: Node, entry: str) -> Group:
        m = self.mapping(node, entry, GROUP_KEYS, required=("id", "label", "fields"))
        gid = self.ident(m, entry, "group", node)
        entry_id = f"{entry} ({gid})" if gid else entry
        fields = self.items(m, "fields", entry, lambda n, e: self.field(n, e, f"{gid} field"))
        key = self.text(m, "key", entry_id)
        if key and key not in {f.id for f in fields}:
            self.problem(m["key"][1], entry_id, f"'key' {key!r} is not one of the group's "
                         f"fields ({', '.join(f.id for f in fields) or 'none'})")
            key = ""
        return Group(id=gid, label=self.text(m, "label", entry_id),
                     description=self.text(m, "description", entry_id),
                     fields=fields, key=key)
