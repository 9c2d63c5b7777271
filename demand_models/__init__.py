"""Demand models: the interface, the fitted neural and regression models, and loading them.

``load_pretrained().bind((store, brand))`` gives the shipped Dominick's model of one series. Training
(`demand_models.neural.fit_neural`, `demand_models.train`) imports torch and is not re-exported here.
"""

from demand_models.base import DemandModel
from demand_models.neural_model import NeuralConfig, NeuralDemandModel
from demand_models.persistence import load_model, load_pretrained, save_model
from demand_models.regression import RegressionConfig, RegressionDemandModel, fit_regression

__all__ = [
    "DemandModel",
    "NeuralConfig",
    "NeuralDemandModel",
    "RegressionConfig",
    "RegressionDemandModel",
    "fit_regression",
    "load_model",
    "load_pretrained",
    "save_model",
]
