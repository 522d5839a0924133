"""The review protocol as values: stages, criteria, highlight terms, framework, fields.

`workbench.io.codebook_yaml.load_codebook` builds a `Codebook` from codebook.yaml
(and reports errors with file, line and key); this module holds the dataclasses,
the lookups the screens and exports use, the content-hash `codebook_version`,
and `compile_highlights`, which turns highlight terms into one regex.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

#: Stage kinds.
SCREENING = "screening"
CODING = "coding"
STAGE_KINDS = (SCREENING, CODING)

#: Criterion kinds.
INCLUDE = "include"
EXCLUDE = "exclude"
CRITERION_KINDS = (INCLUDE, EXCLUDE)

#: Extraction field types.
FIELD_TYPES = ("text", "long_text", "integer", "number", "choice", "multi_choice",
               "date", "boolean")

#: Roles a team member can have (`team:` in the codebook).
ROLES = ("screen", "code", "resolve")

#: Dimension selection modes.
SELECT_MODES = ("single", "multi")

#: Ids (stages, criteria, dimensions, codes, fields, groups, choices).
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: A GUID as REFI-QDA writes it (either case, optionally in braces).
GUID_PATTERN = re.compile(r"^(?:[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
                          r"|\{[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\})$")
#: A colour as REFI-QDA writes it: #RRGGBB or #RGB.
COLOR_PATTERN = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


@dataclass(frozen=True)
class ReviewMeta:
    """The review's title, question and the publication years it covers."""

    title: str = ""
    question: str = ""
    year_from: int | None = None
    year_to: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Stage:
    """One step where people decide: a screening stage or a coding stage.

    `reviewers` is how many independent reviewers each study needs.
    `criteria` are the criterion ids shown at this stage. `source` names the
    stage whose included studies come here (e.g. "full_text" for coding; ""
    for the first stage, which sees every study). `exclude_needs_criterion`
    makes an exclusion without a criterion id an error.
    """

    id: str
    label: str = ""
    kind: str = SCREENING
    reviewers: int = 2
    criteria: tuple[str, ...] = ()
    source: str = ""
    exclude_needs_criterion: bool = False
    description: str = ""
    #: The screening decisions this stage offers, when the codebook lists them
    #: (`decisions: [include, exclude]` makes a binary stage); empty = the default.
    decisions: tuple[str, ...] = ()
    #: A calibration round: the first `pilot` studies of the stage are shown first to
    #: everyone who screens, and their agreement is reported before the rest (0 = none).
    pilot: int = 0

    def offered_decisions(self) -> tuple[str, ...]:
        """Return the screening decisions a coder can give at this stage, in order.

        The codebook's `decisions:` list when it has one; otherwise include,
        exclude and maybe, plus not_retrieved at a stage fed by another one
        (a first stage has no full text to retrieve). Agreement statistics
        that depend on the number of categories (AC1, PABAK) use this.
        """
        if self.decisions:
            return self.decisions
        base = ("include", "exclude", "maybe")
        return base + ("not_retrieved",) if self.source else base


@dataclass(frozen=True)
class Criterion:
    """An inclusion (I1..) or exclusion (E1..) criterion and the stages it applies to."""

    id: str
    kind: str
    label: str
    description: str = ""
    stages: tuple[str, ...] = ()


@dataclass(frozen=True)
class HighlightTerms:
    """Words to highlight while screening: `include` terms and `exclude` terms.

    Terms are words or phrases; `*` is a wildcard for any word characters
    (`activis*` matches activism, activist, activists).
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Code:
    """One code of a dimension; `children` nest codes under it."""

    id: str
    label: str
    description: str = ""
    examples: tuple[str, ...] = ()
    children: tuple["Code", ...] = ()
    #: A GUID another QDA tool gave the code (kept from a REFI-QDA import so it
    #: survives a round trip); "" = derived from the id (`workbench.io.refi`).
    guid: str = ""
    #: The code's colour (#RRGGBB) from a REFI-QDA import; "" = none.
    color: str = ""

    def walk(self) -> Iterator["Code"]:
        """Yield this code and all its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Dimension:
    """A theme of the framework: its codes and whether one or several may be chosen."""

    id: str
    label: str
    description: str = ""
    select: str = "multi"
    codes: tuple[Code, ...] = ()
    #: The memo dialog's placeholder for this dimension ("" = a neutral one).
    memo_hint: str = ""
    #: As Code.guid and Code.color: kept from a REFI-QDA import.
    guid: str = ""
    color: str = ""

    def all_codes(self) -> list[Code]:
        """Return every code of the dimension, nested ones included, in order."""
        return [c for top in self.codes for c in top.walk()]


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice or multi_choice field."""

    id: str
    label: str


@dataclass(frozen=True)
class Field:
    """A typed extraction field.

    `type` is one of FIELD_TYPES. `minimum`/`maximum` bound integer and
    number fields; `unit` labels them. `choices` list the allowed values of
    choice and multi_choice fields. "" in a sheet means NA (not reported),
    which is distinct from "0".
    """

    id: str
    label: str
    type: str = "text"
    description: str = ""
    required: bool = False
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Choice, ...] = ()
    #: A choice field whose choices are a scale in the listed order (a Likert
    #: rating, risk of bias low < some concerns < high): `ordered: true`.
    ordered: bool = False

    def choice_ids(self) -> tuple[str, ...]:
        """Return the ids of the allowed choices."""
        return tuple(c.id for c in self.choices)


@dataclass(frozen=True)
class Group:
    """A repeatable group of fields (a study may report several campaigns).

    `key` names the field that identifies a row across coders (the campaign
    name): coders' rows are matched on it (`workbench.core.group_rows`). When
    the codebook names none, the first required text field is the key, else
    the first text field, else the first field.
    """

    id: str
    label: str
    description: str = ""
    fields: tuple[Field, ...] = ()
    key: str = ""

    def field(self, field_id: str) -> Field | None:
        """Return the group's field with this id, or None."""
        return next((f for f in self.fields if f.id == field_id), None)

    def key_field(self) -> str:
        """Return the id of the field rows are matched on ("" for a group without fields)."""
        if self.key:
            return self.key
        texts = [f for f in self.fields if f.type == "text"]
        chosen = next((f for f in texts if f.required), texts[0] if texts else None)
        if chosen is None and self.fields:
            chosen = self.fields[0]
        return chosen.id if chosen else ""


@dataclass(frozen=True)
class Codebook:
    """The whole protocol. Build it with `workbench.io.codebook_yaml.load_codebook`.

    `renamed` maps old code ids to new ones so decisions made under an older
    codebook carry over. `version` is `codebook_version` of the content.
    """

    review: ReviewMeta = field(default_factory=ReviewMeta)
    stages: tuple[Stage, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    highlights: HighlightTerms = field(default_factory=HighlightTerms)
    dimensions: tuple[Dimension, ...] = ()
    fields: tuple[Field, ...] = ()
    groups: tuple[Group, ...] = ()
    renamed: Mapping[str, str] = field(default_factory=dict)
    version: str = ""
    path: str = ""
    #: Who resolves conflicts (`resolvers: [carol]`); empty = anyone. Anyone not
    #: listed, and anyone resolving a conflict they took part in, is asked to
    #: confirm first (`workbench.review.resolving.resolver_warning`).
    resolvers: tuple[str, ...] = ()
    #: The team and its roles (`team: {alice: [screen, code], carol: [resolve]}`);
    #: empty = no roles declared, anyone may do anything.
    team: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def may(self, reviewer: str, role: str) -> bool:
        """Return True when `reviewer` has `role` (screen, code, resolve), or no team is declared."""
        if not self.team:
            return True
        return role in self.team.get(reviewer, ())

    def resolver_names(self) -> tuple[str, ...]:
        """Return who resolves conflicts: `resolvers:` and team members with the resolve role."""
        return tuple(dict.fromkeys((*self.resolvers, *self.members("resolve"))))

    def members(self, role: str) -> tuple[str, ...]:
        """Return the team members with a role, in codebook order (empty when no team)."""
        return tuple(name for name, roles in self.team.items() if role in roles)

    def stage(self, stage_id: str) -> Stage | None:
        """Return the stage with this id, or None."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def criterion(self, criterion_id: str) -> Criterion | None:
        """Return the criterion with this id, or None."""
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def stage_criteria(self, stage_id: str) -> list[Criterion]:
        """Return the criteria that apply at a stage, in codebook order."""
        stage = self.stage(stage_id)
        wanted = set(stage.criteria) if stage else set()
        return [c for c in self.criteria if c.id in wanted or stage_id in c.stages]

    def dimension(self, dimension_id: str) -> Dimension | None:
        """Return the dimension with this id, or None."""
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    def field(self, field_id: str) -> Field | None:
        """Return the (non-group) extraction field with this id, or None."""
        return next((f for f in self.fields if f.id == field_id), None)

    def group(self, group_id: str) -> Group | None:
        """Return the repeatable group with this id, or None."""
        return next((g for g in self.groups if g.id == group_id), None)

    def code_index(self) -> dict[str, tuple[Dimension, Code]]:
        """Return {code id: (dimension, code)} for every code of every dimension."""
        return {c.id: (d, c) for d in self.dimensions for c in d.all_codes()}

    def resolve_code(self, code_id: str) -> str:
        """Return the current id of a code, following `renamed` (chains allowed)."""
        if code_id not in self.renamed:   # nearly always: no set for the chain
            return code_id
        seen = {code_id}
        while code_id in self.renamed:
            code_id = self.renamed[code_id]
            if code_id in seen:
                break
            seen.add(code_id)
        return code_id

    def screening_stages(self) -> list[Stage]:
        """Return the screening stages in order."""
        return [s for s in self.stages if s.kind == SCREENING]

    def coding_stages(self) -> list[Stage]:
        """Return the coding stages in order."""
        return [s for s in self.stages if s.kind == CODING]


def codebook_version(data: Any) -> str:
    """Return a short content hash of a parsed codebook (comments and layout ignored).

    Args:
        data: the codebook as plain data (the YAML document as dicts and lists).

    Returns:
        12 hex characters; equal content gives the same version on every machine.
    """
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def term_pattern(term: str) -> str:
    """Return the regex source for one highlight term (words, phrases, `*` wildcards)."""
    words = term.split()
    parts = []
    for word in words:
        pieces = [re.escape(p) for p in word.split("*")]
        parts.append(r"\w*".join(pieces))
    body = r"\s+".join(parts)
    start = r"\b" if words and not words[0].startswith("*") else ""
    end = r"\b" if words and not words[-1].endswith("*") else ""
    return start + body + end


@dataclass(frozen=True)
class HighlightMatcher:
    """A compiled highlight matcher: `spans(text)` finds include and exclude terms."""

    pattern: re.Pattern[str] | None

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, "include"|"exclude") for every match, in text order."""
        if self.pattern is None or not text:
            return []
        return [(m.start(), m.end(), m.lastgroup or INCLUDE)
                for m in self.pattern.finditer(text)]


def compile_highlights(terms: HighlightTerms) -> HighlightMatcher:
    """Compile highlight terms to one case-insensitive regex.

    Longer terms are tried first so a phrase wins over a word inside it; when a
    term is in both lists the exclude list wins.

    Args:
        terms: the codebook's highlight terms.

    Returns:
        A HighlightMatcher; its `spans` are empty when there are no terms.
    """
    exclude = [t for t in terms.exclude if t.strip()]
    include = [t for t in terms.include if t.strip() and t not in exclude]
    if not include and not exclude:
        return HighlightMatcher(None)

    def alternation(items: list[str]) -> str:
        items = sorted(set(items), key=lambda t: (-len(t), t))
        return "|".join(term_pattern(t) for t in items)

    groups = []
    if exclude:
        groups.append(f"(?P<exclude>{alternation(exclude)})")
    if include:
        groups.append(f"(?P<include>{alternation(include)})")
    return HighlightMatcher(re.compile("|".join(groups), re.IGNORECASE))
