"""A sensible first setting for each optimizer on a level: what a race starts from, in the
classroom (``demo --race``) and in a recording (``record --race``) alike.

    orders = sensible_orders(level, "adam")      # sim.Orders within the level's ranges

The SGD family keeps the level's learning rate (heavy ball is stable wherever plain SGD is:
eta a < 2 < 2 (1 + mu)). The normalised rules step about eta per axis whatever the slope, so their
eta is a share of the distance to cover: the map's size over the step budget, times
NORMALISED_STRIDE. A level's hint that names a setting for an optimizer (``hint_orders``) wins.
"""
from __future__ import annotations

import numpy as np

from .world import Orders

MOMENTUM_DEFAULT = 0.9                                       # momentum (beta1) of a rule that has one
NORMALISED_STRIDE = {"adagrad": 8.0, "rmsprop": 0.5, "adam": 1.5}   # eta x budget / map size [1]


def sensible_orders(level, optimizer: str) -> Orders:
    """The level's own orders for its default optimizer; for another, the first setting the level's
    hint names for it (``hint_orders``: what the lesson says works), else a setting inside the
    level's ranges that a class can start from (see MOMENTUM_DEFAULT, NORMALISED_STRIDE)."""
    if optimizer == level.optimizer:
        return Orders(optimizer, level.lr, level.momentum)
    mu = MOMENTUM_DEFAULT if optimizer != "rmsprop" else 0.0
    for name, lr, momentum in level.hint_orders:
        if name == optimizer:
            return Orders(optimizer, lr, float(np.clip(mu if momentum is None else momentum, *level.momentum_range)))
    lr = level.lr
    if optimizer in NORMALISED_STRIDE:
        lr = NORMALISED_STRIDE[optimizer] * level.size / level.budget
        if optimizer == "adagrad":                      # its steps shrink like 1/sqrt(t)
            lr /= np.sqrt(level.budget)
    return Orders(optimizer, float(np.clip(lr, *level.lr_range)), float(np.clip(mu, *level.momentum_range)))
