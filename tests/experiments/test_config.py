"""The run's config: which agents a run trains."""

from __future__ import annotations

from agents.sb3_agents import load_hyperparams
from experiments.config import ExperimentConfig


def test_price_change_limit_trains_maskable_ppo_with_ppo_hyperparameters() -> None:
    assert ExperimentConfig(agent="all").learned == ("ppo", "dqn")
    masked = ExperimentConfig(agent="all", env_kwargs={"max_price_change": 0.3})
    assert masked.learned == ("maskable_ppo", "dqn")  # SB3's DQN takes no masks: the env moves its price
    assert load_hyperparams("maskable_ppo", "DynamicPricing-v0") == load_hyperparams("ppo", "DynamicPricing-v0")
