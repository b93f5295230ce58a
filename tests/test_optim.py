"""Tests for sim/optim.py: every rule against a scalar reference loop, hand-worked
steps, the known stability boundaries on a quadratic, live hyperparameter changes,
validation messages, reset/take, and (if torch is installed) torch.optim itself."""

import math
import warnings

import numpy as np
import pytest

from sim.optim import OPTIMIZERS, Optimizer, make_optimizer

N = 7
STEPS = 50


# ----------------------------------------------------------------------------
# An independent reference: one coordinate of one unit, Python floats, textbook maths
# ----------------------------------------------------------------------------

def reference_coordinate(name, x, grads, lrs, mus):
    """Positions after each step for one coordinate. grads, lrs, mus: one float per step."""
    v = s = b = m = 0.0
    t = 0
    path = []
    for g, lr, mu in zip(grads, lrs, mus):
        if name == "sgd":
            x = x - lr * g
        elif name == "momentum":
            v = mu * v + g
            x = x - lr * v
        elif name == "nesterov":
            v = mu * v + g
            x = x - lr * (g + mu * v)
        elif name == "adagrad":
            s = s + g * g
            x = x - lr * g / (math.sqrt(s) + 1e-10)
        elif name == "rmsprop":
            s = 0.99 * s + 0.01 * g * g
            avg = math.sqrt(s) + 1e-8
            if mu > 0:
                b = mu * b + g / avg
                x = x - lr * b
            else:
                x = x - lr * g / avg
        elif name == "adam":
            t += 1
            m = mu * m + (1 - mu) * g
            v = 0.999 * v + 0.001 * g * g
            m_hat = m / (1 - mu ** t)
            v_hat = v / (1 - 0.999 ** t)
            x = x - lr * m_hat / (math.sqrt(v_hat) + 1e-8)
        path.append(x)
    return path


def reference(name, x0, grads, lrs, mus):
    """(steps, N, 2) positions. x0: (N, 2); grads: (steps, N, 2); lrs, mus: (steps, N)."""
    out = np.empty(grads.shape)
    for i in range(x0.shape[0]):
        for j in range(2):
            out[:, i, j] = reference_coordinate(
                name, float(x0[i, j]), [float(g) for g in grads[:, i, j]],
                [float(a) for a in lrs[:, i]], [float(a) for a in mus[:, i]])
    return out


def run(opt, x0, grads, lrs=None, mus=None):
    """Step `opt` through `grads`, setting lr/momentum before each step if given."""
    x, path = x0, []
    for k, g in enumerate(grads):
        if lrs is not None:
            opt.lr = lrs[k]
        if mus is not None:
            opt.momentum = mus[k]
        x = opt.step(x, g)
        path.append(x)
    return np.array(path)


def random_case(seed, steps=STEPS):
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=(N, 2))
    grads = rng.normal(size=(steps, N, 2)) * rng.choice([1e-3, 1.0, 30.0], size=(1, N, 1))
    lr = rng.uniform(0.001, 0.1, size=N)
    mu = rng.uniform(0.0, 0.99, size=N)
    mu[0] = 0.0   # exercises the "no momentum" branches
    return x0, grads, lr, mu


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-13)


# ----------------------------------------------------------------------------
# 1. Against the reference
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("per_unit", [False, True], ids=["scalar", "per-unit"])
def test_matches_reference(name, per_unit):
    x0, grads, lr, mu = random_case(seed=OPTIMIZERS.index(name))
    if not per_unit:
        lr, mu = np.full(N, 0.03), np.full(N, 0.9)
    opt = make_optimizer(name, lr=lr if per_unit else 0.03, momentum=mu if per_unit else 0.9)
    expected = reference(name, x0, grads, np.tile(lr, (STEPS, 1)), np.tile(mu, (STEPS, 1)))
    close(run(opt, x0, grads), expected)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_live_changes_take_effect_at_the_next_step(name):
    """lr and momentum change every few steps, between scalars and per-unit arrays."""
    x0, grads, lr, mu = random_case(seed=10 + OPTIMIZERS.index(name))
    lrs = [0.05 if k < 10 else lr if k < 25 else lr * 3 for k in range(STEPS)]
    mus = [0.5 if k < 20 else mu if k < 40 else 0.0 for k in range(STEPS)]
    grid = lambda vals: np.array([np.broadcast_to(v, (N,)) for v in vals])  # noqa: E731
    expected = reference(name, x0, grads, grid(lrs), grid(mus))
    close(run(make_optimizer(name, 1.0), x0, grads, lrs, mus), expected)


def test_rmsprop_without_momentum_is_torchs_other_branch_bit_for_bit():
    x0, grads, lr, _ = random_case(seed=3)
    opt = make_optimizer("rmsprop", lr=lr, momentum=0.0)
    x, s = x0, np.zeros_like(x0)
    for g in grads:
        s = 0.99 * s + (1 - 0.99) * g * g
        x_expected = x - lr[:, None] * (g / (np.sqrt(s) + 1e-8))
        x = opt.step(x, g)
        assert np.array_equal(x, x_expected)


# ----------------------------------------------------------------------------
# 2. Worked by hand
# ----------------------------------------------------------------------------

def two_steps(name, lr, momentum, g1, g2, x=1.0):
    opt = make_optimizer(name, lr, momentum)
    x1 = opt.step(np.array([[x, 0.0]]), np.array([[g1, 0.0]]))
    x2 = opt.step(x1, np.array([[g2, 0.0]]))
    return x1[0, 0], x2[0, 0], opt


def test_sgd_by_hand():
    x1, x2, _ = two_steps("sgd", 0.1, 0.9, g1=2.0, g2=1.0)   # momentum is ignored
    assert x1 == pytest.approx(1 - 0.1 * 2)                   # 0.8
    assert x2 == pytest.approx(0.8 - 0.1 * 1)                 # 0.7


def test_momentum_by_hand():
    x1, x2, opt = two_steps("momentum", 0.1, 0.9, g1=2.0, g2=1.0)
    assert x1 == pytest.approx(0.8)       # v = 2,               x = 1 - 0.1 * 2
    assert x2 == pytest.approx(0.52)      # v = 0.9 * 2 + 1 = 2.8, x = 0.8 - 0.28
    assert opt.state["velocity"][0, 0] == pytest.approx(2.8)


def test_nesterov_by_hand():
    x1, x2, _ = two_steps("nesterov", 0.1, 0.9, g1=2.0, g2=1.0)
    assert x1 == pytest.approx(0.62)      # v = 2,   x = 1 - 0.1 * (2 + 0.9 * 2)
    assert x2 == pytest.approx(0.268)     # v = 2.8, x = 0.62 - 0.1 * (1 + 0.9 * 2.8)


def test_adagrad_by_hand():
    x1, x2, _ = two_steps("adagrad", 0.1, 0.0, g1=2.0, g2=1.0)
    assert x1 == pytest.approx(0.9, abs=1e-9)                    # s = 4, step = 0.1 * 2 / 2
    assert x2 == pytest.approx(0.9 - 0.1 / math.sqrt(5), abs=1e-9)  # s = 5


def test_rmsprop_by_hand():
    # s = 0.01 * 4 = 0.04, sqrt(s) = 0.2: the first step is 0.01 * 2 / 0.2 = 10 * lr (less eps)
    x1, x2, _ = two_steps("rmsprop", 0.01, 0.0, g1=2.0, g2=2.0)
    assert x1 == pytest.approx(0.9, abs=1e-8)
    assert x1 == pytest.approx(1 - 0.01 * 2 / (0.2 + 1e-8), rel=1e-15)
    s2 = 0.99 * 0.04 + 0.01 * 4                              # 0.0796
    assert x2 == pytest.approx(x1 - 0.01 * 2 / (math.sqrt(s2) + 1e-8), rel=1e-15)
    # with momentum 0.5 the buffer keeps half of the first step: b = 0.5 * 10 + 2 / sqrt(s2)
    _, x2, opt = two_steps("rmsprop", 0.01, 0.5, g1=2.0, g2=2.0)
    b1 = 2 / (0.2 + 1e-8)                                     # 9.9999995
    b2 = 0.5 * b1 + 2 / (math.sqrt(s2) + 1e-8)                # 12.0888...
    assert x2 == pytest.approx(1 - 0.01 * b1 - 0.01 * b2, rel=1e-14)
    assert opt.state["momentum_buffer"][0, 0] == pytest.approx(b2, rel=1e-14)


@pytest.mark.parametrize("g", [2.0, -0.5, 500.0])
def test_adam_moves_lr_per_step_under_a_constant_gradient(g):
    # m = (1 - 0.9) g, v = 0.001 g^2: the bias corrections turn these back into g and g^2
    x1, x2, opt = two_steps("adam", 0.1, 0.9, g1=g, g2=g)
    assert x1 == pytest.approx(1 - 0.1 * math.copysign(1, g), abs=1e-8)
    assert x2 == pytest.approx(1 - 0.2 * math.copysign(1, g), abs=1e-8)
    assert opt.state["step"].tolist() == [2]


def test_adam_first_step_on_a_tiny_gradient_shows_eps():
    # the step is lr * g / (|g| + eps): eps = 1e-8 only matters when |g| is not much larger
    x1, _, _ = two_steps("adam", 0.1, 0.9, g1=-1e-6, g2=0.0)
    assert x1 == pytest.approx(1 + 0.1 * 1e-6 / (1e-6 + 1e-8), rel=1e-14)   # 1.0990099...


# ----------------------------------------------------------------------------
# 3. Stability on f = a x^2 / 2 (g = a x), one unit per lr
# ----------------------------------------------------------------------------

def descend_quadratic(opt, a, steps):
    """Run `steps` steps on f = a x^2 / 2 from x = (1, -1); return final |x| (inf if it blew up)."""
    x = np.tile([1.0, -1.0], (len(a), 1))
    for _ in range(steps):
        x = opt.step(x, a[:, None] * x)
        x = np.where(np.abs(x) < 1e100, x, np.inf)   # keep a diverged unit at inf, never NaN
    return np.abs(x).max(axis=1)


def test_gradient_descent_converges_iff_lr_below_2_over_a():
    a = np.array([0.5, 2.0, 10.0, 0.5, 2.0, 10.0])
    factor = np.array([0.98, 0.98, 0.98, 1.02, 1.02, 1.02])
    final = descend_quadratic(make_optimizer("sgd", lr=factor * 2 / a), a, steps=1000)
    assert np.all(final[:3] < 1e-9)       # |1 - lr a| = 0.96
    assert np.all(final[3:] > 1e9)        # |1 - lr a| = 1.04


def test_heavy_ball_converges_iff_lr_a_below_2_times_1_plus_mu():
    mu = np.repeat([0.0, 0.3, 0.5, 0.9, 0.99], 2)
    factor = np.tile([0.97, 1.03], 5)
    a = np.tile([0.5, 4.0], 5)
    opt = make_optimizer("momentum", lr=factor * 2 * (1 + mu) / a, momentum=mu)
    final = descend_quadratic(opt, a, steps=3000)
    assert np.all(final[factor < 1] < 1e-3)
    assert np.all(final[factor > 1] > 1e3)


# ----------------------------------------------------------------------------
# 4. Interface: validation, per-unit arrays, reset, take
# ----------------------------------------------------------------------------

def test_names_and_flags():
    assert OPTIMIZERS == ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
    for name in OPTIMIZERS:
        opt = make_optimizer(name, 0.1)
        assert isinstance(opt, Optimizer) and opt.name == name
        assert opt.uses_momentum == (name not in ("sgd", "adagrad"))
        assert opt.state == {}


@pytest.mark.parametrize("name, keys", [
    ("sgd", []), ("momentum", ["velocity"]), ("nesterov", ["velocity"]), ("adagrad", ["sum_sq"]),
    ("rmsprop", ["square_avg", "momentum_buffer"]), ("adam", ["exp_avg", "exp_avg_sq", "step"]),
])
def test_state_names_and_shapes(name, keys):
    opt = make_optimizer(name, 0.1, 0.5)
    x0 = np.ones((N, 2))
    x1 = opt.step(x0, np.ones((N, 2)))
    assert sorted(opt.state) == sorted(keys)
    assert x1.dtype == np.float64 and x1.shape == (N, 2)
    assert np.all(x0 == 1)                          # x is not modified
    for k, a in opt.state.items():
        assert a.shape == ((N,) if k == "step" else (N, 2))
        assert not a.flags.writeable


@pytest.mark.parametrize("lr, shown", [(-0.1, "-0.1"), (0, "0.0"), (float("nan"), "nan"),
                                       (float("inf"), "inf"), ([0.1, -2.0], r"-2.0 \(unit 1\)")])
def test_bad_learning_rate(lr, shown):
    with pytest.raises(ValueError, match=f"learning rate must be a finite number > 0, got {shown}"):
        make_optimizer("momentum", lr)
    opt = make_optimizer("momentum", 0.1)
    with pytest.raises(ValueError, match="learning rate"):
        opt.lr = lr
    assert opt.lr == 0.1                            # a rejected value leaves the old one


@pytest.mark.parametrize("name", OPTIMIZERS)     # checked even where it is ignored
@pytest.mark.parametrize("mu, shown", [(1.0, "1.0"), (-0.1, "-0.1"), (1.5, "1.5"),
                                       (float("nan"), "nan"), (float("-inf"), "-inf")])
def test_bad_momentum(name, mu, shown):
    with pytest.raises(ValueError, match=rf"momentum must be in \[0, 1\), got {shown}"):
        make_optimizer(name, 0.1, mu)


def test_unknown_optimizer():
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'; choose from sgd, momentum, "):
        make_optimizer("adamw", 0.1)


def test_per_unit_arrays_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \(2, 7\)"):
        make_optimizer("sgd", np.full((2, 7), 0.1))
    opt = make_optimizer("momentum", np.full(3, 0.1))
    with pytest.raises(ValueError, match=r"learning rate has shape \(3,\) but there are 7 units"):
        opt.step(np.zeros((N, 2)), np.ones((N, 2)))
    opt = make_optimizer("momentum", 0.1, np.full(8, 0.5))
    with pytest.raises(ValueError, match=r"momentum has shape \(8,\)"):
        opt.step(np.zeros((N, 2)), np.ones((N, 2)))


def test_per_unit_arrays_are_copied_and_read_only():
    lr = np.full(N, 0.1)
    opt = make_optimizer("sgd", lr)
    lr[:] = -1.0                                    # the caller's array is not the optimizer's
    assert np.all(opt.lr == 0.1)
    with pytest.raises(ValueError):                 # change it by assignment, which is checked
        opt.lr[0] = -1.0


def test_state_is_for_one_squad_size():
    opt = make_optimizer("adam", 0.1, 0.9)
    opt.step(np.zeros((N, 2)), np.ones((N, 2)))
    with pytest.raises(ValueError, match="state for 7 units, got 3"):
        opt.step(np.zeros((3, 2)), np.ones((3, 2)))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_reset_makes_masked_units_start_afresh(name):
    x0, grads, lr, mu = random_case(seed=20)
    opt, fresh = make_optimizer(name, lr, mu), make_optimizer(name, lr, mu)
    untouched = make_optimizer(name, lr, mu)
    run(opt, x0, grads[:10])
    run(untouched, x0, grads[:10])
    mask = np.arange(N) % 2 == 0
    opt.reset(mask)
    after = run(opt, x0, grads[10:])
    close(after[:, mask], run(fresh, x0, grads[10:])[:, mask])
    close(after[:, ~mask], run(untouched, x0, grads[10:])[:, ~mask])
    opt.reset()
    assert all(np.all(a == 0) for a in opt.state.values())


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("index", [[5, 1, 2], np.arange(N) >= 4], ids=["indices", "mask"])
def test_take_carries_units_to_a_new_squad(name, index):
    x0, grads, lr, mu = random_case(seed=30)
    whole = make_optimizer(name, lr, mu)
    run(whole, x0, grads[:10])
    part = whole.take(index)
    assert type(part) is type(whole)
    np.testing.assert_array_equal(part.lr, lr[index])
    x_part = x0[index]
    for g in grads[10:]:
        x_part = part.step(x_part, g[index])
    close(x_part, run(whole, x0, grads[10:])[-1][index])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_overflow_raises_no_numpy_warning(name):
    opt = make_optimizer(name, lr=np.array([1e300, 1e-3]), momentum=0.9)
    x = np.array([[1e300, -1e300], [0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            x = opt.step(x, np.array([[1e300, -1e300], [1e-300, 0.0]]))
    assert np.all(np.isfinite(x[1]))


# ----------------------------------------------------------------------------
# 5. Against torch.optim itself, when it is installed (it is not a dependency)
# ----------------------------------------------------------------------------

def torch_run(name, x0, grads, lr, mu):
    """Each unit is its own parameter group, so it can have its own lr and momentum."""
    torch = pytest.importorskip("torch")
    params = [torch.tensor(row, dtype=torch.float64, requires_grad=True) for row in x0]
    groups = []
    for p, a, m in zip(params, lr.tolist(), mu.tolist()):
        group = {"params": [p], "lr": a}
        if name in ("momentum", "nesterov"):
            group.update(momentum=m, nesterov=name == "nesterov" and m > 0)
        elif name == "rmsprop":
            group.update(momentum=m)
        elif name == "adam":
            group.update(betas=(m, 0.999))
        groups.append(group)
    cls = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
           "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
           "adam": torch.optim.Adam}[name]
    opt = cls(groups, lr=0.1)
    path = []
    for g in grads:
        for p, row in zip(params, g):
            p.grad = torch.tensor(row, dtype=torch.float64)
        opt.step()
        path.append([p.detach().numpy().copy() for p in params])
    return np.array(path)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_matches_torch(name):
    x0, grads, lr, mu = random_case(seed=40 + OPTIMIZERS.index(name))
    expected = torch_run(name, x0, grads, lr, mu)
    close(run(make_optimizer(name, lr, mu), x0, grads), expected)
