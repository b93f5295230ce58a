"""Valley Command's simulation core: pure NumPy, no pygame, no clock.

    import sim
    lvl = sim.load_level("01-bowl")          # or a path, or "random:SEED[:easy|normal|hard]"
    lvl.terrain.height(xy); lvl.terrain.grad(xy); lvl.bounds; lvl.global_min
    opt = sim.make_optimizer("momentum", lr=0.05, momentum=0.9); x = opt.step(x, g)
    world = sim.World(lvl, seed=0); world.step(100); world.outcome()
"""
from .levels import Level, LevelError, campaign, load_level
from .optim import OPTIMIZERS, Optimizer, default_momentum, make_optimizer
from .world import ARRIVED, DESCENDING, DIVERGED, STATUS_NAMES, TRAPPED, Event, Orders, World

__all__ = ["Level", "LevelError", "campaign", "load_level", "OPTIMIZERS", "Optimizer", "make_optimizer",
           "default_momentum",
           "World", "Orders", "Event", "STATUS_NAMES", "DESCENDING", "ARRIVED", "TRAPPED", "DIVERGED"]
