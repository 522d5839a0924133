"""Team sync through git: commit my files, bring in the others', send mine.

A review folder keeps every decision in append-only, per-reviewer files, so
git carries a team's work without conflicts: each reviewer commits only
their own files. `sync_review` runs the git command line (the `git` program
the user already has, with their remotes, credentials and SSH set-up; no
library re-implements those as faithfully), in this order:

1. refuse, changing nothing, when shared files (codebook.yaml, references/,
   another reviewer's sheet) have uncommitted edits: those need a person;
2. commit the reviewer's own files (their sheet, duplicate answers,
   full-text links, kept codebook copies);
3. fetch and rebase onto the remote branch; a conflict aborts the rebase
   (the local commit stays, nothing is lost) and is reported;
4. push; report what came in per reviewer ("bob: 212 new decisions").

Offline (the fetch fails), the commit is kept and the next sync sends it.
`.gitattributes` (written by `workbench init --git`) marks the sheets
`merge=union`: the consensus sheet is shared by resolvers, and a union keeps
both sides' appended lines. A review put in git by hand has no such file, so
before it rebases, sync writes the same lines for the review's sheets to the
clone's own `info/attributes` (never committed, read by git like
.gitattributes).
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core import stopping
from workbench.core.events import CONSENSUS, is_valid_reviewer
from workbench.errors import ReviewError

log = logging.getLogger(__name__)

#: git's empty tree: what a branch with no upstream is compared against.
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

#: Lines of .gitattributes that make git keep both sides of appended sheet lines, and
#: the exports in references/ byte for byte (their SHA-256 names their records: a clone
#: converting line ends, core.autocrlf on Windows, would hold other bytes).
GITATTRIBUTES = ("coding/*.csv merge=union\n"
                 "coding/duplicates/*.csv merge=union\n"
                 "coding/fulltext/*.csv merge=union\n"
                 "references/* -text\n")

__all__ = ["SyncReport", "sync_review", "init_git", "own_files", "GITATTRIBUTES"]


class SyncError(ReviewError):
    """Sync refused or failed; the message says what was kept and what to do."""


@dataclass(frozen=True)
class SyncReport:
    """What a sync did: what was committed and sent, what came in, the open conflicts after it."""

    reviewer: str
    committed: int = 0
    sent: int = 0
    incoming: dict[str, int] = field(default_factory=dict)
    pushed: bool = False
    offline: str = ""
    conflicts_before: int = 0
    conflicts_after: int = 0

    def lines(self) -> list[str]:
        """Return the report in words, one line each."""
        if not self.committed and not self.sent and not self.offline:
            out = ["nothing new of yours to send"]     # not "committed: 0 ... sent: 0 ..."
        else:
            out = [f"committed: {_n(self.committed, 'new decision')} of yours"]
            if self.pushed:
                out.append(f"sent: {_n(self.sent, 'decision')}")
        if self.offline:
            out.append(f"offline: {self.offline}; your work is committed here and the next "
                       "sync sends it")
        for who, n in sorted(self.incoming.items()):
            out.append(f"{who}: {_n(n, 'new decision')}")
        if not self.incoming and not self.offline:
            out.append("nothing new from the others")
        new = self.conflicts_after - self.conflicts_before
        if new > 0:
            out.append(f"{new} new conflict{'s' if new != 1 else ''} "
                       f"({self.conflicts_after} open; see `workbench conflicts`)")
        return out


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _git(root: Path, *args: str, check: bool = True, timeout: float = 120
         ) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              env=env, timeout=timeout)
    except FileNotFoundError as exc:
        raise SyncError("git is not installed", hint="install git to sync a review") from exc
    except subprocess.TimeoutExpired as exc:
        raise SyncError(f"git {args[0]} did not answer in {timeout:.0f} s",
                        hint="nothing was lost; try again") from exc
    if check and done.returncode != 0:
        raise SyncError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}",
                        path=root)
    return done


def init_git(root: Path) -> None:
    """Make the review folder a git repository with the sync settings (idempotent)."""
    root = Path(root)
    if _git(root, "rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
        _git(root, "init", "-q", "--initial-branch=main")
    from workbench.store.files import open_for_append, read_regular_file
    attributes = root / ".gitattributes"
    try:
        # read as any file (a FIFO does not hang); appended to only if it is a regular
        # file itself: a link placed there (a zip, a clone) is never written through
        present = (read_regular_file(attributes, 1 << 20, ".gitattributes").decode(
            "utf-8", "replace") if os.path.lexists(attributes) else "")
        missing = "".join(line + "\n" for line in GITATTRIBUTES.splitlines()
                          if line not in present)
        if missing:
            fd = open_for_append(attributes, ".gitattributes")
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(("" if not present or present.endswith("\n") else "\n") + missing)
    except OSError as exc:
        raise SyncError(f"cannot add the sync settings to .gitattributes ({exc.strerror or exc})",
                        path=attributes, hint="nothing was written to it; make it a regular "
                        "file holding these lines, then commit:\n  "
                        + "\n  ".join(GITATTRIBUTES.splitlines())) from exc


def _union_sheets_locally(root: Path, prefix: str) -> None:
    """Mark the review's sheets merge=union in this clone's info/attributes (idempotent).

    The sheets are append-only, so a union of both sides' lines is their merge;
    without it two resolvers appending to coding/consensus.csv on two machines
    stop each other's sync with a text conflict. The file is the clone's own
    (never committed), so a team's tracked files are not changed.
    """
    path = Path(_git(root, "rev-parse", "--git-path", "info/attributes").stdout.strip())
    if not path.is_absolute():
        path = root / path
    present = path.read_text(encoding="utf-8") if path.exists() else ""
    have = set(present.splitlines())
    missing = "".join(f"{prefix}{line}\n" for line in GITATTRIBUTES.splitlines()
                      if f"{prefix}{line}" not in have)
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(("" if not present or present.endswith("\n") else "\n") + missing)


def own_files(root: Path, reviewer: str) -> list[str]:
    """Return the review-relative paths a reviewer's sync commits (existing ones only)."""
    candidates = [f"coding/{reviewer}.csv", f"coding/duplicates/{reviewer}.csv",
                  f"coding/fulltext/{reviewer}.csv"]
    out = [c for c in candidates if (root / c).is_file()]
    out += sorted(str(p.relative_to(root)) for p in (root / "coding" / "codebooks").glob("*.yaml"))
    return out


def _status(root: Path, prefix: str) -> list[tuple[str, str]]:
    """Return (code, path relative to the review) of every changed or untracked file."""
    done = _git(root, "status", "--porcelain=v1", "--untracked-files=all", "--", ".")
    out = []
    for line in done.stdout.splitlines():
        code, path = line[:2], line[3:]
        if " -> " in path:
            path = path.split(" -> ", 1)[1]
        path = path.strip('"')
        if prefix and path.startswith(prefix):
            path = path[len(prefix):]
        out.append((code, path))
    return out


def _allowed_dirty(path: str, reviewer: str, resolver: bool) -> bool:
    mine = {f"coding/{reviewer}.csv", f"coding/duplicates/{reviewer}.csv",
            f"coding/fulltext/{reviewer}.csv"}
    if path in mine or (path.startswith("coding/codebooks/") and path.endswith(".yaml")):
        return True
    if resolver and path == f"coding/{CONSENSUS}.csv":
        return True
    return path.startswith("exports/") or path.startswith(".workbench/")


#: Sheet fields that are no decision: the screening order a reviewer chose (written with a
#: separate time beside the first decision in it) and the stopping test's drawn studies.
_NOT_DECISIONS = frozenset({stopping.ORDER_FIELD, stopping.SAMPLE_FIELD,
                            stopping.STOPPED_FIELD})


def _appends(diff: str, prefix: str, skip: set[str] = frozenset()) -> dict[str, int]:
    """Return {sheet path: decisions appended} from a `git diff --unified=0` of coding/.

    A decision is one append: the lines of one sheet that share a time and a
    study (a decision with its criteria and note is one decision, not three).
    The screening order and the stopping sample's draws are not counted.
    """
    import csv
    added: dict[str, set] = {}
    current = ""
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:].strip().strip('"')
            current = name[2:] if name.startswith("b/") else ""
            if prefix and current.startswith(prefix):
                current = current[len(prefix):]
            if current in skip or not current.endswith(".csv"):
                current = ""
            continue
        if current and line.startswith("+") and not line.startswith("+++"):
            row = next(csv.reader([line[1:]]), [])
            if len(row) >= 3 and row[0] != "time" and (len(row) < 5
                                                       or row[4] not in _NOT_DECISIONS):
                added.setdefault(current, set()).add((row[0], row[2]))
    return {path: len(appends) for path, appends in added.items()}


def _diff(root: Path, *revs: str, prefix: str) -> str:
    return _git(root, "diff", "--unified=0", "--no-color", "--no-ext-diff", *revs,
                "--", f"{prefix}coding", check=False).stdout


def _who(path: str) -> str:
    parts = Path(path).parts
    stem = Path(path).stem
    if len(parts) == 3 and parts[1] == "duplicates":
        return f"{stem} (duplicate answers)"
    if len(parts) == 3 and parts[1] == "fulltext":
        return f"{stem} (full-text links)"
    return "consensus" if stem == CONSENSUS else stem


def _consensus_is_mine(root: Path, reviewer: str, prefix: str) -> bool:
    """Return True when every uncommitted line of the consensus sheet was resolved by `reviewer`."""
    import csv
    path = root / "coding" / f"{CONSENSUS}.csv"
    tracked = _git(root, "ls-files", "--error-unmatch", "--", str(path), check=False).returncode == 0
    if tracked:
        diff = _git(root, "diff", "--unified=0", "--no-color", "HEAD", "--", str(path)).stdout
        lines = [l[1:] for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    else:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    rows = [r for r in csv.reader(lines) if r and r[0] != "time"]
    return all(len(r) > 1 and r[1] == reviewer for r in rows)


def sync_review(review, reviewer: str, count_conflicts=None) -> SyncReport:
    """Commit the reviewer's own files, bring in the others' work, and send it.

    Args:
        review: the open Review (its folder must be in a git repository with a remote).
        reviewer: whose files to commit.
        count_conflicts: optional callable(review) -> int, to report new conflicts.

    Returns:
        A SyncReport. Offline, `offline` says why and `pushed` is False.

    Raises:
        SyncError: not a git repository, no remote, uncommitted edits to shared
            files, or a git conflict (the rebase is aborted; nothing is lost).
    """
    if not is_valid_reviewer(reviewer) or reviewer == CONSENSUS:
        raise SyncError(f"{reviewer!r} is not a valid reviewer name")
    root = Path(review.root)
    top = _git(root, "rev-parse", "--show-toplevel", check=False)
    if top.returncode != 0:
        raise SyncError("this review folder is not in a git repository", path=root,
                        hint="run `workbench init --git` here, add a remote, then sync")
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
    branch = _git(root, "symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
    if not branch:
        raise SyncError("git is not on a branch (detached HEAD)", path=root,
                        hint="check out your branch (e.g. `git switch main`) and sync again")
    remote = _git(root, "config", f"branch.{branch}.remote", check=False).stdout.strip()
    if not remote:
        remotes = _git(root, "remote").stdout.split()
        if not remotes:
            raise SyncError("the review's git repository has no remote to sync with", path=root,
                            hint="add one: git remote add origin <url of the team's repository>")
        remote = "origin" if "origin" in remotes else remotes[0]
    if _git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).returncode == 0 or \
            (Path(_git(root, "rev-parse", "--git-dir").stdout.strip()) / "rebase-merge").exists():
        raise SyncError("git is in the middle of a merge or rebase", path=root,
                        hint="finish or abort it (git rebase --abort), then sync again")
    dirty = _status(root, prefix)
    resolver = any(p == f"coding/{CONSENSUS}.csv" for _, p in dirty) and \
        _consensus_is_mine(root, reviewer, prefix)
    blocked = [(c, p) for c, p in dirty if not _allowed_dirty(p, reviewer, resolver)]
    if blocked:
        listed = ", ".join(p for _, p in blocked[:8]) + (" ..." if len(blocked) > 8 else "")
        raise SyncError(f"uncommitted changes to shared files: {listed}", path=root,
                        hint="these change the review for everyone: commit them yourself "
                             "(git add/commit) or undo them, then sync; nothing was changed")
    before_conflicts = count_conflicts(review) if count_conflicts else 0
    files = own_files(root, reviewer) + ([f"coding/{CONSENSUS}.csv"]
                                         if resolver and (root / "coding" / f"{CONSENSUS}.csv").is_file() else [])
    committed = 0
    if files:
        _git(root, "add", "--", *files)
        staged = _git(root, "diff", "--cached", "--name-only").stdout.split()
        committed = sum(_appends(_diff(root, "--cached", prefix=prefix), prefix).values())
        if staged:
            _git(root, "commit", "-q", "-m", f"workbench sync: {reviewer}", "--", *files)
    upstream = f"{remote}/{branch}"
    fetch = _git(root, "fetch", "-q", remote, check=False, timeout=300)
    if fetch.returncode != 0:
        return SyncReport(reviewer, committed, 0, offline=_first_line(fetch.stderr),
                          conflicts_before=before_conflicts, conflicts_after=before_conflicts)
    has_upstream = _git(root, "rev-parse", "-q", "--verify", f"refs/remotes/{upstream}",
                        check=False).returncode == 0
    incoming: dict[str, int] = {}
    if has_upstream:
        base = _git(root, "merge-base", "HEAD", upstream).stdout.strip()
        for path, n in _appends(_diff(root, base, upstream, prefix=prefix), prefix,
                                set(files)).items():
            incoming[_who(path)] = incoming.get(_who(path), 0) + n
        _union_sheets_locally(root, prefix)
        rebase = _git(root, "rebase", "-q", upstream, check=False)
        if rebase.returncode != 0:
            conflicted = _git(root, "diff", "--name-only", "--diff-filter=U", check=False).stdout.split()
            _git(root, "rebase", "--abort", check=False)
            raise SyncError(f"the others' changes conflict with yours in: "
                            f"{', '.join(conflicted) or 'some files'}", path=root,
                            hint="your work is committed here and nothing was lost; a person "
                                 "must merge these (a file edited on both sides, usually "
                                 "codebook.yaml): "
                                 f"git pull --rebase {remote} {branch}, fix, then sync again")
    since = upstream if has_upstream else _EMPTY_TREE
    sent = sum(_appends(_diff(root, since, "HEAD", prefix=prefix), prefix).values())
    push = _git(root, "push", "-q", remote, f"HEAD:{branch}", check=False, timeout=300)
    review_after = type(review).open(root) if count_conflicts else review
    after = count_conflicts(review_after) if count_conflicts else 0
    if push.returncode != 0:
        return SyncReport(reviewer, committed, sent, incoming, False, _first_line(push.stderr),
                          before_conflicts, after)
    if not has_upstream:
        _git(root, "branch", "-q", f"--set-upstream-to={upstream}", check=False)
    return SyncReport(reviewer, committed, sent, incoming, True, "", before_conflicts, after)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "git could not reach the remote"
