"""The benchmark script in its quick variant (a smoke run: the real figures come from the full run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_benchmark_writes_every_section(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "experiments.benchmark", "--quick", "--out", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["policy_quality"]) == {"DynamicPricing-v0", "DynamicPricingReplenish-v0"}
    clearance = results["policy_quality"]["DynamicPricing-v0"]
    assert len(clearance["ppo"]["per_seed_pct"]["ppo"]) == 1
    assert results["speed"]["dp_seconds"]["clearance"] < 10
    assert results["demand_model"]["neural"]["monotone_share"] == 1.0
    stock = {r["value"]: r["best_fixed_pct_of_optimum"] for r in results["dynamic_value"] if r["varies"] == "stock"}
    assert 100 > stock["50% of season demand"] > stock["70% (default)"] > stock["100%"]
    text = (tmp_path / "results.md").read_text()
    assert "QUICK" in text and "## Speed" in text and "| optimum (DP) |" in text
    assert "## What dynamic pricing can add" in text
