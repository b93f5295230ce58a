"""Central finite differences, the independent reference for every analytic gradient."""
import numpy as np


def fd_grad(field, xy, h=1e-6):
    """(f(x + h e_k) - f(x - h e_k)) / 2h for k = x, y, with h scaled to each point's size."""
    xy = np.asarray(xy, float)
    step = h * np.maximum(1.0, np.abs(xy))
    g = np.empty_like(xy)
    for k in range(2):
        e = np.zeros_like(xy)
        e[:, k] = step[:, k]
        g[:, k] = (field.height(xy + e) - field.height(xy - e)) / (2 * step[:, k])
    return g


def grad_rel_error(field, xy) -> float:
    """max |analytic - finite difference| / max(|gradient| scale, 1e-3 * height scale).

    The denominator is the gradient's own size over the sample, so points near a minimum
    (where the gradient is ~0) are judged against the field's typical slope, not against 0.
    """
    g = field.grad(xy)
    ref = fd_grad(field, xy)
    scale = max(np.abs(ref).max(), 1e-12)
    return float(np.abs(g - ref).max() / scale)
