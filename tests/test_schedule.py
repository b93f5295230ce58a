"""Learning-rate schedules (sim/schedule.py): the closed forms, torch.optim.lr_scheduler itself (when
torch is installed: it is not a dependency), every schedule with every optimizer inside a world
with a live change of orders mid-run, and what the squad's orders record."""
import math

import numpy as np
import pytest

import sim
from sim.schedule import SCHEDULES, as_schedule, make_schedule
from sim.sweep import sweep

STEPS, CHANGE = 300, 150          # a run, and the step at which its learning rate is changed live
CASES = {"constant": {}, "step": {"step_size": 30, "gamma": 0.5}, "cosine": {"t_max": 100, "eta_min": 0.001}}


def closed_form(kind, lr, t, step_size=None, gamma=None, t_max=None, eta_min=None):
    """The documented closed forms (torch's docs): StepLR and CosineAnnealingLR."""
    if kind == "constant":
        return lr
    if kind == "step":
        return lr * gamma ** (t // step_size)
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2


def torch_lrs(kind, lr, steps, **params):
    """torch's param_group["lr"] after 0..steps calls of scheduler.step()."""
    torch = pytest.importorskip("torch")
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    sched = {"step": lambda: torch.optim.lr_scheduler.StepLR(opt, params["step_size"], params["gamma"]),
             "cosine": lambda: torch.optim.lr_scheduler.CosineAnnealingLR(opt, params["t_max"], params["eta_min"]),
             "constant": lambda: None}[kind]()
    out = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        if sched is not None:
            sched.step()
        out.append(opt.param_groups[0]["lr"])
    return out


@pytest.mark.parametrize("kind, params", [("step", {"step_size": 30, "gamma": 0.5}),
                                          ("step", {"step_size": 7, "gamma": 0.3}),
                                          ("cosine", {"t_max": 100, "eta_min": 0.001}),
                                          ("cosine", {"t_max": 37, "eta_min": 0.0123}),
                                          ("cosine", {"t_max": 1, "eta_min": 0.05})])
@pytest.mark.parametrize("lr", [0.1, 0.7])
def test_matches_the_closed_form_past_t_max_too(kind, params, lr):
    s = make_schedule(kind, lr=lr, **params)
    got = np.array([s.lr_at(t) for t in range(400)])
    want = np.array([closed_form(kind, lr, t, **params) for t in range(400)])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    if kind == "cosine":                      # back up to lr at 2 t_max: the cosine goes on, period 2 t_max
        assert s.lr_at(params["t_max"]) == params["eta_min"]
        assert s.lr_at(2 * params["t_max"]) == pytest.approx(lr, rel=1e-12)


@pytest.mark.parametrize("kind, params", [("step", {"step_size": 7, "gamma": 0.3}),
                                          ("cosine", {"t_max": 37, "eta_min": 0.0123}),
                                          ("cosine", {"t_max": 100, "eta_min": 0.001})])
def test_equals_torch_to_the_bit(kind, params):
    want = torch_lrs(kind, 0.1, 400, **params)
    s = make_schedule(kind, lr=0.1, **params)
    assert [s.lr_at(t) for t in range(401)] == want


def test_random_access_equals_stepping_in_order():
    s = make_schedule("cosine", lr=0.3, t_max=20, eta_min=0.01)
    late = s.lr_at(55)
    fresh = make_schedule("cosine", lr=0.3, t_max=20, eta_min=0.01)
    assert [fresh.lr_at(t) for t in range(56)][-1] == late


# -- inside a world: every schedule x every optimizer, with a live change of lr mid-run -------------
@pytest.fixture
def never_trapped(monkeypatch):
    """Units that slow down as their rate decays stay DESCENDING, so every step can be compared."""
    monkeypatch.setattr(sim.world, "SETTLE_STEPS", 10 ** 9)


def run_world(optimizer, kind, lr, mu, new_lr):
    """Positions of a squad following the schedule, its lr each step, and which units kept descending."""
    level = sim.load_level("03-ravine")
    w = sim.World(level, units=5, seed=3)
    w.set_orders(0, optimizer=optimizer, momentum=mu, schedule=make_schedule(kind, lr=lr, **CASES[kind]))
    x0, path, lrs = w.positions.copy(), [], []
    moving = np.ones(w.n_units, bool)
    for t in range(STEPS):
        if t == CHANGE:
            w.set_orders(0, lr=new_lr)
        lrs.append(w.lr_now(0))
        w.step()
        moving &= w.status == sim.DESCENDING
        path.append(w.positions.copy())
    return level, x0, np.array(path), lrs, moving


def settings(optimizer):
    """A base rate, momentum and the rate of the live change that keep the ravine's units moving."""
    lr = {"sgd": 0.4, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.3, "rmsprop": 0.003, "adam": 0.02}[optimizer]
    return lr, (0.0 if optimizer in ("sgd", "adagrad") else 0.8), lr * 0.6


@pytest.mark.parametrize("kind", SCHEDULES)
@pytest.mark.parametrize("optimizer", sim.OPTIMIZERS)
def test_world_follows_the_closed_form_with_a_live_change(optimizer, kind, never_trapped):
    """The same run replayed by hand: the optimizer alone, its lr set from the closed form each step,
    and from step CHANGE the schedule started afresh from the new rate."""
    lr, mu, new_lr = settings(optimizer)
    level, x0, path, lrs, moving = run_world(optimizer, kind, lr, mu, new_lr)
    want = [closed_form(kind, lr if t < CHANGE else new_lr, t if t < CHANGE else t - CHANGE, **CASES[kind])
            for t in range(STEPS)]
    np.testing.assert_allclose(lrs, want, rtol=1e-12)
    opt, x = sim.make_optimizer(optimizer, lr=lr, momentum=mu), x0
    ref = []
    for rate in want:
        opt.lr = rate
        x = opt.step(x, level.terrain.grad(x))
        ref.append(x)
    assert moving.sum() >= 3
    np.testing.assert_allclose(path[:, moving], np.array(ref)[:, moving], rtol=1e-9, atol=1e-12)


def torch_world(optimizer, kind, level, x0, lr, mu, new_lr):
    """The run in torch: one parameter per unit, the world's terrain gradients, torch's scheduler;
    at CHANGE the new rate is set and a fresh scheduler of the same kind starts from it."""
    torch = pytest.importorskip("torch")
    params = [torch.tensor(row, dtype=torch.float64, requires_grad=True) for row in x0]
    cls, extra = {"sgd": (torch.optim.SGD, {}), "momentum": (torch.optim.SGD, {"momentum": mu}),
                  "nesterov": (torch.optim.SGD, {"momentum": mu, "nesterov": True}),
                  "adagrad": (torch.optim.Adagrad, {}), "rmsprop": (torch.optim.RMSprop, {"momentum": mu}),
                  "adam": (torch.optim.Adam, {"betas": (mu, 0.999)})}[optimizer]
    opt = cls(params, lr=lr, **extra)

    def scheduler():
        p = CASES[kind]
        if kind == "step":
            return torch.optim.lr_scheduler.StepLR(opt, p["step_size"], p["gamma"])
        if kind == "cosine":
            return torch.optim.lr_scheduler.CosineAnnealingLR(opt, p["t_max"], p["eta_min"])
        return None

    sched, path, lrs = scheduler(), [], []
    for t in range(STEPS):
        if t == CHANGE:
            opt.param_groups[0]["lr"] = opt.param_groups[0]["initial_lr"] = new_lr
            opt.param_groups[0].pop("initial_lr") if sched is None else None
            sched = scheduler()
        lrs.append(opt.param_groups[0]["lr"])
        x = np.array([p.detach().numpy() for p in params])
        for p, g in zip(params, level.terrain.grad(x)):
            p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        if sched is not None:
            sched.step()
        path.append([p.detach().numpy().copy() for p in params])
    return np.array(path), lrs


@pytest.mark.parametrize("kind", SCHEDULES)
@pytest.mark.parametrize("optimizer", sim.OPTIMIZERS)
def test_world_equals_torch_with_a_live_change(optimizer, kind, never_trapped):
    lr, mu, new_lr = settings(optimizer)
    level, x0, path, lrs, moving = run_world(optimizer, kind, lr, mu, new_lr)
    want_path, want_lrs = torch_world(optimizer, kind, level, x0, lr, mu, new_lr)
    assert lrs == want_lrs                                          # to the bit
    np.testing.assert_allclose(path[:, moving], want_path[:, moving], rtol=1e-12, atol=1e-13)


# -- what the orders record ---------------------------------------------------------------------
def test_orders_record_the_schedule_and_a_live_change_starts_it_afresh():
    w = sim.World(sim.load_level("03-ravine"))
    s = make_schedule("step", lr=0.2, step_size=10, gamma=0.5)
    w.set_orders(0, optimizer="momentum", momentum=0.5, schedule=s)
    assert w.orders[0].schedule == s and w.orders[0].lr == 0.2
    w.step(25)
    assert w.schedule_step(0) == 25 and w.lr_now(0) == pytest.approx(0.05)
    w.set_orders(0, momentum=0.6)                                   # momentum alone: the schedule runs on
    assert w.schedule_step(0) == 25
    w.set_orders(0, lr=0.1)                                          # a new rate: afresh from it
    assert w.schedule_step(0) == 0 and w.orders[0].schedule == s.with_lr(0.1) and w.lr_now(0) == 0.1
    w.set_orders(0, optimizer="nesterov")                           # a new optimizer: afresh, same rate
    assert w.schedule_step(0) == 0 and w.orders[0].schedule.kind == "step"
    w.set_orders(0, schedule=make_schedule("constant", lr=0.07))
    assert w.orders[0].lr == 0.07 and w.orders[0].schedule.kind == "constant"
    assert w.outcome()["squads"][0]["schedule"] == {"kind": "constant", "lr": 0.07}


def test_a_held_squad_s_schedule_waits():
    w = sim.World(sim.load_level("03-ravine"))
    w.set_orders(0, optimizer="momentum", schedule=make_schedule("cosine", lr=0.2, t_max=50, eta_min=0.01))
    w.step(5)
    w.hold(0)
    w.step(10)
    assert w.schedule_step(0) == 5
    w.resume(0)
    w.step(1)
    assert w.schedule_step(0) == 6


def test_json_form_round_trips_and_set_orders_takes_it():
    s = make_schedule("cosine", lr=0.1, t_max=100, eta_min=0.001)
    assert as_schedule(s.to_dict()) == s
    w = sim.World(sim.load_level("03-ravine"))
    w.set_orders(0, schedule={"kind": "step", "lr": 0.3, "step_size": 5, "gamma": 0.1})
    assert w.orders[0].schedule == make_schedule("step", lr=0.3, step_size=5, gamma=0.1)


@pytest.mark.parametrize("kind, params, words", [
    ("linear", {}, "unknown schedule"), ("step", {"step_size": 0, "gamma": 0.5}, "step_size"),
    ("step", {"step_size": 3, "gamma": 1.5}, "gamma"), ("step", {"gamma": 0.5}, "step_size"),
    ("cosine", {"t_max": 10, "eta_min": 0.0}, "eta_min"), ("cosine", {"t_max": 10, "eta_min": 0.5}, "eta_min"),
    ("cosine", {"t_max": 0, "eta_min": 0.01}, "t_max"), ("constant", {"t_max": 3}, "t_max")])
def test_bad_schedules_say_what_is_wrong(kind, params, words):
    with pytest.raises(ValueError, match=words):
        make_schedule(kind, lr=0.1, **params)


def test_bad_rates_are_refused():
    for lr in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lr"):
            make_schedule("constant", lr=lr)
    with pytest.raises(ValueError, match="step"):
        make_schedule("constant", lr=0.1).lr_at(-1)


def test_a_sweep_with_a_schedule_matches_plain_worlds():
    """Per-unit base rates in one schedule, cut as the Swarm drops stopped units: the same outcomes
    as a plain World, and as one world per cell."""
    level = sim.load_level("03-ravine")
    sched = make_schedule("step", lr=1.0, step_size=20, gamma=0.5)
    lrs, momenta = [0.3, 1.0, 3.0], [0.0, 0.7]
    fast = sweep(level, ["momentum"], lrs, momenta, steps=120, schedule=sched)
    slow = sweep(level, ["momentum"], lrs, momenta, steps=120, schedule=sched, compact=False)
    assert np.array_equal(fast.first_arrival, slow.first_arrival)
    assert np.array_equal(fast.arrived, slow.arrived)
    w = sim.World(level)
    w.set_orders(0, optimizer="momentum", momentum=0.7, schedule=sched.with_lr(1.0))
    w.step(120)
    arrived = w.arrival_step[w.arrival_step >= 0]
    assert fast.first_arrival[0, 1, 1] == (arrived.min() if len(arrived) else -1)
