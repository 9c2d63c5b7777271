"""The trained demand networks in numpy: the inference path of evaluation and the environment.

Each member network (see `demand_models.neural`) maps a context and the series' embeddings to
three heads; with ``level`` (including the series bias and the linear context term),
``slope = max_slope * sigmoid(.)`` and ``spread = min_sigma + softplus(.)`` averaged over the
members of a seed ensemble,

``mu = level - slope * log(p / p_ref)``,  ``sigma = sigma_scale * spread``.

`NumpyDemandNet` runs it for many series from the exported ``state_dict`` arrays. `BoundNet`
folds one series into the first layer (its embeddings, the input standardisation, the reference
prices and the season's sin/cos as a lookup table) and stacks the members, so one call is a few
small float32 matrix products, and a repeated single context is a dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Sequence
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


CACHE_SIZE = 4096
BOUND_DTYPE = np.float32
"""Precision of the series-bound network: float32 like torch, half the cost of float64 for batches;
its log-location differs from the float64 evaluation path by well under 1e-5."""


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class NumpyDemandNet:
    """Forward pass of a seed ensemble over many series from ``state_dict`` arrays, in float64.

    Args:
        states: one ``state_dict`` (as numpy arrays) per member.
        head: output transform constants.
    """

    def __init__(self, states: Sequence[dict[str, np.ndarray]], head: HeadParams) -> None:
        self.states = [
            {name: np.asarray(v, dtype=np.float64) for name, v in state.items()} for state in states
        ]
        self.head = head
        first = self.states[0]
        self.n_keys = sum(1 for name in first if name.startswith("embeddings."))
        self.n_hidden = sum(1 for name in first if name.startswith("hidden.") and name.endswith(".weight"))

    def _heads(self, s: dict[str, np.ndarray], keys: np.ndarray, context: np.ndarray) -> np.ndarray:
        ctx = (context - s["ctx_mean"]) / s["ctx_std"]
        h = np.concatenate(
            [ctx, *(s[f"embeddings.{k}.weight"][keys[:, k]] for k in range(self.n_keys))], axis=1
        )
        for layer in range(self.n_hidden):
            h = np.maximum(h @ s[f"hidden.{layer}.weight"].T + s[f"hidden.{layer}.bias"], 0.0)
        out = h @ s["head.weight"].T + s["head.bias"]
        out[:, 0] += s["series_bias.weight"][keys[:, -1], 0] + ctx @ s["linear.weight"][0]
        return out

    def context_params(
        self, keys: np.ndarray, context: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Level, slope (minus the elasticity) and sigma, ``(B,)`` each, averaged over members."""
        outs = np.stack([self._heads(s, keys, context) for s in self.states])
        return _transform(outs, self.head)

    def log_params(
        self, keys: np.ndarray, log_rel_price: np.ndarray, context: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units, ``(B,)`` each."""
        level, slope, sigma = self.context_params(keys, context)
        return level - slope * log_rel_price, sigma


def _transform(outs: np.ndarray, head: HeadParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Member heads ``(K, B, 3)`` to the ensemble's level, slope and sigma."""
    level = outs[..., 0].mean(axis=0)
    slope = head.max_slope * _sigmoid(outs[..., 1]).mean(axis=0)
    sigma = head.sigma_scale * (head.min_sigma + _softplus(outs[..., 2]).mean(axis=0))
    return level, slope, sigma


class BoundNet:
    """The ensemble folded to one series, taking raw context rows.

    Raw features are the series' promotion columns, the season index, then the competitor
    prices other than its own (see `FeatureSpec.raw_feature_names`).

    Args:
        net: the multi-series ensemble.
        spec: the feature encoding.
        series: the series index.
    """

    def __init__(self, net: NumpyDemandNet, spec: FeatureSpec, series: int) -> None:
        profile = spec.profiles[series]
        n_promo = len(spec.promo_columns)
        n_ctx = spec.n_context
        n_season = n_ctx - n_promo - len(spec.competitor_columns)
        keys = [spec.key_levels[k].index(v) for k, v in enumerate(spec.series[series])] + [series]
        competitors = [j for j in range(len(spec.competitor_columns)) if j != profile.own_index]
        log_ref = np.log(np.asarray(spec.competitor_reference)[competitors])
        harmonics = season_harmonics(np.arange(spec.season_length), spec.season_length)
        n_comp, n_hidden = len(competitors), net.n_hidden
        # Inputs of one call: promotion flags, log competitor prices, season harmonics, a constant 1.
        n_in = n_promo + n_comp + n_season + 1
        width = net.states[0]["hidden.0.weight"].shape[0]
        w_linear = np.empty((n_in, len(net.states)))
        first = np.zeros((len(net.states), n_in, width + 1))
        hidden = np.zeros((n_hidden - 1, len(net.states), width + 1, width + 1))
        out = np.zeros((len(net.states), width + 1, 3))
        for m, s in enumerate(net.states):
            # Row 0 is the linear level path, rows 1.. the first hidden layer, both on standardised context.
            linear = np.pad(s["linear.weight"], ((0, 0), (0, s["hidden.0.weight"].shape[1] - n_ctx)))
            w0 = np.concatenate([linear, s["hidden.0.weight"]])
            w_ctx = w0[:, :n_ctx] / s["ctx_std"]
            embedded = np.concatenate([s[f"embeddings.{k}.weight"][code] for k, code in enumerate(keys)])
            bias = (
                np.concatenate([[0.0], s["hidden.0.bias"]]) + w0[:, n_ctx:] @ embedded - w_ctx @ s["ctx_mean"]
            )
            w_comp = w_ctx[:, n_promo + n_season :][:, competitors]
            rows = np.concatenate(
                [w_ctx[:, :n_promo].T, w_comp.T, w_ctx[:, n_promo : n_promo + n_season].T, [bias - w_comp @ log_ref]]
            )
            w_linear[:, m] = rows[:, 0]
            # Each layer carries a constant unit (last column) that feeds the next layer's bias row.
            first[m, :, :width] = rows[:, 1:]
            first[m, -1, width] = 1.0
            for i in range(1, n_hidden):
                hidden[i - 1, m, :width, :width] = s[f"hidden.{i}.weight"].T
                hidden[i - 1, m, width, :width] = s[f"hidden.{i}.bias"]
                hidden[i - 1, m, width, width] = 1.0
            out[m, :width] = s["head.weight"].T
            out[m, width] = s["head.bias"] + np.array([s["series_bias.weight"][series, 0], 0.0, 0.0])
        self._w_linear = np.ascontiguousarray(w_linear, dtype=BOUND_DTYPE)
        self._first = np.ascontiguousarray(first, dtype=BOUND_DTYPE)
        self._hidden = [np.ascontiguousarray(w, dtype=BOUND_DTYPE) for w in hidden]
        self._out = np.ascontiguousarray(out, dtype=BOUND_DTYPE)
        self._harmonics = harmonics.astype(BOUND_DTYPE)
        self._n_promo = n_promo
        self._log_ref_competitor = log_ref
        self._log_ref_price = float(np.log(profile.reference_price))
        self._head = net.head
        self._season_length = spec.season_length
        self._cache: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _heads(self, features: np.ndarray) -> np.ndarray:
        """Member heads ``(K, B, 3)`` for raw feature rows ``(B, F)``.

        Biases ride in the matrix products (a constant input and a constant unit per layer), and
        members are stacked on the first axis, so a call is four BLAS products and two ReLUs.
        """
        n, n_comp = self._n_promo, len(self._log_ref_competitor)
        inputs = np.empty((features.shape[0], self._first.shape[1]), dtype=BOUND_DTYPE)
        inputs[:, :n] = features[:, :n]
        competitors = inputs[:, n : n + n_comp]
        with np.errstate(invalid="ignore", divide="ignore"):
            np.log(features[:, n + 1 :], out=competitors)
        if not np.isfinite(competitors).all():
            np.copyto(competitors, self._log_ref_competitor, where=~np.isfinite(competitors))
        season = features[:, n].astype(np.intp) % self._season_length
        inputs[:, n + n_comp : -1] = self._harmonics[season]
        inputs[:, -1] = 1.0
        h = np.matmul(inputs, self._first)
        np.maximum(h, 0.0, out=h)
        for weight in self._hidden:
            h = np.matmul(h, weight)
            np.maximum(h, 0.0, out=h)
        heads = np.matmul(h, self._out)
        heads[:, :, 0] += (inputs @ self._w_linear).T
        return heads

    def context_params(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Level, slope (minus the elasticity) and sigma for raw feature rows ``(B, F)``, ``(B,)`` each.

        Single rows are cached by value (up to `CACHE_SIZE` distinct contexts): an environment
        revisits the same promotion, season and competitor contexts, so a step usually costs a
        dictionary look-up and the price term.
        """
        single = features.shape[0] == 1
        if single:
            key = features.tobytes()
            cached = self._cache.get(key)
            if cached is not None:
                return cached
        params = _transform(self._heads(features).astype(np.float64), self._head)
        if single:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = params
        return params

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units, ``(B,)`` each."""
        level, slope, sigma = self.context_params(features)
        return level - slope * (np.log(price) - self._log_ref_price), sigma
