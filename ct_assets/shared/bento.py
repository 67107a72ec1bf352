"""The champion's bento, built on the machine that serves it.

    python -m ct_assets.shared.bento --home /srv/ct/demo     # prints the bento's exact tag
    BENTOML_HOME=/srv/ct/demo/bentoml bentoml containerize <tag> -t ct-demo:<version>

In the shared deployment a bento is not shared: the champion's run builds and validates one in
its worker's home, which may be a container that is gone afterwards. What is shared is the
registry and the champion's model file (in the object store), and from those this command
builds the same bento in the home of the machine that serves or containerizes it: the model
file fetched and checked against the registry's sha256, saved into `HOME/bentoml`, and a bento
pinned to its exact tag (`ct_assets.release.package`, as a release builds it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.release import package
from ct_assets.settings import Settings
from ct_assets.shared.open import shared_registry


def champion_bento(root: Path) -> tuple[str, str]:
    """(version, bento tag) of the shared registry's champion, built in the home at `root`."""
    settings = Settings.load(root)
    if not settings.storage.shared:
        raise CTError(f"setting 'storage': {root} is an embedded home; `ct serve` serves it")
    home = Home.create(root)
    with shared_registry(settings.storage, settings.name, home.root) as reg:
        champion = reg.champion()
    if champion is None:
        raise CTError(f"no champion in the shared registry of model {settings.name!r} yet")
    return champion.version, package(champion, home)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, type=Path,
                        help="a home whose settings.json names the shared storage")
    args = parser.parse_args(argv)
    try:
        version, tag = champion_bento(args.home.expanduser().resolve())
    except (CTError, ValueError) as exc:
        print(f"ct: error: {exc}", file=sys.stderr)
        return 2
    print(f"{version} {tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
