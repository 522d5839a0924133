"""The browser verb: serve."""

from __future__ import annotations

import ipaddress
import shlex
import sys

import click

from workbench.cli.common import cli, open_review


def is_loopback(host: str) -> bool:
    """Return True for a loopback address or the name localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command("serve")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="The port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (loopback unless --allow-remote).")
@click.option("--allow-remote", is_flag=True,
              help="Allow a non-loopback --host. There is no login: put it behind SSH or a "
                   "reverse proxy with authentication.")
@click.pass_context
def serve_cmd(ctx: click.Context, port: int, host: str, allow_remote: bool) -> None:
    """Run the workbench in a web browser for team members who do not use a terminal.

    Each browser tab is its own app process, which asks the person's name;
    decisions go to that person's sheet exactly as in the terminal. Listens on
    127.0.0.1 only, unless --host names another address and --allow-remote is
    given; there is no authentication of its own.

    Example: workbench serve --port 8000
    """
    if not is_loopback(host) and not allow_remote:
        raise click.UsageError(f"--host {host} is reachable from other machines and the "
                               "workbench has no login of its own; add --allow-remote if it "
                               "sits behind SSH or an authenticating proxy")
    review = open_review(ctx)
    review.codebook()  # a broken codebook fails here, not in every browser tab
    from textual_serve.server import Server
    command = f"{shlex.quote(sys.executable)} -m workbench.tui.served {shlex.quote(str(review.root))}"
    click.echo(f"Serving {review.root} on http://{host}:{port} (Ctrl+C stops it)", err=True)
    Server(command, host=host, port=port, title="workbench").serve()
