"""Neural demand: a torch network trained by likelihood, served in numpy.

The network reads the context (promotions, season harmonics, competitor log prices) and learned
embeddings of each series key and of the series, and outputs three heads. Log units are
Gaussian (units are a rounded log-normal, `demand_models.lognormal`):

``mu = bias_series + w . c + level(c, s) - max_slope * sigmoid(slope(c, s)) * log(p / p_ref)``,
``sigma = min_sigma + softplus(scale(c, s))``,

with a linear term ``w . c`` beside the MLP heads (wide and deep), so the additive promotion,
season and competitor effects are learned as fast and as reliably as in the regression, and the
MLP only adds interactions. The own price enters only through the last term of ``mu``, with a
negative, bounded coefficient, and sigma does not depend on the own price, so expected demand is
non-increasing in the own price by construction for every context, with elasticity
``-max_slope * sigmoid(slope)`` in ``(-max_slope, 0)``: exact and cheap for the environment and
its DP, yet varying by series, season, promotion and competitor prices.

Training: Gaussian negative log-likelihood of log units, AdamW (weight decay), dropout, gradient
clipping, early stopping on the validation weeks' WMAPE of the median forecast; a seed ensemble
averages the members' level, slope and sigma (which keeps monotonicity), and its sigma is then
calibrated so the validation 90% interval covers 90%.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from demand_models.evaluation import calibrate_scale, wmape
from demand_models.features import FeatureSpec, Inputs, build_spec, encode, log_units
from demand_models.history import SalesHistory
from demand_models.neural_model import NeuralConfig, NeuralDemandModel


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
        self.linear = nn.Linear(spec.n_context, 1, bias=False)

    def heads(self, keys: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """``(B, 3)`` raw heads (level including the series bias, slope, scale)."""
        ctx = ((context.double() - self.ctx_mean) / self.ctx_std).float()
        h = torch.cat([ctx, *(emb(keys[:, k]) for k, emb in enumerate(self.embeddings))], dim=1)
        for layer in self.hidden:
            h = F.dropout(F.relu(layer(h)), self.config.dropout, self.training)
        out = self.head(h)
        level = out[:, :1] + self.series_bias(keys[:, -1]) + self.linear(ctx)
        return torch.cat([level, out[:, 1:]], dim=1)

    def forward(
        self, keys: torch.Tensor, log_rel_price: torch.Tensor, context: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``mu`` and ``sigma`` (before calibration) of log units."""
        out = self.heads(keys, context)
        mu = out[:, 0] - self.config.max_slope * torch.sigmoid(out[:, 1]) * log_rel_price
        return mu, self.config.min_sigma + F.softplus(out[:, 2])


def to_torch(model: NeuralDemandModel, member: int = 0) -> DemandNet:
    """The torch network of one ensemble member of ``model``, in eval mode."""
    module = DemandNet(model.spec, model.config)
    module.load_state_dict({name: torch.from_numpy(value) for name, value in model.states[member].items()})
    return module.eval()


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
        module.linear.weight.zero_()
        module.head.bias.copy_(torch.tensor([0.0, float(np.log(2.5 / (module.config.max_slope - 2.5))), 0.0]))


def _fit_member(
    spec: FeatureSpec, train: Inputs, val: Inputs, config: NeuralConfig, seed: int, bar: tqdm
) -> tuple[dict[str, np.ndarray], int]:
    """Train one network; returns the weights of its best validation epoch and the epochs run."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    module = DemandNet(spec, config)
    _init(module, train, len(spec.series))
    keys, x, ctx, y = _tensors(train)
    val_keys, val_x, val_ctx, _ = _tensors(val)
    optimizer = torch.optim.AdamW(
        module.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    best, best_state, since_best, epochs = np.inf, {}, 0, 0
    while epochs < config.max_epochs and since_best < config.patience:
        epochs += 1
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
        score = wmape(val_mu, val.units)
        if score < best:
            best, since_best = score, 0
            best_state = {name: value.detach().numpy().copy() for name, value in module.state_dict().items()}
        else:
            since_best += 1
        bar.update()
        bar.set_postfix(seed=seed, loss=f"{loss.item():.3f}", val_wmape=f"{score:.4f}", best=f"{best:.4f}")
    bar.update(config.max_epochs - epochs)
    return best_state, epochs


def fit_neural(
    train: SalesHistory,
    val: SalesHistory,
    config: NeuralConfig | None = None,
    seed: int = 0,
    progress: bool = True,
) -> NeuralDemandModel:
    """Train a seed ensemble on ``train``, early-stop each member and calibrate sigma on ``val``.

    Args:
        train: the training weeks.
        val: the validation weeks (early stopping on WMAPE, then sigma calibration).
        config: architecture and training options.
        seed: seed of the first member (member ``k`` uses ``seed + k``): initial weights and
            batch order.
        progress: show a progress bar (epochs of all members).

    Returns:
        The trained ensemble, each member with the weights of its best validation epoch.
    """
    config = config or NeuralConfig()
    torch.set_num_threads(config.threads)
    spec = build_spec(train)
    train_inputs, val_inputs = encode(spec, train), encode(spec, val)
    seeds = tuple(seed + k for k in range(config.members))
    states, epochs = [], []
    total = config.members * config.max_epochs
    with tqdm(total=total, desc="neural demand", unit="epoch", disable=not progress) as bar:
        for member_seed in seeds:
            state, n_epochs = _fit_member(spec, train_inputs, val_inputs, config, member_seed, bar)
            states.append(state)
            epochs.append(n_epochs)
    model = NeuralDemandModel(spec, config, tuple(states), sigma_scale=1.0, seeds=seeds, epochs=tuple(epochs))
    mu, sigma = model.log_params_inputs(val_inputs)
    scale = calibrate_scale(mu, sigma, val_inputs.units)
    return NeuralDemandModel(
        spec, config, tuple(states), sigma_scale=scale, seeds=seeds, epochs=tuple(epochs)
    )
