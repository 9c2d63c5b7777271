"""DynamicPricingEnv: determinism, hand-computed arithmetic, calendars, errors."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from agents.dp import solve_dp
from envs.config import PricingEnvConfig
from envs.pricing_env import DynamicPricingEnv

SEEDS = [0, 1, 2]
ACTION_TYPES = ["discrete", "continuous"]


def rollout(env: gym.Env, seed: int, steps: int = 50) -> list[tuple]:
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    trajectory = [obs.tobytes()]
    for _ in range(steps):
        obs, reward, terminated, _, info = env.step(env.action_space.sample())
        trajectory.append((obs.tobytes(), reward, info["demand"]))
        if terminated:
            obs, _ = env.reset()
            trajectory.append(obs.tobytes())
    return trajectory


@pytest.mark.parametrize("action_type", ACTION_TYPES)
@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed{s}" for s in SEEDS])
def test_same_seed_same_trajectory(seed: int, action_type: str) -> None:
    first = rollout(gym.make("DynamicPricing-v0", action_type=action_type), seed)
    second = rollout(gym.make("DynamicPricing-v0", action_type=action_type), seed)
    assert first == second


@pytest.mark.parametrize(
    "env_id", ["DynamicPricing-v0", "DynamicPricingReplenish-v0", "DynamicPricingJoint-v0"]
)
def test_different_seeds_differ(env_id: str) -> None:
    assert rollout(gym.make(env_id), 0) != rollout(gym.make(env_id), 1)


STUB = dict(n_prices=3, holding_cost=0.1, salvage_value=0.5, calendar={"start": 0})


def test_clearance_arithmetic_against_constant_demand(constant_demand) -> None:
    env = DynamicPricingEnv(
        PricingEnvConfig(horizon=3, opening_stock=25, stockout_penalty=0.2, **STUB), model=constant_demand
    )
    env.reset(seed=0)
    steps = [env.step(1) for _ in range(3)]  # price 3.0, 10 units demanded each period
    rewards = [s[1] for s in steps]
    infos = [s[4] for s in steps]
    # period 0: revenue 30, opening stock 25 x 1.5 = 37.5, holding 15 x 0.1
    assert rewards[0] == pytest.approx(30 - 37.5 - 1.5)
    assert rewards[1] == pytest.approx(30 - 0.5)
    # period 2: 5 sold, 5 lost (penalty 0.2 each), nothing to hold or salvage
    assert rewards[2] == pytest.approx(15 - 1.0)
    assert [i["sales"] for i in infos] == [10, 10, 5] and infos[2]["lost_sales"] == 5
    assert infos[0]["revenue"] == pytest.approx(30) and infos[0]["margin"] == pytest.approx(30 - 15)
    assert [s[2] for s in steps] == [False, False, True] and not any(s[3] for s in steps)


def test_salvage_and_reward_scale_against_constant_demand(constant_demand) -> None:
    config = PricingEnvConfig(horizon=3, opening_stock=35, reward_scale=0.01, **STUB)
    env = DynamicPricingEnv(config, model=constant_demand)
    env.reset(seed=0)
    for _ in range(2):
        env.step(2)  # price 4.0
    _, reward, terminated, _, info = env.step(2)
    assert terminated and info["salvage"] == pytest.approx(5 * 0.5)
    assert info["profit"] == pytest.approx(40 - 0.5 + 2.5) and reward == pytest.approx(0.01 * info["profit"])


def test_order_up_to_lead_time_arrivals_against_constant_demand(constant_demand) -> None:
    config = PricingEnvConfig(
        horizon=5, replenishment="order_up_to", order_up_to=30, lead_time=2, fixed_order_cost=2.0, **STUB
    )
    env = DynamicPricingEnv(config, model=constant_demand)
    obs, _ = env.reset(seed=0)
    assert obs[env.obs_index["stock"]] == 1.0 and obs[env.obs_index["pipeline_1"]] == 0.0
    results = [env.step(1) for _ in range(5)]
    infos = [r[4] for r in results]
    assert [i["order"] for i in infos] == [0, 10, 10, 0, 0]  # no order that would arrive after the season
    assert [i["arrival"] for i in infos] == [0, 0, 10, 10, 0]  # two periods after ordering
    assert [i["stock"] for i in infos] == [20, 10, 10, 10, 0]
    expected = [30 - 45 - 2.0, 30 - 15 - 2 - 1.0, 30 - 15 - 2, 30, 30]
    assert [r[1] for r in results] == pytest.approx(expected)
    assert results[1][0][env.obs_index["pipeline_1"]] == pytest.approx(10 / 30)


def test_agent_orders_are_cut_to_capacity(constant_demand) -> None:
    config = PricingEnvConfig(
        horizon=4,
        replenishment="agent",
        max_order=30,
        n_order_levels=4,
        capacity=40,
        opening_stock=20,
        **STUB,
    )
    env = DynamicPricingEnv(config, model=constant_demand)
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.array([1, 3]))  # asks for 30, only 40 - 20 fit
    assert info["order"] == 20 and info["purchase_cost"] == pytest.approx(1.5 * (20 + 20))
    assert info["stock"] == 10 + 20  # arrives after lead time 1


def test_noise_off_demand_is_the_rounded_mean() -> None:
    env = gym.make("DynamicPricing-v0", noise=False).unwrapped
    env.reset(seed=0)
    _, _, _, _, info = env.step(10)
    features = env.calendar.features(env.model)[:1]
    assert info["demand"] == np.rint(env.model.expected_demand(np.array([info["price"]]), features))[0]


# ---------------------------------------------------------------- calendars


def test_replayed_calendar_is_exposed_and_chosen_by_reset_option() -> None:
    env = gym.make("DynamicPricing-v0").unwrapped
    env.reset(seed=0, options={"start": 7})
    frame = env.calendar.frame()
    assert env.calendar.start == 7 and len(frame) == env.config.horizon
    assert {"season", "deal", "feat"} <= set(frame.columns)


def test_user_csv_and_yaml_calendars(tmp_path) -> None:
    rows = [{"season": s % 52, "deal": float(s % 3 == 0), "feat": float(s % 5 == 0)} for s in range(20)]
    csv = tmp_path / "calendar.csv"
    csv.write_text("season,deal,feat\n" + "".join(f"{r['season']},{r['deal']},{r['feat']}\n" for r in rows))
    yaml_path = tmp_path / "calendar.yaml"
    yaml_path.write_text(
        "periods:\n"
        + "".join(f"  - {{season: {r['season']}, deal: {r['deal']}, feat: {r['feat']}}}\n" for r in rows)
    )
    calendars = []
    for path in (csv, yaml_path):
        env = gym.make(
            "DynamicPricing-v0", calendar={"source": "file", "path": str(path), "start": 2, "competitors": "hold"}
        ).unwrapped
        env.reset(seed=0)
        calendars.append(env.calendar.frame())
        assert env.calendar.promos[:, 0].tolist() == [r["deal"] for r in rows[2:15]]
        assert solve_dp(env.config, env.calendar).value > 0
    assert calendars[0].equals(calendars[1])


def test_random_calendar_uses_rates_and_the_env_generator() -> None:
    always = gym.make(
        "DynamicPricing-v0", calendar={"source": "random", "promo_rates": {"deal": 1.0, "feat": 0.0}}
    )
    always.reset(seed=0)
    assert always.unwrapped.calendar.promos[:, 0].all() and not always.unwrapped.calendar.promos[:, 1].any()
    env = gym.make("DynamicPricing-v0", calendar={"source": "random"}).unwrapped
    env.reset(seed=3)
    first = env.calendar.frame()
    env.reset(seed=3)
    assert env.calendar.frame().equals(first)
    env.reset(seed=4)
    assert not env.calendar.frame().equals(first)


def test_held_competitor_prices_reach_the_model_features() -> None:
    from envs.calendar import Calendar

    calendar = Calendar(
        season=np.arange(3),
        promos=np.zeros((3, 1)),
        promo_names=("deal",),
        competitors=np.full((3, 1), 2.5),
        competitor_names=("price2",),
    )

    class Model:
        feature_names = ("price2", "season", "deal")
        feature_roles = {"price2": "competitor", "season": "season", "deal": "promo"}

    np.testing.assert_array_equal(calendar.features(Model())[:, 0], [2.5, 2.5, 2.5])


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "action",
    [21, -1, 2.5, np.array([1, 2]), np.array(3.0), "3"],
    ids=["too-high", "negative", "float", "wrong-shape", "float-array", "string"],
)
def test_bad_discrete_actions_raise(action) -> None:
    env = gym.make("DynamicPricing-v0").unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action|index"):
        env.step(action)


@pytest.mark.parametrize(
    "action",
    [
        np.array([np.nan], dtype=np.float32),
        np.array([1.5], dtype=np.float32),
        np.array([0.1, 0.2]),
        np.float32(0.3),
    ],
    ids=["nan", "out-of-range", "wrong-shape", "scalar"],
)
def test_bad_continuous_actions_raise(action) -> None:
    env = gym.make("DynamicPricing-v0", action_type="continuous").unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(action)


def test_joint_order_index_out_of_range_raises() -> None:
    env = gym.make("DynamicPricingJoint-v0").unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match="order index"):
        env.step(np.array([1, 99]))


@pytest.mark.parametrize(
    "overrides, setting",
    [
        ({"horizon": 0}, "horizon"),
        ({"n_prices": 1}, "n_prices"),
        ({"price_min": 3.0, "price_max": 2.0}, "price_min"),
        ({"action_type": "beta"}, "action_type"),
        ({"lookahead": -1}, "lookahead"),
        ({"reward_scale": 0.0}, "reward_scale"),
        ({"holding_cost": -1.0}, "holding_cost"),
        ({"salvage_value": float("nan")}, "salvage_value"),
        ({"replenishment": "order_up_to"}, "order_up_to"),
        ({"replenishment": "agent"}, "max_order"),
        ({"lead_time": 0}, "lead_time"),
        ({"opening_stock": -5}, "opening_stock"),
        ({"opening_stock": 50, "capacity": 10}, "capacity"),
        ({"max_price_change": 0.01, "initial_price": 2.05}, "max_price_change"),
        ({"calendar": {"source": "file"}}, "calendar.path"),
        ({"calendar": {"source": "tv"}}, "calendar.source"),
        ({"calendar": {"source": "random", "promo_rates": {"deal": 2.0, "feat": 0.1}}}, "promo_rates"),
        ({"calendar": {"source": "random", "promo_rates": {"deal": 0.2}}}, "promo_rates"),
        ({"calendar": {"start": 500}}, "calendar.start"),
        ({"calendar": {"source": "file", "path": "/nonexistent.csv"}}, "does not exist"),
        ({"calendar": {"promo_rates": [0.1]}}, "calendar.promo_rates must map names to numbers"),
        ({"calendar": {"bogus": 1}}, "unknown calendar setting.*bogus"),
        ({"initial_price": 100.0}, "initial_price must lie in the price range"),
        ({"colour": "red"}, "unknown setting"),
        ({"demand": "oracle"}, "demand"),
    ],
    ids=lambda value: "-".join(map(str, value)) if isinstance(value, dict) else str(value),
)
def test_bad_settings_raise_naming_the_setting(overrides: dict, setting: str) -> None:
    with pytest.raises(ValueError, match=setting):
        gym.make("DynamicPricing-v0", **overrides)


def test_unknown_scenario_and_reset_options_raise() -> None:
    with pytest.raises(ValueError, match="scenario"):
        DynamicPricingEnv(scenario="auction")
    env = DynamicPricingEnv()
    with pytest.raises(ValueError, match="reset option"):
        env.reset(seed=0, options={"stock": 3})
    with pytest.raises(RuntimeError, match="reset"):
        DynamicPricingEnv().step(0)


class CompetitorDemand:
    """Ten units, doubled when brand 4 costs more than $2.50: exercises competitor prices."""

    feature_names = ("deal", "feat", "season", "price4")
    feature_roles = {"deal": "promo", "feat": "promo", "season": "season", "price4": "competitor"}
    season_length = 52
    reference_price = 3.0
    price_range = (2.0, 4.0)
    unit_cost = 1.5
    mean_units = 10.0

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mu = np.log(10.0) + np.log(2.0) * (features[:, 3] > 2.5)
        return mu, np.full_like(mu, 0.2)

    def pmf(self, price: np.ndarray, features: np.ndarray, n_max: int) -> np.ndarray:
        from demand_models import lognormal

        return lognormal.pmf(*self.log_params(price, features), n_max)


def test_competitor_prices_are_replayed_or_held() -> None:
    model = CompetitorDemand()
    replayed = DynamicPricingEnv(PricingEnvConfig(calendar={"start": 0, "competitors": "replay"}), model=model)
    obs, _ = replayed.reset(seed=0)
    first_week_price4 = 1.89  # envs/calendars/dominicks_101_1.csv, week 40
    assert obs[replayed.obs_index["competitor_price4"]] == pytest.approx(first_week_price4 / 3.0)
    assert replayed.calendar.competitors[:, 0].std() > 0
    held = DynamicPricingEnv(
        PricingEnvConfig(calendar={"competitors": "hold", "competitor_prices": {"price4": 2.75}}), model=model
    )
    held.reset(seed=0)
    assert np.all(held.calendar.features(model)[:, 3] == 2.75)
    cheap = DynamicPricingEnv(
        held.config.with_overrides(calendar={"competitor_prices": {"price4": 2.0}}), model=model
    )
    cheap.reset(seed=0)
    dear_value = solve_dp(held.config, held.calendar, model).value
    assert dear_value > solve_dp(cheap.config, cheap.calendar, model).value  # a dearer rival doubles demand
    default_hold = DynamicPricingEnv(
        PricingEnvConfig(calendar={"source": "random", "competitors": "hold"}), model=model
    )
    default_hold.reset(seed=0)
    assert 1.5 < default_hold.calendar.competitors[0, 0] < 3.5  # the history's mean
