"""Measure the env's speed and the DP's: ``python -m experiments.speed [--demand pretrained]``.

Prints and writes JSON (default ``benchmarks/speed.json``) with: the single-env step time
(discrete price grid, and continuous prices where every step calls the demand model), batched
env-steps per second at N = 1,024, the DP solve time of the clearance and replenishment
scenarios, and the best fixed price as a share of the DP optimum in the default scenario
(over a spread of replayed calendars).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from agents.dp import solve_dp
from envs.config import scenario_config
from envs.pricing_env import DynamicPricingEnv
from envs.vector_env import DynamicPricingVectorEnv
from experiments.dynamic_value import fixed_price_share


def single_step_microseconds(env: DynamicPricingEnv, steps: int) -> float:
    """Mean wall time of ``env.step`` (resets excluded) over ``steps`` random actions."""
    env.reset(seed=0)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(steps)]
    elapsed = 0.0
    for action in actions:
        start = time.perf_counter()
        _, _, terminated, _, _ = env.step(action)
        elapsed += time.perf_counter() - start
        if terminated:
            env.reset()
    return 1e6 * elapsed / steps


def batched_steps_per_second(venv: DynamicPricingVectorEnv, steps: int) -> float:
    """Env-steps per second of the vector env (autoresets included) with random actions."""
    venv.reset(seed=0)
    venv.action_space.seed(0)
    actions = [venv.action_space.sample() for _ in range(16)]
    start = time.perf_counter()
    for i in range(steps):
        venv.step(actions[i % 16])
    return steps * venv.num_envs / (time.perf_counter() - start)


def model_batch_milliseconds(demand: str, batch: int, repeats: int) -> float:
    """Mean wall time of one ``log_params`` call of the env's demand model on ``batch`` new contexts."""
    env = DynamicPricingEnv(demand=demand)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    features = env.calendar.features(env.model)[rng.integers(0, env.market.horizon, batch)]
    prices = rng.uniform(env.market.prices[0], env.market.prices[-1], batch)
    env.model.log_params(prices, features)  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        env.model.log_params(prices, features)
    return 1e3 * (time.perf_counter() - start) / repeats


def dp_seconds(scenario: str, demand: str, repeats: int) -> float:
    """Best-of-``repeats`` wall time of ``solve_dp`` for one calendar of the scenario."""
    env = DynamicPricingEnv(scenario_config(scenario, demand=demand))
    env.reset(seed=0)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        solve_dp(env.config, env.calendar, env.model)
        times.append(time.perf_counter() - start)
    return min(times)


def measure(demand: str = "pretrained", quick: bool = False) -> dict[str, Any]:
    """Run every measurement.

    Args:
        demand: ``"standin"`` or ``"pretrained"``.
        quick: fewer repetitions (a smoke run).

    Returns:
        The figures, JSON-ready.
    """
    steps = 2_000 if quick else 50_000
    return {
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
        },
        "demand": demand,
        "single_step_us": {
            "discrete": single_step_microseconds(DynamicPricingEnv(demand=demand), steps),
            "continuous": single_step_microseconds(DynamicPricingEnv(demand=demand, action_type="continuous"), steps),
        },
        "batched_steps_per_s_n1024": {
            "discrete": batched_steps_per_second(DynamicPricingVectorEnv(1024, demand=demand), 50 if quick else 500),
            "continuous": batched_steps_per_second(
                DynamicPricingVectorEnv(1024, demand=demand, action_type="continuous"), 50 if quick else 500
            ),
        },
        "model_batch_1024_ms": model_batch_milliseconds(demand, 1024, 5 if quick else 50),
        "dp_seconds": {
            "clearance": dp_seconds("clearance", demand, 1 if quick else 5),
            "replenish": dp_seconds("replenish", demand, 1),
        },
        "default_scenario": fixed_price_share(3 if quick else 20, demand=demand),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Parse arguments, measure, print and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demand", choices=["standin", "pretrained"], default="pretrained")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/speed.json"))
    args = parser.parse_args(argv)
    results = measure(args.demand, args.quick)
    text = json.dumps(results, indent=2)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    return results


if __name__ == "__main__":
    main()
