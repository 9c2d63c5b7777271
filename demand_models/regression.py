"""Log-log least squares demand: the interpretable baseline of the neural model.

``log units = alpha_series + e_g log(p / p_ref) + b_g . promos + c_g . season + d_g . log(p_comp / ref)
+ eps``, ``eps ~ Normal(0, sigma^2)``, with series fixed effects ``alpha`` and one coefficient
vector per group ``g`` (by default the last series key, e.g. the brand; ``group_key=None`` pools
all series). ``e_g`` is the own-price elasticity of the median, and of the mean since ``sigma``
does not depend on price. The fixed effects are absorbed by demeaning within series (the
within estimator), so the design never holds a column per series. The residual scale is
calibrated on the validation weeks like the neural model's, so both have a predictive
distribution and a comparable likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from demand_models.bound import BoundDemand
from demand_models.evaluation import calibrate_scale
from demand_models.features import (
    FeatureSpec,
    Inputs,
    SeriesKey,
    build_spec,
    encode,
    log_units,
    season_harmonics,
)
from demand_models.history import SalesHistory

RIDGE = 1e-9


@dataclass(frozen=True)
class RegressionConfig:
    """Options of the least-squares fit.

    Attributes:
        group_key: series key column whose values get their own coefficients, "" for the last
            key, None to pool all series.
    """

    group_key: str | None = ""


@dataclass(frozen=True)
class RegressionDemandModel:
    """A fitted log-log regression over many series.

    Attributes:
        spec: the feature encoding.
        config: the fit options.
        coef: ``(G, 1 + n_context)``; column 0 is the own-price elasticity of each group.
        series_group: ``(S,)`` group of each series.
        alpha: ``(S,)`` series fixed effects.
        sigma: residual standard deviation of log units, calibrated on the validation weeks.
    """

    spec: FeatureSpec
    config: RegressionConfig
    coef: np.ndarray
    series_group: np.ndarray
    alpha: np.ndarray
    sigma: float

    def log_params_inputs(self, inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units for encoded inputs."""
        series = inputs.series
        design = np.column_stack([inputs.log_rel_price, inputs.context])
        mu = self.alpha[series] + np.einsum("ij,ij->i", design, self.coef[self.series_group[series]])
        return mu, np.full_like(mu, self.sigma)

    def log_params(self, history: SalesHistory) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units for every row of ``history``."""
        return self.log_params_inputs(encode(self.spec, history))

    def elasticity(self) -> np.ndarray:
        """``(S,)`` own-price elasticity of each series."""
        return self.coef[self.series_group, 0]

    def bind(self, series_key: SeriesKey) -> BoundRegressionDemand:
        """The demand model of one series, e.g. ``bind((store, brand))``."""
        return BoundRegressionDemand(self, tuple(series_key))


class BoundRegressionDemand(BoundDemand):
    """`RegressionDemandModel` restricted to one series; a `DemandModel`."""

    def __init__(self, model: RegressionDemandModel, series_key: SeriesKey) -> None:
        super().__init__(model.spec, series_key)
        spec = model.spec
        index = spec.series_index(series_key)
        coef = model.coef[model.series_group[index]]
        n_promo = len(spec.promo_columns)
        own = spec.profiles[index].own_index
        competitor_coef = np.delete(coef[1 + n_promo + 4 :], own) if own >= 0 else coef[1 + n_promo + 4 :]
        self.elasticity = float(coef[0])
        self._promo_coef = coef[1 : 1 + n_promo]
        self._season_coef = coef[1 + n_promo : 1 + n_promo + 4]
        self._competitor_coef = competitor_coef
        self._intercept = float(model.alpha[index]) - self.elasticity * self._log_ref_price
        self._intercept -= (
            float(self._competitor_log_reference @ competitor_coef) if competitor_coef.size else 0.0
        )
        self._sigma = model.sigma

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Location ``mu`` and scale ``sigma`` of log units, shapes ``(B,)`` each."""
        price, features = self._check(price, features)
        n = self._n_promo
        mu = (
            self._intercept
            + self.elasticity * np.log(price)
            + features[:, :n] @ self._promo_coef
            + season_harmonics(features[:, n], self.season_length) @ self._season_coef
            + self._competitor_logs(features) @ self._competitor_coef
        )
        return mu, np.full_like(mu, self._sigma)

    def price_elasticity(self, price: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Own-price elasticity, the group's price coefficient, shape ``(B,)``."""
        return np.full(np.shape(np.asarray(price).reshape(-1)), self.elasticity)


def _group_codes(spec: FeatureSpec, group_key: str | None) -> np.ndarray:
    if group_key is None or not spec.series_keys:
        return np.zeros(len(spec.series), dtype=np.int64)
    column = spec.series_keys.index(group_key or spec.series_keys[-1])
    levels = pd.Index(spec.key_levels[column])
    return levels.get_indexer([key[column] for key in spec.series]).astype(np.int64)


def _demean(values: np.ndarray, series: np.ndarray, n_series: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(series, minlength=n_series).astype(np.float64)
    indicator = sparse.csr_matrix(
        (np.ones(len(series)), (series, np.arange(len(series)))), shape=(n_series, len(series))
    )
    means = (indicator @ values) / np.maximum(counts, 1.0)[:, None]
    return values - means[series], means


def fit_regression(
    train: SalesHistory, val: SalesHistory, config: RegressionConfig | None = None
) -> RegressionDemandModel:
    """Least squares on ``train``; the residual scale is calibrated on ``val``.

    Args:
        train: the training weeks.
        val: the validation weeks, used only to calibrate the 90% interval.
        config: fit options.

    Returns:
        The fitted model.
    """
    config = config or RegressionConfig()
    spec = build_spec(train)
    inputs = encode(spec, train)
    series_group = _group_codes(spec, config.group_key)
    n_groups = int(series_group.max()) + 1
    width = 1 + spec.n_context
    row_group = series_group[inputs.series]
    base = np.column_stack([inputs.log_rel_price, inputs.context])
    design = np.zeros((len(base), n_groups * width))
    for g in range(n_groups):
        rows = row_group == g
        design[rows, g * width : (g + 1) * width] = base[rows]
    y = log_units(inputs.units)
    n_series = len(spec.series)
    design_w, design_means = _demean(design, inputs.series, n_series)
    y_w, y_means = _demean(y[:, None], inputs.series, n_series)
    gram = design_w.T @ design_w
    scale = np.maximum(np.diag(gram), 1.0)
    # Normal equations with a negligible ridge: columns that are all zero (a group's own product
    # among its competitors) get coefficient 0 instead of making the system singular.
    beta = np.linalg.solve(gram + RIDGE * np.diag(scale), design_w.T @ y_w[:, 0])
    rank = int(np.count_nonzero(np.diag(gram) > 0))
    alpha = y_means[:, 0] - design_means @ beta
    resid = y_w[:, 0] - design_w @ beta
    dof = max(len(y) - n_series - rank, 1)
    model = RegressionDemandModel(
        spec=spec,
        config=config,
        coef=beta.reshape(n_groups, width),
        series_group=series_group,
        alpha=alpha,
        sigma=float(np.sqrt(resid @ resid / dof)),
    )
    val_inputs = encode(spec, val)
    mu, sigma = model.log_params_inputs(val_inputs)
    scale = calibrate_scale(mu, sigma, val_inputs.units)
    return RegressionDemandModel(
        spec=spec,
        config=config,
        coef=model.coef,
        series_group=series_group,
        alpha=alpha,
        sigma=model.sigma * scale,
    )
