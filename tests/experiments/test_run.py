"""The main job end to end: ``python -m experiments.run`` as a new user runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from stable_baselines3 import PPO
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

REPO = Path(__file__).resolve().parents[2]
POLICIES = {
    "optimum (DP)", "ppo", "fixed list price", "best fixed price", "cost-plus 40%", "markdown (sell-through)",
    "promotion-following", "regression (log-log + DP)", "static price calendar", "re-solving (fluid)",
}  # fmt: skip


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "experiments.run", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def only_run_dir(out: Path) -> Path:
    (run_dir,) = list(out.iterdir())
    return run_dir


def tags(tb_dir: Path) -> set[str]:
    found: set[str] = set()
    for events in tb_dir.rglob("events.out.tfevents.*"):
        acc = EventAccumulator(str(events))
        acc.Reload()
        found.update(acc.Tags()["scalars"])
    return found


def test_quick_ppo_run_writes_every_artefact(tmp_path: Path) -> None:
    result = run_cli("ppo", "--quick", "--out", str(tmp_path), "--hyperparams", "ent_coef=0.05")
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = only_run_dir(tmp_path)
    assert PPO.load(run_dir / "models" / "ppo_seed0.zip").ent_coef == 0.05  # the override reached the agent
    assert run_dir.name.startswith("DynamicPricing-v0__ppo__")
    for name in (
        "config.yaml",
        "command.txt",
        "results.csv",
        "results.md",
        "episodes.csv",
        "models/ppo_seed0.zip",
    ):
        assert (run_dir / name).is_file(), name
    for figure in ("learning_curves", "trajectories", "demand_curve", "profit"):
        assert (run_dir / "figures" / f"{figure}.png").stat().st_size > 10_000, figure
    scalars = tags(run_dir / "tb")
    assert {"pricing/season_profit", "pricing/stockout_rate", "eval/pct_of_optimum"} <= scalars
    assert any(tag.startswith("train/") for tag in scalars)
    results = pd.read_csv(run_dir / "results.csv")
    assert set(results["policy"]) == POLICIES
    optimum = results.set_index("policy").loc["optimum (DP)"]
    assert optimum["pct_of_optimum"] == 100.0
    # the best fixed price cannot beat the optimum on the same draws beyond noise
    best_fixed = results.set_index("policy").loc["best fixed price"]
    assert best_fixed["gap_pts"] + best_fixed["gap_ci95"] <= 0.0
    assert "| optimum (DP) |" in result.stdout  # the table is printed at the end


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sarsa"], "invalid choice: 'sarsa'"),
        (["ppo", "--set", "horizon=-3"], "horizon must be >= 1"),
        (["ppo", "--set", "no_such_setting=1"], "no_such_setting"),
        (["ppo", "--env", "CartPole-v1"], "--env must be one of"),
        (["ppo", "--timesteps", "0"], "--timesteps must be >= 1"),
        (["ppo", "--hyperparams", "exploration_fraction=0.5"], "unknown key(s) ['exploration_fraction'] for ppo"),
        (["baselines", "--hyperparams", "ent_coef=0.1"], "--hyperparams applies to learned agents"),
        (["ppo", "--resume", "/nonexistent/run"], "not a run folder"),
        (["ppo", "--data", "/nonexistent/sales.csv", "--map", "/nonexistent/map.yaml"], "map.yaml"),
    ],
    ids=[
        "unknown-agent",
        "bad-setting",
        "unknown-setting",
        "unknown-env",
        "zero-steps",
        "dqn-key-for-ppo",
        "hyperparams-for-baselines",
        "bad-resume",
        "missing-file",
    ],
)
def test_user_mistakes_exit_2_without_traceback(args: list[str], message: str) -> None:
    result = run_cli(*args, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_quick_run_on_stallion_with_a_mapping(tmp_path: Path, stallion_dir: Path) -> None:
    mapping = REPO / "demand_models" / "data" / "examples" / "monthly_beverage.yaml"
    result = run_cli(
        "ppo", "--quick", "--data", str(stallion_dir / "stallion.csv.gz"), "--map", str(mapping), "--drop-invalid",
        "--set", "unit_cost=800", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = only_run_dir(tmp_path)
    assert (run_dir / "demand_model" / "model_card.json").is_file()
    calendar = pd.read_csv(run_dir / "calendar.csv")
    assert calendar["season"].max() == 11  # monthly seasons
    results = pd.read_csv(run_dir / "results.csv")
    assert "ppo" in set(results["policy"]) and "regression (log-log + DP)" in set(results["policy"])

    # The trained model is reused with --model; --data still replays the chosen series' calendar.
    reuse = ["baselines", "--quick", "--model", str(run_dir / "demand_model"),
             "--data", str(stallion_dir / "stallion.csv.gz"),
             "--map", str(mapping), "--drop-invalid", "--set", "unit_cost=800"]  # fmt: skip
    wrong = run_cli(*reuse, "--series", "Agency_01/NO_SUCH_SKU", "--out", str(tmp_path / "wrong"))
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "e.g. --series Agency_01/SKU_01" in wrong.stderr  # the form to type, before any training
    again = run_cli(*reuse, "--series", "Agency_01/SKU_02", "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "'sku': 'SKU_02'" in again.stdout
    assert not (only_run_dir(tmp_path / "again") / "demand_model").exists()  # used, not learned again


@pytest.mark.slow
def test_ctrl_c_saves_partial_results_and_resume_finishes(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "experiments.run",
            "ppo",
            "--timesteps",
            "200000",
            "--seeds",
            "1",
            "--eval-episodes",
            "100",
            "--out",
            str(tmp_path),
        ],  # fmt: skip
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob("*/tb/*")):
        time.sleep(1)
    time.sleep(10)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    run_dir = only_run_dir(tmp_path)
    assert proc.returncode == 130, err[-3000:]
    assert (run_dir / "models" / "ppo_seed0.partial.zip").is_file()
    assert "PARTIAL" in (run_dir / "results.md").read_text()
    resumed = run_cli("ppo", "--resume", str(run_dir), timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (run_dir / "models" / "ppo_seed0.zip").is_file()
    assert not (run_dir / "models" / "ppo_seed0.partial.zip").exists()
    assert "PARTIAL" not in (run_dir / "results.md").read_text()


@pytest.mark.parametrize(
    ("text", "cause"), [("agent: [\n", "ParserError"), ("agent: ppo\nseeds: [0]\ncolour: red\n", "colour")],
    ids=["not-yaml", "unknown-key"],
)  # fmt: skip
def test_damaged_run_config_names_the_file(tmp_path: Path, text: str, cause: str) -> None:
    from experiments.config import ExperimentConfig

    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"config.yaml: not a run's config.yaml.*{cause}"):
        ExperimentConfig.from_yaml(path)
