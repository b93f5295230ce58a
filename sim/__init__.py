"""Valley Command's simulation core: pure NumPy, no pygame, no clock.

    import sim
    lvl = sim.load_level("01-bowl")          # or a path, or "random:SEED[:easy|normal|hard]"
    sim.campaign(); sim.chapters()           # the campaign's level names in order; its chapters (levels/campaign.toml)
    lvl.terrain.height(xy); lvl.terrain.grad(xy); lvl.bounds; lvl.global_min
    opt = sim.make_optimizer("momentum", lr=0.05, momentum=0.9); x = opt.step(x, g)
    world = sim.World(lvl, seed=0); world.step(100); world.outcome()
    world.set_orders(0, schedule=sim.make_schedule("cosine", lr=0.1, t_max=100, eta_min=0.001))
    world.hold(0); world.resume(0); world.drop(1, (x, y), units=4); world.supply_left; world.explored
"""
from .campaign import Chapter, chapter_of, chapters
from .levels import Level, LevelError, campaign, load_level
from .optim import OPTIMIZERS, Optimizer, default_momentum, make_optimizer
from .schedule import SCHEDULES, Schedule, make_schedule
from .world import ARRIVED, DESCENDING, DIVERGED, STATUS_NAMES, TRAPPED, Event, Orders, World

__all__ = ["Level", "LevelError", "campaign", "chapters", "chapter_of", "Chapter", "load_level", "OPTIMIZERS",
           "Optimizer", "make_optimizer", "default_momentum", "World", "Orders", "Event", "SCHEDULES", "Schedule",
           "make_schedule", "STATUS_NAMES", "DESCENDING", "ARRIVED", "TRAPPED", "DIVERGED"]
