"""Dominick's Finer Foods orange juice (bayesm's ``orangeJuice``), the default real data set.

Source: the R package bayesm ships ``data/orangeJuice.rda``, an R list with the data frames
``yx`` (store x brand x week: ``logmove``, ``price1..price11``, ``deal``, ``feat``, ``profit``)
and ``storedemo`` (83 stores x 11 demographics). Terms: academic research use, with credit to
the James M. Kilts Center, University of Chicago Booth School of Business.

Derivations made here (not statements of bayesm):

* ``exp(logmove)`` is units sold in ounces, a multiple of the brand's package size (64, 96 or
  128 oz) up to float noise, so ``units = round(exp(logmove) / size)`` packages;
* ``priceN`` is dollars per ounce of brand N, so a package of brand N costs ``priceN * size(N)``;
  ``price`` is the own brand's, and ``price1..price11`` keep every brand's package price, with
  ``own_price_index = brand - 1`` pointing at the own one;
* ``profit`` behaves like the gross margin in percent (it lies in [0, 98.5], median 29), so
  ``unit_cost = price * (1 - profit / 100)``; a row whose ``profit`` lies outside [0, 100) gets
  ``unit_cost = NaN`` (the data as shipped has none);
* week 1 began on Thursday 1989-09-14, so ``period`` = Dominick's week number and
  ``period_start`` (week 0) is 1989-09-07; ``season`` is the week of the year of each week's start.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from demand_models.data.calendar import WEEKS_PER_YEAR, week_of_year, weekly_alias
from demand_models.data.errors import DataError
from demand_models.history import SalesHistory

logger = logging.getLogger(__name__)

NAME = "dominicks-oj"
RDA_NAME = "orangeJuice.rda"
ENV_VAR = "PRICING_RL_OJ_RDA"
CACHE_ENV_VAR = "PRICING_RL_CACHE"
FETCH_COMMAND = "python -m demand_models.data fetch dominicks-oj"
WEEK_ZERO = pd.Timestamp("1989-09-07")

BRANDS: dict[int, tuple[str, int]] = {
    1: ("Tropicana Premium", 64),
    2: ("Tropicana Premium", 96),
    3: ("Florida's Natural", 64),
    4: ("Tropicana", 64),
    5: ("Minute Maid", 64),
    6: ("Minute Maid", 96),
    7: ("Citrus Hill", 64),
    8: ("Tree Fresh", 64),
    9: ("Florida Gold", 64),
    10: ("Dominick's", 64),
    11: ("Dominick's", 128),
}
"""Brand number -> (name, package size in ounces), as listed in bayesm's ``man/orangeJuice.Rd``."""

COMPETITOR_COLUMNS = tuple(f"price{b}" for b in BRANDS)
PROMO_COLUMNS = ("deal", "feat")
OWN_PRICE_COLUMN = "own_price_index"
_R_LIBRARIES = (
    "/usr/lib/R/site-library",
    "/usr/lib/R/library",
    "/usr/local/lib/R/site-library",
    "/usr/local/lib/R/library",
    "/usr/share/R/library",
    "/opt/homebrew/lib/R/library",
    "/Library/Frameworks/R.framework/Resources/library",
)


def cache_dir() -> Path:
    """The user cache of this project: ``$PRICING_RL_CACHE``, else ``$XDG_CACHE_HOME/pricing-rl``.

    Returns:
        The folder (not created here); ``~/.cache/pricing-rl`` by default.
    """
    if os.environ.get(CACHE_ENV_VAR):
        return Path(os.environ[CACHE_ENV_VAR]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pricing-rl"


def _library_dirs() -> list[Path]:
    """R library folders: ``R_LIBS_USER``, ``R_LIBS``, ``R_LIBS_SITE``, ``~/R``, then system ones."""
    dirs = [
        Path(p).expanduser()
        for var in ("R_LIBS_USER", "R_LIBS", "R_LIBS_SITE")
        for p in os.environ.get(var, "").split(os.pathsep)
        if p
    ]
    dirs += sorted(Path.home().glob("R/*/*")) + sorted(Path.home().glob("R/*/*/*"))
    return dirs + [Path(d) for d in _R_LIBRARIES]


def candidate_paths() -> list[Path]:
    """Every place :func:`find_orange_juice_rda` looks at, in order (after an explicit path).

    Returns:
        The environment variable's path if set, then ``bayesm/data/orangeJuice.rda`` in each R
        library folder, then the user cache.
    """
    paths = [Path(os.environ[ENV_VAR]).expanduser()] if os.environ.get(ENV_VAR) else []
    paths += [d / "bayesm" / "data" / RDA_NAME for d in _library_dirs()]
    return paths + [cache_dir() / RDA_NAME]


def _not_found_message(looked: list[Path]) -> str:
    where = "\n".join(f"  {p}" for p in looked)
    if shutil.which("apt-get") and shutil.which("dpkg"):
        how = (
            f"Run:\n  {FETCH_COMMAND}\n(it downloads the Debian package r-cran-bayesm with apt-get and "
            f"unpacks {RDA_NAME} into {cache_dir()} without installing R)"
        )
    else:
        how = (
            'Install the R package bayesm (in R: install.packages("bayesm")), or copy bayesm\'s '
            f"data/{RDA_NAME} to {cache_dir() / RDA_NAME}"
        )
    return (
        f"Dominick's orange juice data ({RDA_NAME} of the R package bayesm) was not found. Looked at:\n"
        f"{where}\n{how}, or set {ENV_VAR}=/path/to/{RDA_NAME}."
    )


def find_orange_juice_rda(path: str | Path | None = None) -> Path:
    """Locate bayesm's ``orangeJuice.rda``.

    Args:
        path: an explicit file, or a folder holding it (directly or as ``bayesm/data/``); when
            given, nothing else is tried.

    Returns:
        The path of an existing file.

    Raises:
        DataError: nothing found; the message says what to run.
    """
    if path is not None:
        path = Path(path).expanduser()
        for p in (path, path / RDA_NAME, path / "bayesm" / "data" / RDA_NAME):
            if p.is_file():
                return p
        raise DataError(f"{path}: no such file (expected bayesm's {RDA_NAME} or a folder holding it).")
    looked = candidate_paths()
    for p in looked:
        if p.is_file():
            return p
    raise DataError(_not_found_message(looked))


def _run(cmd: list[str], cwd: str) -> None:
    """Run a command in ``cwd``; a failure becomes a :class:`DataError` carrying its stderr."""
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        hint = (
            " (if apt cannot locate the package, run `apt-get update` first)" if cmd[0] == "apt-get" else ""
        )
        raise DataError(f"`{' '.join(cmd)}` failed with code {done.returncode}{hint}:\n{done.stderr.strip()}")


def fetch_orange_juice_rda(dest: str | Path | None = None) -> Path:
    """Download the Debian package ``r-cran-bayesm`` with apt-get and unpack its ``orangeJuice.rda``.

    Runs ``apt-get download r-cran-bayesm`` and ``dpkg -x`` in a temporary folder (no root, no R
    needed), then copies the ``.rda`` and the package's copyright file into ``dest``.

    Args:
        dest: target folder; the user cache (see :func:`cache_dir`) by default.

    Returns:
        The path of the copied ``orangeJuice.rda``.

    Raises:
        DataError: apt-get or dpkg is missing, or a step fails (its output is in the message).
    """
    dest = Path(dest).expanduser() if dest is not None else cache_dir()
    if not (shutil.which("apt-get") and shutil.which("dpkg")):
        raise DataError(
            f"fetching needs apt-get and dpkg, which this machine lacks. {_not_found_message([])}"
        )
    with tempfile.TemporaryDirectory(prefix="pricing-rl-bayesm-") as tmp:
        _run(["apt-get", "download", "r-cran-bayesm"], tmp)
        debs = sorted(Path(tmp).glob("r-cran-bayesm_*.deb"))
        if not debs:
            raise DataError(f"`apt-get download r-cran-bayesm` left no .deb in {tmp}.")
        _run(["dpkg", "-x", str(debs[-1]), "root"], tmp)
        found = sorted((Path(tmp) / "root").rglob(f"bayesm/data/{RDA_NAME}"))
        if not found:
            raise DataError(f"the r-cran-bayesm package holds no bayesm/data/{RDA_NAME}.")
        dest.mkdir(parents=True, exist_ok=True)
        for copyright_file in (Path(tmp) / "root").rglob("doc/r-cran-bayesm/copyright"):
            shutil.copyfile(copyright_file, dest / "bayesm-copyright")
        target = dest / RDA_NAME
        shutil.copyfile(found[0], target)
    logger.info("fetched %s", target)
    return target


def _read_rda(rda: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``yx`` and ``storedemo`` as plain numpy-typed frames, through a Parquet cache.

    Parsing the ``.rda`` takes ~2.5 s; the cache (keyed by the file's size and mtime) ~0.1 s.
    """
    stat = rda.stat()
    key = f"orangeJuice-{stat.st_size}-{stat.st_mtime_ns}"
    cached = [cache_dir() / f"{key}-{part}.parquet" for part in ("yx", "storedemo")]
    if all(p.is_file() for p in cached):
        try:
            return pd.read_parquet(cached[0]), pd.read_parquet(cached[1])
        except (OSError, ValueError) as err:
            logger.warning("ignoring unreadable cache %s: %s", cached[0], err)
    import rdata

    try:
        data = rdata.read_rda(rda)["orangeJuice"]
        tables = [data[part] for part in ("yx", "storedemo")]
    except Exception as err:  # rdata raises many kinds of errors on a corrupt file
        raise DataError(
            f"{rda}: cannot read it as bayesm's orangeJuice data ({type(err).__name__}: {err})."
        ) from err
    tables = [
        t.reset_index(drop=True).astype({c: np.int64 for c in t.columns if str(t[c].dtype).startswith("Int")})
        for t in tables
    ]
    try:
        cached[0].parent.mkdir(parents=True, exist_ok=True)
        for table, p in zip(tables, cached, strict=True):
            table.to_parquet(p, index=False)
    except OSError as err:
        logger.warning("cannot write the cache %s: %s", cached[0], err)
    return tables[0], tables[1]


def load_dominicks_oj(path: str | Path | None = None) -> SalesHistory:
    """Dominick's orange juice as a store x brand x week :class:`SalesHistory`.

    Args:
        path: ``orangeJuice.rda`` or a folder holding it; found by :func:`find_orange_juice_rda`
            when None.

    Returns:
        106,139 rows (83 stores x 11 brands, weeks 40..160 with gaps): series keys ``store``,
        ``brand``; ``units`` in packages; ``price``, ``unit_cost`` and ``price1..price11`` per
        package; promotions ``deal`` (0/1) and ``feat`` (share of the week featured);
        ``size_oz``; ``own_price_index``; store demographics in ``extra``. See the module
        docstring for the derivations.

    Raises:
        DataError: the file is missing or unreadable.
    """
    yx, demo = _read_rda(find_orange_juice_rda(path))
    brand = yx["brand"].to_numpy()
    sizes = np.array([0] + [size for _, size in BRANDS.values()], dtype=np.int64)
    size = sizes[brand]
    competitor = yx[list(COMPETITOR_COLUMNS)].to_numpy() * sizes[1:]
    price = competitor[np.arange(len(yx)), brand - 1]
    profit = yx["profit"].to_numpy()
    unit_cost = np.where((profit >= 0) & (profit < 100), price * (1 - profit / 100), np.nan)
    week = yx["week"].to_numpy()
    frame = pd.DataFrame(
        {
            "store": yx["store"].to_numpy(np.int64),
            "brand": brand.astype(np.int64),
            "period": week.astype(np.int64),
            "season": week_of_year(WEEK_ZERO + pd.to_timedelta(7 * week, unit="D")),
            "price": price,
            "units": np.round(np.exp(yx["logmove"].to_numpy()) / size),
            "deal": yx["deal"].to_numpy(np.float64),
            "feat": yx["feat"].to_numpy(np.float64),
            "unit_cost": unit_cost,
            **{c: competitor[:, i] for i, c in enumerate(COMPETITOR_COLUMNS)},
            OWN_PRICE_COLUMN: (brand - 1).astype(np.int64),
            "size_oz": size,
        }
    )
    frame = frame.sort_values(["store", "brand", "period"], ignore_index=True)
    extra = demo.rename(columns={"STORE": "store"}).sort_values("store", ignore_index=True)
    return SalesHistory(
        frame=frame,
        name=NAME,
        series_keys=("store", "brand"),
        promo_columns=PROMO_COLUMNS,
        competitor_columns=COMPETITOR_COLUMNS,
        season_length=WEEKS_PER_YEAR,
        period_start=WEEK_ZERO,
        period_freq=weekly_alias(WEEK_ZERO),
        own_price_column=OWN_PRICE_COLUMN,
        extra=extra,
    )
