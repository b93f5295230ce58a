"""The classic optimisation test functions, as terrain fields with analytic gradients.

Each class lists its published minima in ``MINIMA`` (location, value); the tests check both.
Sources: the standard benchmark collections (e.g. Jamil & Yang 2013; Surjanovic & Bingham,
"Virtual Library of Simulation Experiments").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .terrain import Field, as_points

TAU = 2.0 * math.pi


@dataclass(frozen=True)
class Rosenbrock(Field):
    """f = (a - x)^2 + b (y - x^2)^2: the banana valley. Minimum f(a, a^2) = 0."""
    a: float = 1.0
    b: float = 100.0
    MINIMA = (((1.0, 1.0), 0.0),)

    def height_and_grad(self, xy):
        x, y = as_points(xy).T
        r = y - x * x
        h = (self.a - x) ** 2 + self.b * r * r
        return h, np.column_stack([-2 * (self.a - x) - 4 * self.b * x * r, 2 * self.b * r])


@dataclass(frozen=True)
class Himmelblau(Field):
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four equal minima, all f = 0."""
    MINIMA = (((3.0, 2.0), 0.0), ((-2.805118, 3.131312), 0.0),
              ((-3.779310, -3.283186), 0.0), ((3.584428, -1.848126), 0.0))

    def height_and_grad(self, xy):
        x, y = as_points(xy).T
        p = x * x + y - 11
        q = x + y * y - 7
        return p * p + q * q, np.column_stack([4 * x * p + 2 * q, 2 * p + 4 * y * q])


@dataclass(frozen=True)
class Rastrigin(Field):
    """f = 2A + sum_i (x_i^2 - A cos(2 pi x_i)): a bowl covered in local minima. f(0, 0) = 0."""
    A: float = 10.0
    MINIMA = (((0.0, 0.0), 0.0),)

    def height_and_grad(self, xy):
        p = as_points(xy)
        h = 2 * self.A + (p * p - self.A * np.cos(TAU * p)).sum(1)
        return h, 2 * p + self.A * TAU * np.sin(TAU * p)


@dataclass(frozen=True)
class Ackley(Field):
    """f = -20 exp(-0.2 sqrt((x^2+y^2)/2)) - exp((cos 2 pi x + cos 2 pi y)/2) + e + 20.

    A nearly flat plate of dimples with a deep funnel at the origin, f(0, 0) = 0. The
    funnel's tip is a cone point; its gradient there is taken as 0.
    """
    MINIMA = (((0.0, 0.0), 0.0),)

    def height_and_grad(self, xy):
        p = as_points(xy)
        r = np.sqrt(0.5 * (p * p).sum(1))
        e1 = np.exp(-0.2 * r)
        e2 = np.exp(0.5 * np.cos(TAU * p).sum(1))
        h = -20.0 * e1 - e2 + math.e + 20.0
        # d/dp of -20 exp(-0.2 r) = 20 * 0.2 * e1 * dr/dp, dr/dp = p / (2 r)
        with np.errstate(divide="ignore", invalid="ignore"):
            cone = np.where(r > 0, 2.0 * e1 / np.where(r > 0, r, 1.0), 0.0)
        g = cone[:, None] * p + (e2 * 0.5 * TAU)[:, None] * np.sin(TAU * p)
        return h, g


@dataclass(frozen=True)
class Beale(Field):
    """f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2. Minimum f(3, 0.5) = 0."""
    MINIMA = (((3.0, 0.5), 0.0),)

    def height_and_grad(self, xy):
        x, y = as_points(xy).T
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y * y
        t3 = 2.625 - x + x * y ** 3
        h = t1 * t1 + t2 * t2 + t3 * t3
        gx = 2 * (t1 * (y - 1) + t2 * (y * y - 1) + t3 * (y ** 3 - 1))
        gy = 2 * (t1 * x + t2 * 2 * x * y + t3 * 3 * x * y * y)
        return h, np.column_stack([gx, gy])


@dataclass(frozen=True)
class Booth(Field):
    """f = (x + 2y - 7)^2 + (2x + y - 5)^2. Minimum f(1, 3) = 0."""
    MINIMA = (((1.0, 3.0), 0.0),)

    def height_and_grad(self, xy):
        x, y = as_points(xy).T
        p = x + 2 * y - 7
        q = 2 * x + y - 5
        return p * p + q * q, np.column_stack([2 * p + 4 * q, 4 * p + 2 * q])


@dataclass(frozen=True)
class SixHumpCamel(Field):
    """f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2. Two global minima
    f(+-0.0898, -+0.7126) = -1.0316 among six local ones."""
    MINIMA = (((0.0898, -0.7126), -1.0316), ((-0.0898, 0.7126), -1.0316))

    def height_and_grad(self, xy):
        x, y = as_points(xy).T
        x2, y2 = x * x, y * y
        h = (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2
        gx = 8 * x - 8.4 * x * x2 + 2 * x2 * x2 * x + y
        gy = x - 8 * y + 16 * y * y2
        return h, np.column_stack([gx, gy])


@dataclass(frozen=True)
class StyblinskiTang(Field):
    """f = 1/2 sum_i (x_i^4 - 16 x_i^2 + 5 x_i). Minimum -39.16617 per dimension at
    x_i = -2.903534, so -78.33234 in two dimensions; three other minima are shallower."""
    MINIMA = (((-2.903534, -2.903534), -78.33234),)

    def height_and_grad(self, xy):
        p = as_points(xy)
        h = 0.5 * (p ** 4 - 16 * p * p + 5 * p).sum(1)
        return h, 0.5 * (4 * p ** 3 - 32 * p + 5)


CLASSICS = {
    "rosenbrock": Rosenbrock, "himmelblau": Himmelblau, "rastrigin": Rastrigin,
    "ackley": Ackley, "beale": Beale, "booth": Booth, "six_hump_camel": SixHumpCamel,
    "styblinski_tang": StyblinskiTang,
}
