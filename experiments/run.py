"""The main job: ``python -m experiments.run {ppo,dqn,baselines,all}``.

Trains the learned agents (one process per core, several seeds), scores every policy on the same
held-out episodes against the exact optimum, and writes a run folder::

    runs/<scenario>__<agent>__<time>/
        config.yaml  command.txt  tb/  models/  curves/  episodes.csv  results.csv  results.md  figures/

Ctrl-C saves what was trained and scores it (``--resume RUN_DIR`` continues the run). A bad
flag or a bad input file prints a message and exits with code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from tqdm import tqdm

from agents.sb3_agents import accepted_hyperparams, load_hyperparams
from demand_models.atomic import write_text_atomic
from experiments.config import AGENTS, CURVE_SEED_OFFSET, EVAL_SEED_OFFSET, ExperimentConfig
from experiments.plots import write_figures
from experiments.scoring import Scoreboard
from experiments.setup import resolve_environment
from experiments.train import TrainTask, init_worker, load_trained, spawn_context, train_seed

QUICK = {"timesteps": 2_048, "seeds": (0,), "eval_episodes": 100, "curve_episodes": 16, "eval_freq": 1_024}


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="python -m experiments.run",
        description="Train pricing agents and score them with every baseline against the exact optimum.",
    )  # fmt: skip
    p.add_argument("agent", choices=AGENTS, help="what to train; every run also scores all baselines and the optimum")
    p.add_argument("--env", default="DynamicPricing-v0", help="registered env id (default DynamicPricing-v0)")
    p.add_argument(
        "--set",
        dest="env_set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="env setting, e.g. --set horizon=16 --set stock_ratio=0.6 (repeatable; YAML values)",
    )
    p.add_argument(
        "--hyperparams",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a YAML hyperparameter of each learned agent that takes it, "
        "e.g. --hyperparams ent_coef=0.03 (repeatable)",
    )
    p.add_argument("--timesteps", type=int, default=None, help="training steps per agent and seed (default: YAML)")
    p.add_argument("--seeds", type=int, default=5, help="training seeds per learned agent (default 5)")
    p.add_argument("--eval-episodes", type=int, default=2000, help="held-out episodes per policy (default 2000)")
    p.add_argument("--workers", type=int, default=2, help="training processes (default 2, one per core here)")
    p.add_argument("--model", dest="model_dir", default=None, help="a trained demand-model folder to use")
    p.add_argument("--series", default=None, help="series to price, key values joined by '/', e.g. 101/1")
    p.add_argument("--data", default=None, help="sales history (CSV/Parquet) to learn the demand model from")
    p.add_argument("--map", dest="mapping", default=None, help="YAML column mapping of --data")
    p.add_argument("--drop-invalid", action="store_true", help="drop invalid rows of --data (reported)")
    p.add_argument("--out", default="runs", help="folder of run folders (default runs)")
    p.add_argument("--quick", action="store_true", help="smoke run: 1 seed, 2k steps, 100 episodes (< 1 min)")
    p.add_argument("--resume", default=None, metavar="RUN_DIR", help="continue an interrupted run")
    return p


def _key_values(items: list[str], flag: str) -> dict[str, Any]:
    """``KEY=VALUE`` strings to a dict of YAML values (raises ValueError naming ``flag``)."""
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"{flag} expects KEY=VALUE, got {item!r}")
        try:
            values[key] = yaml.safe_load(value)
        except yaml.YAMLError as err:
            raise ValueError(f"{flag} {key}: {value!r} is not a YAML value ({err.problem})") from None
    return values


def config_from_args(args: argparse.Namespace) -> ExperimentConfig:
    """The run's settings from parsed arguments (raises ValueError on a bad value)."""
    cfg = ExperimentConfig(
        agent=args.agent, env_id=args.env, env_kwargs=_key_values(args.env_set, "--set"),
        hyperparams=_key_values(args.hyperparams, "--hyperparams"), timesteps=args.timesteps,
        seeds=tuple(range(args.seeds)), eval_episodes=args.eval_episodes, workers=args.workers,
        model_dir=args.model_dir, series=None if args.series is None else tuple(args.series.split("/")),
        data=args.data, mapping=args.mapping, drop_invalid=args.drop_invalid, quick=args.quick,
    )  # fmt: skip
    if args.quick:
        cfg = replace(cfg, **{k: v for k, v in QUICK.items() if k != "timesteps" or args.timesteps is None})
    return cfg


def _run_dir(cfg: ExperimentConfig, out: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = Path(out) / f"{cfg.env_name}__{cfg.agent}__{stamp}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = Path(out) / f"{cfg.env_name}__{cfg.agent}__{stamp}-{suffix}"
    return path


def _train_all(tasks: list[TrainTask], workers: int) -> tuple[list[dict[str, Any]], bool]:
    """Train every task in worker processes with one progress bar; returns results and whether interrupted."""
    results: list[dict[str, Any]] = []
    interrupted = False
    if not tasks:
        return results, interrupted
    if len(tasks) == 1 or workers == 1:  # no process start-up cost when there is nothing to parallelise
        init_worker(None)
        with tqdm(total=sum(t.total_timesteps for t in tasks), unit="step", desc="training") as bar:
            for task in tasks:
                results.append(train_seed(task, bar.update))
                interrupted = interrupted or results[-1]["status"] == "interrupted"
        return results, interrupted
    ctx = spawn_context()
    progress = ctx.Queue()
    total = sum(t.total_timesteps for t in tasks)
    pool = ProcessPoolExecutor(min(workers, len(tasks)), mp_context=ctx, initializer=init_worker, initargs=(progress,))
    with pool, tqdm(total=total, unit="step", desc="training") as bar:
        futures = {pool.submit(train_seed, task): task for task in tasks}
        pending = set(futures)
        while pending:
            try:
                for future in as_completed(pending, timeout=0.5):
                    pending.discard(future)
                    results.append(future.result())
            except TimeoutError:
                pass
            except KeyboardInterrupt:
                interrupted = True
                bar.write("interrupted: saving what was trained ...")
            while not progress.empty():
                bar.update(progress.get())
    return results, interrupted


def run(cfg: ExperimentConfig, run_dir: Path, resumed: bool = False) -> bool:
    """Train, score and report one run into ``run_dir``; returns whether Ctrl-C cut the training short."""
    started, started_at = time.perf_counter(), time.strftime("%Y-%m-%dT%H:%M:%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    if not resumed:
        write_text_atomic(run_dir / "config.yaml", cfg.to_yaml())
        write_text_atomic(
            run_dir / "command.txt",
            shlex.join([sys.executable, "-m", "experiments.run", *sys.argv[1:]]) + "\n",
        )
    env_id, env_kwargs, history = resolve_environment(cfg, run_dir)
    board = Scoreboard(env_id, env_kwargs, range(EVAL_SEED_OFFSET, EVAL_SEED_OFFSET + cfg.eval_episodes))
    curve_board = Scoreboard(env_id, env_kwargs, range(CURVE_SEED_OFFSET, CURVE_SEED_OFFSET + cfg.curve_episodes))
    # The optimal policy on the curve episodes themselves: curve points are then paired (same draws).
    curve_optimum = float(curve_board.runner.run(curve_board.optimal).episodes["profit"].mean()) if cfg.learned else 0.0
    tasks = []
    for algo in cfg.learned:
        overrides = {k: v for k, v in cfg.hyperparams.items() if k in accepted_hyperparams(algo)}
        params = {**load_hyperparams(algo, cfg.env_id), **overrides}
        steps = cfg.timesteps if cfg.timesteps is not None else int(params["total_timesteps"])
        for seed in cfg.seeds:
            task = TrainTask(
                algo=algo, env_id=env_id, env_kwargs=env_kwargs, reward_scale=board.reward_scale, seed=seed,
                total_timesteps=steps, params=params, run_dir=run_dir, curve_seeds=tuple(curve_board.seeds),
                curve_optimum=curve_optimum, eval_freq=cfg.eval_freq,
            )  # fmt: skip
            if not task.model_path().exists():
                tasks.append(task)
    print(
        f"run folder: {run_dir}\noptimum (exact DP, mean over {cfg.eval_episodes} episodes): {board.optimum_mean:,.2f}"
    )
    results, interrupted = _train_all(tasks, cfg.workers)
    for result in sorted(results, key=lambda r: r["name"]):
        print(f"  {result['name']}: {result['status']} after {result['timesteps']:,} steps")
    trained_seconds = time.perf_counter() - started
    table, episodes, trajectories = board.score(load_trained(run_dir, cfg.learned), history)
    report = board.report(run_dir, table, episodes, partial=interrupted)
    write_figures(run_dir, table, trajectories, board)
    with open(run_dir / "timings.csv", "a", encoding="utf-8") as log:  # one line per invocation (resumes too)
        if log.tell() == 0:
            log.write("started,trained_seconds,total_seconds,resumed\n")
        log.write(
            f"{started_at},{trained_seconds:.1f},"
            f"{time.perf_counter() - started:.1f},{resumed}\n"
        )
    print(report.read_text(encoding="utf-8"))
    if interrupted:
        print(f"interrupted: partial results written; continue with --resume {run_dir}", file=sys.stderr)
    return interrupted


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for a user error, 130 after Ctrl-C)."""
    # Ctrl-C must interrupt even when the caller started us with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args = parser().parse_args(argv)
    try:
        if args.resume:
            run_dir = Path(args.resume)
            if not (run_dir / "config.yaml").is_file():
                raise ValueError(f"--resume {run_dir}: no config.yaml there (not a run folder)")
            interrupted = run(ExperimentConfig.from_yaml(run_dir / "config.yaml"), run_dir, resumed=True)
        else:
            cfg = config_from_args(args)
            run_dir = _run_dir(cfg, args.out)
            try:
                interrupted = run(cfg, run_dir)
            except (ValueError, FileNotFoundError):
                if not (run_dir / "models").exists() and not (run_dir / "results.csv").exists():
                    shutil.rmtree(run_dir, ignore_errors=True)  # a rejected command leaves no run folder
                raise
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
