"""Read a user's table, whatever it is stored in, into one pandas frame.

DuckDB reads CSV and Parquet (sniffing types, timestamps included, and reading gzip) faster
than pandas and without pyarrow; pandas reads what DuckDB cannot (zipped CSV).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pandas as pd

from ct_assets.errors import CTError

FORMATS = ".csv, .csv.gz, .csv.zip, .tsv, .parquet, a folder of .parquet, " \
          "duckdb:///path.db?table=name, pkg:package/path"


def resolve(source: str, base: Path | None = None) -> str:
    """`source` with a relative file path made absolute against `base` (the settings' folder)
    and `pkg:package/path` turned into the file the installed package ships."""
    if source.startswith("pkg:"):
        package, _, inner = source[4:].partition("/")
        try:
            path = importlib.resources.files(package) / inner
        except ModuleNotFoundError:
            raise CTError(f"source {source!r}: package {package!r} is not installed") from None
        return str(path)
    if source == "simulator":
        return source
    if source.startswith("duckdb://"):
        url = urlparse(source)
        db = Path(f"{url.netloc}{url.path}" if url.netloc else url.path[1:] if
                  url.path.startswith("//") else url.path).expanduser()
        if not db.is_absolute() and base is not None:
            db = (base / db).resolve()
        return f"duckdb://{db}?{url.query}" if db.is_absolute() else source
    path = Path(source).expanduser()
    return str(path if path.is_absolute() or base is None else (base / path).resolve())


def read_table(source: str, encoding: str = "utf-8") -> pd.DataFrame:
    """Every row of `source` (see FORMATS); a clear error when it cannot be read."""
    if source.startswith("duckdb://"):
        return _read_duckdb(source)
    path = Path(source)
    if not path.exists():
        raise CTError(f"source {source} does not exist")
    name = path.name.lower()
    try:
        if path.is_dir():
            files = sorted(str(p) for p in path.rglob("*.parquet"))
            if not files:
                raise CTError(f"source folder {source} holds no .parquet files")
            return _query("SELECT * FROM read_parquet(?, union_by_name = true)", files)
        if name.endswith(".parquet"):
            return _query("SELECT * FROM read_parquet(?)", str(path))
        if name.endswith((".csv.zip", ".tsv.zip")):
            return pd.read_csv(path, sep="\t" if ".tsv" in name else ",", low_memory=False,
                               encoding=encoding)
        if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")):
            csv = f"read_csv(?, encoding = '{encoding}'"
            try:  # types sniffed from a sample; a column that changes later needs them all
                return _query(f"SELECT * FROM {csv})", str(path))
            except duckdb.ConversionException:
                return _query(f"SELECT * FROM {csv}, sample_size = -1)", str(path))
    except (duckdb.Error, pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise CTError(f"source {source} cannot be read: {_reason(exc, encoding)}") from None
    raise CTError(f"source {source}: unknown format; use {FORMATS}")


def _reason(exc: Exception, encoding: str) -> str:
    """The first line of the reader's message, and the line that names a wrong encoding (DuckDB
    puts it further down) with how to fix it."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    wrong = [line for line in lines if "encoded" in line or "codec can't decode" in line]
    if not wrong:
        return lines[0] if lines else type(exc).__name__
    other = [e for e in ("latin-1", "utf-16", "utf-8") if e != encoding]
    first = "" if wrong[0] == lines[0] else f"{lines[0].rstrip('.:')}: "
    return (f"{first}{wrong[0].rstrip('.')}; set `encoding: {other[0]}` (or {other[1]}) "
            "in the settings, or re-encode the file as UTF-8")


def _query(sql: str, path) -> pd.DataFrame:
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")  # it would print on the user's stdout
        return con.execute(sql, [path]).df()


def _read_duckdb(source: str) -> pd.DataFrame:
    url = urlparse(source)
    table = parse_qs(url.query).get("table", [None])[0]
    path = f"{url.netloc}{url.path}" if url.netloc else url.path
    if not table:
        raise CTError(f"source {source}: name the table, duckdb:///path.db?table=name")
    if not Path(path).exists():
        raise CTError(f"source {source}: database {path} does not exist")
    try:
        with duckdb.connect(path, read_only=True) as con:
            con.execute("SET enable_progress_bar = false")
            return con.execute(f'SELECT * FROM "{table}"').df()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise CTError(f"source {source}: {first}") from None
