"""Command line: ``describe SPEC [--map MAP.yaml] [--drop-invalid]`` and ``fetch dominicks-oj``.

Run as ``python -m demand_models.data ...``.

Bad input prints the message to stderr and exits with code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys

from demand_models.data.describe import describe
from demand_models.data.dominicks import NAME as DOMINICKS_NAME
from demand_models.data.dominicks import cache_dir, fetch_orange_juice_rda
from demand_models.data.errors import DataError
from demand_models.data.loader import load_dataset


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m demand_models.data", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    desc = sub.add_parser("describe", help="summarise a data set: series, periods, prices, promotions, gaps")
    desc.add_argument("spec", help=f"'{DOMINICKS_NAME}' or a CSV / Parquet file")
    desc.add_argument("--map", dest="mapping", help="YAML column mapping for a file")
    desc.add_argument("--drop-invalid", action="store_true", help="drop invalid rows instead of failing")
    fetch = sub.add_parser("fetch", help="download a named data set into the user cache")
    fetch.add_argument("name", choices=[DOMINICKS_NAME])
    fetch.add_argument("--dest", default=None, help=f"target folder (default: {cache_dir()})")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: arguments without the program name; ``sys.argv[1:]`` when None.

    Returns:
        The exit code: 0, or 2 on bad input.
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            print(fetch_orange_juice_rda(args.dest))
        else:
            print(describe(load_dataset(args.spec, args.mapping, drop_invalid=args.drop_invalid)))
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
