"""Build the champion bento from ``bentos/``, pinned to an exact model tag (pure: no Dagster).

``bentoml build`` runs in a subprocess with BENTOML_HOME set: BentoML keeps its stores and
imported service module in process-wide singletons, so a fresh process is the only way to
build for several homes (and several model tags) from one long-lived process.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .sanity import sanity_scores
from .store import MODEL_FILE, model_store, sha256_file

BENTO_NAME = "ct_champion_service"
BENTOS_DIR = Path(__file__).resolve().parents[1] / "bentos"  # links to bentos/; a wheel ships it
RUNTIME_PACKAGES = ("lightgbm", "pandas", "numpy", "pydantic")


def bentoml_env(bentoml_home: str | Path) -> dict[str, str]:
    """Environment for bentoml subprocesses: this home, no usage tracking, this venv's tools."""
    env = dict(os.environ)
    env["BENTOML_HOME"] = str(Path(bentoml_home).resolve())
    env["BENTOML_DO_NOT_TRACK"] = "True"
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _source_digest(src: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(q for q in src.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        h.update(p.relative_to(src).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def _bentos(bentoml_home: str | Path) -> list:
    from bentoml._internal.bento.bento import BentoStore
    from bentoml.exceptions import NotFound

    path = Path(bentoml_home) / "bentos"
    if not path.is_dir():
        return []
    try:
        found = BentoStore(path).list(BENTO_NAME)
    except NotFound:
        return []
    return sorted(found, key=lambda b: b.creation_time, reverse=True)


def bento_for(version: str, bentoml_home: str | Path) -> str | None:
    """Exact tag of the newest bento serving ct version ``version`` (e.g. "v3"), or None."""
    for bento in _bentos(bentoml_home):
        if bento.info.labels.get("ct_version") == version:
            return str(bento.tag)
    return None


def bento_exists(bento_tag: str, bentoml_home: str | Path) -> bool:
    """Whether the store holds this exact bento (a file check: no bentoml import)."""
    name, _, version = bento_tag.partition(":")
    path = Path(bentoml_home) / "bentos" / name / version / "bento.yaml"
    return bool(version) and path.is_file()


def pinned_model(bento_tag: str, bentoml_home: str | Path) -> dict[str, str]:
    """The pinned_model.json shipped inside a built bento."""
    from bentoml._internal.bento.bento import BentoStore

    bento = BentoStore(Path(bentoml_home) / "bentos").get(bento_tag)
    return json.loads(Path(bento.path_of("src/pinned_model.json")).read_text())


def build_root() -> Path:
    """Where build contexts go: the system's temp folder, which must have no hidden part.

    BentoML refuses to build from any path with a part that starts with a dot, so a build
    never happens inside the home folder (the default home is `./.ct`); the built bento is
    copied into the home's BentoML store, which may live anywhere.
    """
    root = Path(tempfile.gettempdir()).resolve()
    hidden = [part for part in root.parts if part.startswith(".")]
    if hidden:
        raise ValueError(f"BentoML refuses to build under {root} (its part {hidden[0]!r} "
                         "starts with a dot); set TMPDIR to a folder without one")
    return root


def build_bento(
    model_tag: str,
    bentoml_home: str | Path,
    *,
    reuse: bool = True,
    source: str | Path | None = None,
) -> str:
    """Build a bento serving exactly ``model_tag`` and return the bento's exact tag.

    The build context is a fresh temporary folder (see `build_root`) filled with ``bentos/``
    plus ``pinned_model.json`` (the tag, sha256 and sanity records with their expected scores)
    and a ``requirements.txt`` pinned to this environment; it is removed after the build. With
    ``reuse`` an existing bento for the same model tag, sha256 and service source is returned
    without rebuilding.
    """
    if ":" not in model_tag or model_tag.endswith(":latest"):
        raise ValueError(f"model_tag must be exact (name:version), got {model_tag!r}")
    model = model_store(bentoml_home).get(model_tag)  # raises NotFound
    if str(model.tag) != model_tag:
        raise ValueError(f"{model_tag!r} is not an exact tag (store resolved {model.tag})")
    model_file = model.path_of(model.info.metadata.get("file", MODEL_FILE))
    sha = sha256_file(model_file)
    if sha != model.info.labels.get("sha256"):
        raise RuntimeError(f"stored artifact of {model_tag} does not match its recorded sha256")
    source = Path(source or os.environ.get("CT_BENTOS_DIR") or BENTOS_DIR)
    if not (source / "bentofile.yaml").is_file():
        raise FileNotFoundError(f"no bentofile.yaml in {source} (set CT_BENTOS_DIR)")
    version, digest = model.info.labels["ct_version"], _source_digest(source)
    if reuse:
        for bento in _bentos(bentoml_home):
            lab = bento.info.labels
            if (lab.get("model_tag"), lab.get("model_sha256"), lab.get("source_digest")) == (
                model_tag,
                sha,
                digest,
            ):
                return str(bento.tag)

    with tempfile.TemporaryDirectory(prefix="ct-bento-", dir=build_root()) as context:
        build_dir = Path(context) / "src"
        shutil.copytree(source, build_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        bento_tag = _build(build_dir, model_tag, model_file, model.info, sha, version, digest,
                           bentoml_home)
    if pinned_model(bento_tag, bentoml_home)["model_tag"] != model_tag:
        raise RuntimeError(f"bento {bento_tag} is not pinned to {model_tag}")
    return bento_tag


def _build(build_dir: Path, model_tag: str, model_file: str, info, sha: str, version: str,
           digest: str, bentoml_home: str | Path) -> str:
    """Write the pinned files into ``build_dir`` and run ``bentoml build`` there."""
    pinned = {"model_tag": model_tag, "sha256": sha, "ct_version": version,
              "sanity": sanity_scores(model_file, info.metadata["schema"]["categorical"])}
    (build_dir / "pinned_model.json").write_text(json.dumps(pinned, indent=2) + "\n")
    reqs = [f"{p}=={importlib.metadata.version(p)}" for p in RUNTIME_PACKAGES]
    (build_dir / "requirements.txt").write_text("\n".join(reqs) + "\n")

    labels = {
        "ct_version": version,
        "model_tag": model_tag,
        "model_sha256": sha,
        "source_digest": digest,
    }
    cmd = [sys.executable, "-m", "bentoml", "build", str(build_dir), "--output", "tag"]
    for key, value in labels.items():
        cmd += ["--label", f"{key}={value}"]
    proc = subprocess.run(
        cmd,
        env=bentoml_env(bentoml_home),
        cwd=build_dir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    tags = [
        ln.split("__tag__:", 1)[1].strip() for ln in proc.stdout.splitlines() if "__tag__:" in ln
    ]
    if proc.returncode != 0 or not tags:
        out = f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        raise RuntimeError(f"bentoml build failed (exit {proc.returncode}):\n{out}")
    return tags[-1]
