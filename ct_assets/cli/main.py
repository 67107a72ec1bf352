"""`ct`: the command line. Every mistake a user can fix ends as one line and exit code 2."""

from __future__ import annotations

import sys

import click

from ct_assets.cli.backtest import backtest
from ct_assets.cli.demo import demo
from ct_assets.cli.registry import registry
from ct_assets.cli.serve import serve
from ct_assets.errors import CTError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ct-assets")
def cli() -> None:
    """Continuous training for tabular LightGBM models, as a Dagster asset graph."""


cli.add_command(demo)
cli.add_command(backtest)
cli.add_command(registry)
cli.add_command(serve)


def main(argv: list[str] | None = None) -> int:
    try:
        code = cli.main(args=argv, prog_name="ct", standalone_mode=False)
    except (CTError, click.ClickException) as exc:
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        click.echo(f"ct: error: {message}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("ct: interrupted", err=True)
        return 130
    return code if isinstance(code, int) else 0  # a command's ctx.exit(1): a run broke


if __name__ == "__main__":
    sys.exit(main())
