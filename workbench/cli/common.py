"""The click group and what every verb shares."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbench.core.wording import plural
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.review import Review


class WorkbenchGroup(click.Group):
    """A click group that prints a WorkbenchError on stderr and exits 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=WorkbenchGroup, invoke_without_command=True)
@click.option("--review", "review_dir", type=click.Path(file_okay=False, path_type=Path),
              default=".", show_default=True, help="The review folder.")
@click.option("--reviewer", "top_reviewer", default=None, metavar="NAME",
              help="Who you are (remembered for this review folder); the app and every "
                   "verb that needs a name use it.")
@click.version_option(package_name="workbench")
@click.pass_context
def cli(ctx: click.Context, review_dir: Path, top_reviewer: str | None) -> None:
    """A keyboard-first, offline workbench for systematic reviews and qualitative coding.

    With no command, opens the workbench on the review in the current folder.

    Example: workbench --review path/to/review
    """
    ctx.obj = review_dir
    # Every broken entry is reported by our own importers with file and line; the BibTeX
    # library's own warnings about the same blocks would only repeat them, less precisely.
    import logging  # here, not at the top: `workbench --help` does not need it
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    ctx.meta["reviewer"] = top_reviewer
    if top_reviewer is not None:
        from workbench.core.events import is_valid_reviewer
        if not is_valid_reviewer(top_reviewer) or top_reviewer.lower() == "consensus":
            raise click.BadParameter(f"{top_reviewer!r} is not a valid reviewer name "
                                     "(letters, digits, _ . -)", param_hint="--reviewer")
        if (review_dir / "codebook.yaml").is_file():
            from workbench.review.screening import write_remembered_reviewer
            write_remembered_reviewer(review_dir, top_reviewer)
    if ctx.invoked_subcommand is None:
        from workbench.tui.app import run_app
        code = run_app(review_dir, reviewer=top_reviewer)
        ctx.exit(code)


def reviewer_name(ctx: click.Context, review: Review) -> str | None:
    """Return the reviewer given to `workbench --reviewer`, else the remembered one."""
    from workbench.review.screening import read_remembered_reviewer
    return ctx.find_root().meta.get("reviewer") or read_remembered_reviewer(review.root)


def check_stage(review: Review, stage: str | None, param: str = "--stage") -> None:
    """Refuse an unknown stage id as a usage error (exit 2), listing the codebook's stages."""
    if stage is None:
        return
    ids = [s.id for s in review.codebook().stages]
    if stage not in ids:
        import difflib
        close = difflib.get_close_matches(stage, ids, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise click.BadParameter(f"unknown stage {stage!r}{hint}; the codebook's stages are "
                                 f"{', '.join(ids)}", param_hint=param)


def open_review(ctx: click.Context) -> Review:
    """Open the review named by --review (the current folder by default)."""
    from workbench.review import Review
    return Review.open(ctx.find_root().obj or Path("."))




def echo_json(value: object) -> None:
    """Print a value as indented JSON on stdout."""
    import json
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def stderr_is_terminal() -> bool:
    """Return True when stderr is a terminal (progress is drawn only there)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress_bar(label: str, enabled: bool = True):
    """Yield a progress(done, total) callback drawn as a click progress bar on stderr.

    Only on a terminal: without one (a pipe, a log file, a script) click would
    still print the label once with no newline, a stray "Importing" in the log.
    """
    if not enabled or not stderr_is_terminal():
        yield None
        return
    state: dict[str, object] = {}

    def progress(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
            state["pos"] = 0
        step = done - int(state["pos"])
        if step > 0:
            bar.update(step)
            state["pos"] = done

    try:
        yield progress
    finally:
        bar = state.get("bar")
        if bar is not None:
            bar.__exit__(None, None, None)


def parse_mapping(items: tuple[str, ...]) -> dict[str, str] | None:
    """Turn ("Col A=title", ...) into {"Col A": "title"}."""
    if not items:
        return None
    mapping = {}
    for item in items:
        if "=" not in item:
            raise click.BadParameter(f"{item!r} is not COLUMN=FIELD", param_hint="--map")
        column, field = item.rsplit("=", 1)
        mapping[column.strip()] = field.strip()
    return mapping


__all__ = ["cli", "check_stage", "plural", "open_review", "echo_json", "progress_bar", "parse_mapping", "WorkbenchError"]
