"""The trained demand network in numpy: the inference path of evaluation and the environment.

The network (see `demand_models.neural`) maps a context ``c`` and the series' embeddings to
three heads ``(level, slope, scale)``; then

``mu = level + bias_series - max_slope * sigmoid(slope) * log(p / p_ref)``,
``sigma = sigma_scale * (min_sigma + softplus(scale))``.

`NumpyDemandNet` runs it for many series from the exported ``state_dict`` arrays. `BoundNet`
folds one series into the first layer (its embeddings, the input standardisation, the reference
prices and the season's sin/cos as a lookup table), so one call is a few small matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demand_models.features import FeatureSpec, season_harmonics


@dataclass(frozen=True)
class HeadParams:
    """Constants of the output transform.

    Attributes:
        max_slope: the largest own-price elasticity magnitude.
        min_sigma: the smallest standard deviation of log units before calibration.
        sigma_scale: calibration factor on sigma (from the validation weeks).
    """

    max_slope: float
    min_sigma: float
    sigma_scale: float


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class NumpyDemandNet:
    """Forward pass over many series from ``state_dict`` arrays, in float64.

    Args:
        state: the network's ``state_dict`` as numpy arrays.
        head: output transform constants.
    """

    def __init__(self, state: dict[str, np.ndarray], head: HeadParams) -> None:
        self.state = {name: np.asarray(value, dtype=np.float64) for name, value in state.items()}
        self.head = head
        self.n_keys = sum(1 for name in state if name.startswith("embeddings."))
        self.n_hidden = sum(1 for name in state if name.startswith("hidden.") and name.endswith(".weight"))

    def heads(self, keys: np.ndarray, context: np.ndarray) -> np.ndarray:
        """``(B, 3)`` raw heads; the level already includes the series bias."""
        s = self.state
        parts = [(context - s["ctx_mean"]) / s["ctx_std"]]
        parts += [s[f"embeddings.{k}.weight"][keys[:, k]] for k in range(self.n_keys)]
        h = np.concatenate(parts, axis=1)
        for layer in range(self.n_hidden):
            h = np.maximum(h @ s[f"hidden.{layer}.weight"].T + s[f"hidden.{layer}.bias"], 0.0)
        out = h @ s["head.weight"].T + s["head.bias"]
        out[:, 0] += s["series_bias.weight"][keys[:, -1], 0]
        return out

    def slope(self, keys: np.ndarray, context: np.ndarray) -> np.ndarray:
        """``(B,)`` minus the own-price elasticity."""
        return self.head.max_slope * _sigmoid(self.heads(keys, context)[:, 1])

    def log_params(
        self, keys: np.ndarray, log_rel_price: np.ndarray, context: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units, ``(B,)`` each."""
        out = self.heads(keys, context)
        mu = out[:, 0] - self.head.max_slope * _sigmoid(out[:, 1]) * log_rel_price
        sigma = self.head.sigma_scale * (self.head.min_sigma + _softplus(out[:, 2]))
        return mu, sigma


class BoundNet:
    """The network folded to one series, taking raw context rows.

    Raw features are the series' promotion columns, the season index, then the competitor
    prices other than its own (see `FeatureSpec.raw_feature_names`).

    Args:
        net: the multi-series network.
        spec: the feature encoding.
        series: the series index.
    """

    def __init__(self, net: NumpyDemandNet, spec: FeatureSpec, series: int) -> None:
        s = net.state
        profile = spec.profiles[series]
        n_promo = len(spec.promo_columns)
        n_season = spec.n_context - n_promo - len(spec.competitor_columns)
        keys = [spec.key_levels[k].index(v) for k, v in enumerate(spec.series[series])] + [series]
        w0 = s["hidden.0.weight"]
        n_ctx = spec.n_context
        w_ctx = w0[:, :n_ctx] / s["ctx_std"]
        embedded = np.concatenate([s[f"embeddings.{k}.weight"][code] for k, code in enumerate(keys)])
        bias = s["hidden.0.bias"] + w0[:, n_ctx:] @ embedded - w_ctx @ s["ctx_mean"]
        competitors = [j for j in range(len(spec.competitor_columns)) if j != profile.own_index]
        w_comp = w_ctx[:, n_promo + n_season :][:, competitors]
        log_ref = np.log(np.asarray(spec.competitor_reference)[competitors])
        self._bias0 = bias - w_comp @ log_ref
        self._w_in = np.ascontiguousarray(np.concatenate([w_ctx[:, :n_promo], w_comp], axis=1).T)
        self._season_table = season_harmonics(np.arange(spec.season_length), spec.season_length) @ w_ctx[
            :, n_promo : n_promo + n_season
        ].T
        self._layers = [
            (np.ascontiguousarray(s[f"hidden.{i}.weight"].T), s[f"hidden.{i}.bias"]) for i in range(1, net.n_hidden)
        ]
        self._w_out = np.ascontiguousarray(s["head.weight"].T)
        self._b_out = s["head.bias"] + np.array([s["series_bias.weight"][series, 0], 0.0, 0.0])
        self._n_promo = n_promo
        self._log_ref_competitor = log_ref
        self._log_ref_price = float(np.log(profile.reference_price))
        self._head = net.head
        self._season_length = spec.season_length

    def heads(self, features: np.ndarray) -> np.ndarray:
        """``(B, 3)`` raw heads for raw feature rows ``(B, F)``."""
        n = self._n_promo
        inputs = np.empty((features.shape[0], features.shape[1] - 1))
        inputs[:, :n] = features[:, :n]
        with np.errstate(invalid="ignore", divide="ignore"):
            np.log(features[:, n + 1 :], out=inputs[:, n:])
        competitors = inputs[:, n:]
        if not np.isfinite(competitors).all():
            np.copyto(competitors, self._log_ref_competitor, where=~np.isfinite(competitors))
        season = features[:, n].astype(np.intp) % self._season_length
        h = inputs @ self._w_in
        h += self._bias0
        h += self._season_table[season]
        np.maximum(h, 0.0, out=h)
        for weight, bias in self._layers:
            h = h @ weight
            h += bias
            np.maximum(h, 0.0, out=h)
        out = h @ self._w_out
        out += self._b_out
        return out

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units, ``(B,)`` each."""
        out = self.heads(features)
        head = self._head
        slope = head.max_slope * _sigmoid(out[:, 1])
        mu = out[:, 0] - slope * (np.log(price) - self._log_ref_price)
        sigma = head.sigma_scale * (head.min_sigma + _softplus(out[:, 2]))
        return mu, sigma

    def slope(self, features: np.ndarray) -> np.ndarray:
        """``(B,)`` minus the own-price elasticity."""
        return self._head.max_slope * _sigmoid(self.heads(features)[:, 1])
