"""The command line: each verb parses arguments, calls Review, prints, and sets the exit code."""

from __future__ import annotations

import sys

import click

from workbench.cli.common import cli
from workbench.errors import WorkbenchError

# Importing the command modules registers their verbs on `cli`.
from workbench.cli import references as _references  # noqa: F401,E402
from workbench.cli import dedupe as _dedupe  # noqa: F401,E402
from workbench.cli import checking as _checking  # noqa: F401,E402
from workbench.cli import screening as _screening  # noqa: F401,E402
from workbench.cli import bulk as _bulk  # noqa: F401,E402
from workbench.cli import exporting as _exporting  # noqa: F401,E402
from workbench.cli import coding as _coding  # noqa: F401,E402
from workbench.cli import agreement as _agreement  # noqa: F401,E402
from workbench.cli import resolving as _resolving  # noqa: F401,E402
from workbench.cli import sync as _sync  # noqa: F401,E402
from workbench.cli import team as _team  # noqa: F401,E402
from workbench.cli import serve as _serve  # noqa: F401,E402
from workbench.cli import history as _history  # noqa: F401,E402
from workbench.cli import codebook_exchange as _codebook_exchange  # noqa: F401,E402
from workbench.cli import fulltext as _fulltext  # noqa: F401,E402
from workbench.cli import simulate as _simulate  # noqa: F401,E402


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `workbench` console script."""
    try:
        code = cli.main(args=argv, prog_name="workbench", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except WorkbenchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["cli", "main"]
