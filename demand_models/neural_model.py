"""The trained neural demand model without torch: its options, weights and series-bound view.

Training lives in `demand_models.neural`; this module only needs numpy, so the environment can
load and run a trained model without importing torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from demand_models.bound import BoundDemand
from demand_models.features import FeatureSpec, Inputs, SeriesKey, encode
from demand_models.history import SalesHistory
from demand_models.numpy_net import BoundNet, HeadParams, NumpyDemandNet


@dataclass(frozen=True)
class NeuralConfig:
    """Architecture and training options.

    Attributes:
        hidden: width of each hidden layer.
        layers: number of hidden layers.
        embedding: embedding width of each series key and of the series.
        dropout: dropout rate after each hidden layer.
        weight_decay: AdamW weight decay.
        learning_rate: AdamW learning rate.
        batch_size: rows per step.
        max_epochs: upper bound on epochs.
        patience: epochs without a better validation WMAPE before stopping.
        grad_clip: maximum gradient norm.
        max_slope: largest own-price elasticity magnitude.
        min_sigma: floor of the standard deviation of log units.
        threads: torch CPU threads; one is fastest for these small batches (measured 0.7-1.8 s per
            epoch with one thread against 8-9 s with two on the 2-core reference machine).
        members: networks in the seed ensemble (seeds ``seed, seed + 1, ...``); the ensemble
            averages their level, slope and sigma, so it stays monotone in the own price.
    """

    hidden: int = 64
    layers: int = 2
    embedding: int = 8
    dropout: float = 0.2
    weight_decay: float = 1e-3
    learning_rate: float = 3e-3
    batch_size: int = 512
    max_epochs: int = 40
    patience: int = 6
    grad_clip: float = 1.0
    max_slope: float = 8.0
    min_sigma: float = 0.05
    threads: int = 1
    members: int = 3


@dataclass(frozen=True)
class NeuralDemandModel:
    """A trained seed ensemble over many series, served by the numpy forward pass.

    Attributes:
        spec: the feature encoding.
        config: architecture and training options.
        states: each member's ``state_dict`` as numpy arrays.
        sigma_scale: calibration factor on sigma from the validation weeks.
        seeds: each member's training seed.
        epochs: each member's epochs trained (including the patience tail).
    """

    spec: FeatureSpec
    config: NeuralConfig
    states: tuple[dict[str, np.ndarray], ...]
    sigma_scale: float
    seeds: tuple[int, ...]
    epochs: tuple[int, ...]

    @cached_property
    def net(self) -> NumpyDemandNet:
        """The numpy ensemble (built once)."""
        return NumpyDemandNet(
            self.states, HeadParams(self.config.max_slope, self.config.min_sigma, self.sigma_scale)
        )

    def log_params_inputs(self, inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units for encoded inputs."""
        return self.net.log_params(inputs.keys, inputs.log_rel_price, inputs.context)

    def log_params(self, history: SalesHistory) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units for every row of ``history``."""
        return self.log_params_inputs(encode(self.spec, history))

    def bind(self, series_key: SeriesKey) -> BoundNeuralDemand:
        """The demand model of one series, e.g. ``bind((store, brand))``."""
        return BoundNeuralDemand(self, tuple(series_key))


class BoundNeuralDemand(BoundDemand):
    """`NeuralDemandModel` restricted to one series; a `DemandModel` running in numpy."""

    def __init__(self, model: NeuralDemandModel, series_key: SeriesKey) -> None:
        super().__init__(model.spec, series_key)
        self._net = BoundNet(model.net, model.spec, model.spec.series_index(series_key))

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Location ``mu`` and scale ``sigma`` of log units, shapes ``(B,)`` each."""
        price, features = self._check(price, features)
        return self._net.log_params(price, features)

    def price_elasticity(self, price: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Own-price elasticity, in ``(-max_slope, 0)``, shape ``(B,)``."""
        price, features = self._check(price, features)
        return -self._net.context_params(features)[1]
