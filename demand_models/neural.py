"""Neural demand: a torch network trained by likelihood, served in numpy.

The network reads the context (promotions, season harmonics, competitor log prices) and learned
embeddings of each series key and of the series, and outputs three heads. Log units are
Gaussian (units are a rounded log-normal, `demand_models.lognormal`):

``mu = level(c, s) - max_slope * sigmoid(slope(c, s)) * log(p / p_ref)``,
``sigma = min_sigma + softplus(scale(c, s))``.

The own price enters only through the last term with a negative, bounded coefficient, and
sigma does not depend on the own price, so expected demand is non-increasing in the own price
by construction for every context, with elasticity ``-max_slope * sigmoid(slope)`` in
``(-max_slope, 0)``, exact and cheap for the environment and its DP. The elasticity still
varies by series, season, promotion and competitor prices.

Training: Gaussian negative log-likelihood of log units, AdamW (weight decay), dropout, gradient
clipping, early stopping on the validation weeks' WMAPE of the median forecast, then the scale
is calibrated so the validation 90% interval covers 90%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from demand_models.bound import BoundDemand
from demand_models.evaluation import calibrate_scale, wmape
from demand_models.features import FeatureSpec, Inputs, SeriesKey, build_spec, encode, log_units
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
        threads: torch CPU threads.
    """

    hidden: int = 64
    layers: int = 2
    embedding: int = 8
    dropout: float = 0.1
    weight_decay: float = 1e-4
    learning_rate: float = 3e-3
    batch_size: int = 512
    max_epochs: int = 60
    patience: int = 8
    grad_clip: float = 1.0
    max_slope: float = 8.0
    min_sigma: float = 0.05
    threads: int = 2


class DemandNet(nn.Module):
    """The torch network; see the module docstring for the output transform.

    Args:
        spec: the feature encoding (input width and key cardinalities).
        config: architecture options.
    """

    def __init__(self, spec: FeatureSpec, config: NeuralConfig) -> None:
        super().__init__()
        self.config = config
        cards = spec.key_cardinalities
        self.embeddings = nn.ModuleList(nn.Embedding(n, config.embedding) for n in cards)
        self.series_bias = nn.Embedding(cards[-1], 1)
        self.register_buffer("ctx_mean", torch.zeros(spec.n_context, dtype=torch.float64))
        self.register_buffer("ctx_std", torch.ones(spec.n_context, dtype=torch.float64))
        width = spec.n_context + config.embedding * len(cards)
        self.hidden = nn.ModuleList(
            nn.Linear(width if i == 0 else config.hidden, config.hidden) for i in range(config.layers)
        )
        self.head = nn.Linear(config.hidden, 3)

    def heads(self, keys: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """``(B, 3)`` raw heads (level including the series bias, slope, scale)."""
        ctx = ((context.double() - self.ctx_mean) / self.ctx_std).float()
        h = torch.cat([ctx, *(emb(keys[:, k]) for k, emb in enumerate(self.embeddings))], dim=1)
        for layer in self.hidden:
            h = F.dropout(F.relu(layer(h)), self.config.dropout, self.training)
        out = self.head(h)
        return torch.cat([out[:, :1] + self.series_bias(keys[:, -1]), out[:, 1:]], dim=1)

    def forward(
        self, keys: torch.Tensor, log_rel_price: torch.Tensor, context: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``mu`` and ``sigma`` (before calibration) of log units."""
        out = self.heads(keys, context)
        mu = out[:, 0] - self.config.max_slope * torch.sigmoid(out[:, 1]) * log_rel_price
        return mu, self.config.min_sigma + F.softplus(out[:, 2])


@dataclass(frozen=True)
class NeuralDemandModel:
    """A trained network over many series, served by the numpy forward pass.

    Attributes:
        spec: the feature encoding.
        config: architecture and training options.
        state: the network's ``state_dict`` as numpy arrays.
        sigma_scale: calibration factor on sigma from the validation weeks.
        seed: the training seed.
        epochs: epochs trained (including the patience tail).
    """

    spec: FeatureSpec
    config: NeuralConfig
    state: dict[str, np.ndarray]
    sigma_scale: float
    seed: int
    epochs: int

    @property
    def net(self) -> NumpyDemandNet:
        """The numpy network (built once)."""
        cached = self.__dict__.get("_net")
        if cached is None:
            head = HeadParams(self.config.max_slope, self.config.min_sigma, self.sigma_scale)
            cached = NumpyDemandNet(self.state, head)
            object.__setattr__(self, "_net", cached)
        return cached

    def log_params_inputs(self, inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units for encoded inputs."""
        return self.net.log_params(inputs.keys, inputs.log_rel_price, inputs.context)

    def log_params(self, history: SalesHistory) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units for every row of ``history``."""
        return self.log_params_inputs(encode(self.spec, history))

    def to_torch(self) -> DemandNet:
        """The torch network with these weights, in eval mode."""
        module = DemandNet(self.spec, self.config)
        module.load_state_dict({name: torch.from_numpy(value) for name, value in self.state.items()})
        return module.eval()

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
        return -self._net.slope(features)


def _tensors(inputs: Inputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    return (
        torch.from_numpy(inputs.keys),
        torch.from_numpy(inputs.log_rel_price).float(),
        torch.from_numpy(inputs.context),
        torch.from_numpy(log_units(inputs.units)).float(),
    )


def _init(module: DemandNet, inputs: Inputs, n_series: int) -> None:
    ctx = inputs.context
    std = ctx.std(axis=0)
    module.ctx_mean.copy_(torch.from_numpy(ctx.mean(axis=0)))
    module.ctx_std.copy_(torch.from_numpy(np.where(std > 1e-8, std, 1.0)))
    y = log_units(inputs.units)
    sums = np.bincount(inputs.series, weights=y, minlength=n_series)
    counts = np.maximum(np.bincount(inputs.series, minlength=n_series), 1)
    with torch.no_grad():
        module.series_bias.weight.copy_(torch.from_numpy(sums / counts)[:, None])
        module.head.weight.mul_(0.1)
        module.head.bias.copy_(torch.tensor([0.0, float(np.log(2.5 / (module.config.max_slope - 2.5))), 0.0]))


def fit_neural(
    train: SalesHistory,
    val: SalesHistory,
    config: NeuralConfig | None = None,
    seed: int = 0,
    progress: bool = True,
) -> NeuralDemandModel:
    """Train on ``train``, early-stop and calibrate on ``val``.

    Args:
        train: the training weeks.
        val: the validation weeks (early stopping on WMAPE, then sigma calibration).
        config: architecture and training options.
        seed: seeds the initial weights and the batch order.
        progress: show a progress bar.

    Returns:
        The trained model with the weights of the best validation epoch.
    """
    config = config or NeuralConfig()
    torch.set_num_threads(config.threads)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    spec = build_spec(train)
    train_inputs, val_inputs = encode(spec, train), encode(spec, val)
    module = DemandNet(spec, config)
    _init(module, train_inputs, len(spec.series))
    keys, x, ctx, y = _tensors(train_inputs)
    val_keys, val_x, val_ctx, _ = _tensors(val_inputs)
    optimizer = torch.optim.AdamW(module.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    best, best_state, since_best, epochs = np.inf, None, 0, 0
    bar = tqdm(range(config.max_epochs), desc="neural demand", unit="epoch", disable=not progress)
    for epoch in bar:
        module.train()
        for batch in torch.randperm(len(y), generator=generator).split(config.batch_size):
            mu, sigma = module(keys[batch], x[batch], ctx[batch])
            loss = F.gaussian_nll_loss(mu, y[batch], sigma.square(), full=True)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(module.parameters(), config.grad_clip)
            optimizer.step()
        module.eval()
        with torch.no_grad():
            val_mu = module(val_keys, val_x, val_ctx)[0].double().numpy()
        score = wmape(val_mu, val_inputs.units)
        epochs = epoch + 1
        if score < best:
            best, since_best = score, 0
            best_state = {name: value.detach().clone() for name, value in module.state_dict().items()}
        else:
            since_best += 1
        bar.set_postfix(loss=f"{loss.item():.3f}", val_wmape=f"{score:.4f}", best=f"{best:.4f}")
        if since_best >= config.patience:
            break
    bar.close()
    state = {name: value.numpy() for name, value in best_state.items()}
    model = NeuralDemandModel(spec=spec, config=config, state=state, sigma_scale=1.0, seed=seed, epochs=epochs)
    mu, sigma = model.log_params_inputs(val_inputs)
    scale = calibrate_scale(mu, sigma, val_inputs.units)
    return NeuralDemandModel(spec=spec, config=config, state=state, sigma_scale=scale, seed=seed, epochs=epochs)
