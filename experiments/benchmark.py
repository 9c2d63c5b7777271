"""The project's benchmark: ``python -m experiments.benchmark [--quick]``.

Measures on this machine, and writes ``benchmarks/results.json`` and ``benchmarks/results.md``:

1. policy quality on ``DynamicPricing-v0`` and ``DynamicPricingReplenish-v0``: every policy as %
   of the exact optimum, learned agents per training seed, through the main job itself
   (``experiments.run``), whose wall time with defaults is measured too;
2. speed: env steps per second (single env with the neural model, batched at N = 1,024), PPO and
   DQN training steps per second, DP solve time;
3. the demand model: the shipped model card, neural and regression side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import pandas as pd
from stable_baselines3.common.vec_env import VecMonitor

from agents.sb3_agents import load_hyperparams, make_agent
from demand_models.atomic import write_text_atomic
from demand_models.persistence import PRETRAINED_DIR
from envs.sb3_vec_env import SB3VecEnv
from experiments import dynamic_value, speed
from experiments.config import ExperimentConfig
from experiments.run import QUICK, run


def training_steps_per_second(algo: str, steps: int) -> float:
    """SB3 training throughput with the YAML hyperparameters (8 envs, one torch thread)."""
    params = load_hyperparams(algo, "DynamicPricing-v0")
    venv = VecMonitor(SB3VecEnv(gym.make_vec("envs:DynamicPricing-v0", int(params["n_envs"]),
                                             vectorization_mode="vector_entry_point", reward_scale=0.002)))  # fmt: skip
    model = make_agent(algo, venv, params, seed=0, tensorboard_log=None)
    model.learn(min(steps, 2_000))  # warm-up: buffers, first updates
    start = time.perf_counter()
    model.learn(steps, reset_num_timesteps=False)
    return steps / (time.perf_counter() - start)


def policy_quality(env_id: str, agent: str, quick: bool, out: Path) -> dict[str, Any]:
    """Run the main job (or re-score a finished run) and read back every policy's figures.

    A run folder already in ``out/runs`` is resumed: its trained models are kept and every policy
    is scored again, so the report can be rebuilt without training again; the wall time reported
    is that of the first, complete invocation (``timings.csv``).
    """
    cfg = ExperimentConfig(agent=agent, env_id=env_id)
    if quick:
        cfg = ExperimentConfig(agent=agent, env_id=env_id, **QUICK, quick=True)
    run_dir = out / "runs" / f"{env_id}__{agent}"
    run(cfg, run_dir, resumed=(run_dir / "config.yaml").is_file())
    timings = pd.read_csv(run_dir / "timings.csv")
    table = pd.read_csv(run_dir / "results.csv")
    episodes = pd.read_csv(run_dir / "episodes.csv")
    scale = 100.0 / episodes["optimum_exact"].mean()
    seeds = {}
    for algo in cfg.learned:
        columns = [c for c in episodes.columns if c.startswith(f"{algo}[")]
        gaps = [(episodes[c] - episodes["optimum_simulated"]).mean() for c in columns]
        seeds[algo] = [float(100.0 + g * scale) for g in gaps]  # paired, as in the results table
    steps = {a: (cfg.timesteps or int(load_hyperparams(a, env_id)["total_timesteps"])) for a in cfg.learned}
    return {
        "wall_seconds": float(timings["total_seconds"].iloc[0]),
        "table": table.to_dict("records"),
        "per_seed_pct": seeds,
        "timesteps": steps,
    }


def measure(quick: bool, out: Path) -> dict[str, Any]:
    """Every figure of the benchmark."""
    results: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "processor": platform.machine(),
            "date": time.strftime("%Y-%m-%d"),
        },  # fmt: skip
        "quick": quick,
    }
    quality = {
        "DynamicPricing-v0": {a: policy_quality("DynamicPricing-v0", a, quick, out) for a in ("ppo", "dqn")},
        "DynamicPricingReplenish-v0": {"all": policy_quality("DynamicPricingReplenish-v0", "all", quick, out)},
    }
    results["policy_quality"] = quality
    results["speed"] = speed.measure("pretrained", quick)
    steps = 2_000 if quick else 30_000
    results["speed"]["training_steps_per_s"] = {a: training_steps_per_second(a, steps) for a in ("ppo", "dqn")}
    results["speed"]["run_ppo_default_wall_seconds"] = quality["DynamicPricing-v0"]["ppo"]["wall_seconds"]
    results["dynamic_value"] = dynamic_value.sweep(3 if quick else 20)
    results["demand_model"] = json.loads((PRETRAINED_DIR / "dominicks-oj" / "model_card.json").read_text())
    return results


def _policy_rows(runs: dict[str, dict[str, Any]]) -> list[str]:
    merged: dict[str, dict[str, Any]] = {}
    seeds: dict[str, list[float]] = {}
    for result in runs.values():
        for row in result["table"]:
            merged.setdefault(row["policy"], row)
        seeds.update(result["per_seed_pct"])
    resolving = merged.get("re-solving (fluid)", {}).get("pct_of_optimum")
    lines = [
        "| policy | % of optimum | 95% CI (% of optimum) | per seed | vs re-solving (pts) |",
        "|---|---:|---:|---|---:|",
    ]
    for name, row in sorted(merged.items(), key=lambda kv: -kv[1]["pct_of_optimum"]):
        per_seed = ", ".join(f"{p:.2f}" for p in seeds.get(name, [])) or "-"
        versus = f"{row['pct_of_optimum'] - resolving:+.2f}" if resolving is not None and name in seeds else ""
        lines.append(f"| {name} | {row['pct_of_optimum']:.2f} | +- {row['gap_ci95']:.2f} | {per_seed} | {versus} |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    """The benchmark as Markdown."""
    m = results["machine"]
    lines = [f"# Benchmark ({'QUICK smoke run, not the real figures' if results['quick'] else 'full'})", "",
             f"Machine: {m['cores']} cores, {m['processor']}, Python {m['python']}, {m['date']}. "
             "Rerun: `python -m experiments.benchmark`.", ""]  # fmt: skip
    for env_id, runs in results["policy_quality"].items():
        steps = {a: s for r in runs.values() for a, s in r["timesteps"].items()}
        lines += [f"## Policy quality: {env_id}", "",
                  "Training steps: " + ", ".join(f"{a.upper()} {s:,}" for a, s in steps.items()) + "; learned agents: "
                  "mean over training seeds (final checkpoint, not the best seen), CI over seeds; others: CI over "
                  "episodes. % of optimum = 100 + the paired gap to the optimal policy on the same draws.",
                  ""]  # fmt: skip
        lines += _policy_rows(runs) + [""]
    s = results["speed"]
    lines += [
        "## Speed", "",
        "| measure | value |", "|---|---:|",
        f"| single env step, neural demand, discrete prices (µs) | {s['single_step_us']['discrete']:.1f} |",
        f"| single env step, neural demand, continuous prices (µs) | {s['single_step_us']['continuous']:.1f} |",
        f"| batched env, N = 1,024, discrete (env-steps/s) | {s['batched_steps_per_s_n1024']['discrete']:,.0f} |",
        f"| batched env, N = 1,024, continuous (env-steps/s) | {s['batched_steps_per_s_n1024']['continuous']:,.0f} |",
        f"| demand model, one call on a batch of 1,024 contexts (ms) | {s['model_batch_1024_ms']:.2f} |",
        f"| PPO training, 8 envs, 1 process (steps/s) | {s['training_steps_per_s']['ppo']:,.0f} |",
        f"| DQN training, 8 envs, 1 process (steps/s) | {s['training_steps_per_s']['dqn']:,.0f} |",
        f"| DP solve, default scenario, one calendar (s) | {s['dp_seconds']['clearance']:.3f} |",
        f"| DP solve, replenishment scenario, one calendar (s) | {s['dp_seconds']['replenish']:.2f} |",
        f"| `python -m experiments.run ppo` with defaults, wall time (s) | {s['run_ppo_default_wall_seconds']:.0f} |",
        f"| best fixed price in the default scenario (% of optimum, per-calendar hindsight) "
        f"| {s['default_scenario']['best_fixed_pct_of_optimum']:.2f} |",
        "",
    ]  # fmt: skip
    lines += ["## What dynamic pricing can add (DynamicPricing-v0, one setting varied at a time)", "",
              "Best fixed price chosen per calendar in hindsight, as % of the exact optimum, over "
              f"{results['dynamic_value'][0]['calendars']} replayed calendars (range over calendars); exact DP, "
              "no training.", "",
              "| varies | value | best fixed price (% of optimum) | range | optimum ($) |",
              "|---|---|---:|---|---:|"]  # fmt: skip
    lines += [
        f"| {r['varies']} | {r['value']} | {r['best_fixed_pct_of_optimum']:.2f} "
        f"| {r['min_pct']:.1f}-{r['max_pct']:.1f} | {r['mean_optimum']:,.0f} |"
        for r in results["dynamic_value"]
    ]
    lines += [""]
    card = results["demand_model"]
    metrics = (
        "test_wmape",
        "test_mape",
        "test_mae",
        "test_log_r2",
        "test_nll",
        "interval_coverage_90",
        "monotone_share",
    )
    lines += ["## Demand model (Dominick's orange juice, last 20% of weeks held out)", "",
              "| metric | neural | regression |", "|---|---:|---:|"]  # fmt: skip
    lines += [f"| {k} | {card['neural'][k]:.4g} | {card['regression'][k]:.4g} |" for k in metrics]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure, write JSON and Markdown."""
    parser = argparse.ArgumentParser(prog="python -m experiments.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (minutes), not the real figures")
    parser.add_argument("--out", type=Path, default=Path("benchmarks"), help="output folder")
    args = parser.parse_args(argv)
    results = measure(args.quick, args.out)
    write_text_atomic(args.out / "results.json", json.dumps(results, indent=2, default=float) + "\n")
    text = markdown(results)
    write_text_atomic(args.out / "results.md", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
