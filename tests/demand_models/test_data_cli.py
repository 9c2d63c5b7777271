"""The command line: describe on both data sets, exit code 2 and no traceback on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from demand_models.data.__main__ import main

REPO = Path(__file__).parents[2]
MAPPING = REPO / "demand_models" / "data" / "examples" / "monthly_beverage.yaml"


def test_bad_file_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("period,price,units\n1,2.0,3\n2,-1.0,4\n")
    done = subprocess.run(
        [sys.executable, "-m", "demand_models.data", "describe", str(bad)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert str(bad) in done.stderr and "column 'price'" in done.stderr and "2 (-1.0)" in done.stderr


def test_describe_file_with_drop_invalid(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("period,price,units\n1,2.0,3\n2,-1.0,4\n4,2.0,1\n")
    assert main(["describe", str(bad), "--drop-invalid"]) == 0
    out = capsys.readouterr().out
    assert "series: 1" in out and "price: price <= 0: 1" in out
    assert "gaps: 1 of 1 series miss periods, 2 missing in all" in out


def test_describe_stallion(capsys, stallion_dir):
    assert main(["describe", str(stallion_dir / "stallion.csv.gz"), "--map", str(MAPPING), "--drop-invalid"]) == 0
    out = capsys.readouterr().out
    assert "series: 350" in out and "60 distinct, monthly (MS)" in out
    assert "christmas: 8.4%" in out and "price 0 = unobserved (zero_price: missing): 2,578" in out


def test_describe_stallion_without_drop_fails_with_code_2(capsys, stallion_dir):
    assert main(["describe", str(stallion_dir / "stallion.csv.gz"), "--map", str(MAPPING)]) == 2
    assert "price <= 0" in capsys.readouterr().err


@pytest.mark.skipif(os.environ.get("PRICING_RL_SKIP_REAL_DATA") == "1", reason="PRICING_RL_SKIP_REAL_DATA=1")
def test_describe_dominicks(capsys):
    assert main(["describe", "dominicks-oj"]) == 0
    out = capsys.readouterr().out
    assert "rows: 106,139" in out and "series: 913" in out and "121 distinct, weekly (W-THU)" in out
    assert "deal: 44.7%" in out
