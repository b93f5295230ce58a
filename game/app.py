"""The window every front end with one shares: the app loop and the stack of scenes.

The game (``game.play``) and the classroom (``game.classroom``) each subclass ``App``: they name
their scenes in a table (``scene_types``, name -> class) and push the first ones in ``start()``.
A scene never imports another: it asks the app for the next one by name --
``app.open("briefing", level)``, ``app.swap("results", battle)``, ``app.back_to("campaign")`` --
and the app builds it from the table, so scene modules import ``game.app`` and nothing of each other.

Each scene is an object with ``layout(size, scale)``, ``handle(event) -> bool``, ``update(dt)``
and ``draw(surface)``. The app owns the window and a stack of scenes: the top one gets the
events and is drawn; Esc pops it (a scene may use Esc itself first, e.g. to close its help).
F11 toggles fullscreen; the window is resizable and every scene lays itself out again when
its size changes.

Time: ``frame(dt)`` advances one frame. In the window ``run()`` measures dt with a
``pygame.time.Clock`` at ``FPS``; with ``fixed_dt`` every frame lasts exactly that long and
nothing sleeps, so a test can drive the real loop frame by frame with posted events::

    app = GameApp((1280, 720), data_dir=tmp, fixed_dt=1 / 30)          # game.play.app
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0))
    app.run(max_frames=10)

The simulation itself runs at a fixed rate of steps per second (see ``game.play.battle``),
independent of the frame rate.
"""
from __future__ import annotations

import pygame

from .view.widgets import ACCENT, TEXT, backdrop, ellipsize, text, text_width

FPS = 60                        # frames per second in the window
MAX_DT = 0.25                   # a longer frame (a stall) counts as this long [s]
TOAST_SECONDS = 3.0             # how long a notice stays on screen [s]
ALERT_SECONDS = 6.0             # ... an error that is not bound to a scene
MIN_SIZE = (800, 560)           # the smallest window the layout is made for [px]
TITLE = "Valley Command"
ART_CACHE = 40                  # terrain pictures kept (full size and thumbnails)
THUMBNAIL_RESOLUTION = 160      # [px] on the long side of a campaign card's picture

_ART: dict = {}                 # (level id, source, thumbnail) -> MapArt, shared by every App


def ui_scale(size) -> float:
    """Text and widget scale for a window size: 1.0 at 1280x720, 1.5 at 1920x1080."""
    w, h = size
    return max(0.8, min(1.6, min(w / 1280, h / 720)))


class Scene:
    """A screen of the game. Subclasses override what they need; ``name`` is how other scenes ask for it."""
    name = ""

    def __init__(self, app: "App"):
        self.app = app

    def layout(self, size, scale: float):
        pass

    def handle(self, event) -> bool:
        return False

    def update(self, dt: float):
        pass

    def draw(self, surface):
        pass

    def back(self):
        """Esc: leave this scene."""
        self.app.pop()

    def toast_area(self, size, scale: float) -> pygame.Rect:
        """Where notices may go (they stack down from its top, centred): by default the whole
        window below a small margin. A scene with things along its top edge moves it clear of them."""
        return pygame.Rect(0, int(14 * scale), size[0], size[1] - int(14 * scale))


DESKTOP_ROOM = (0, 64)           # what a window leaves of the desktop for its frame and a task bar [px]


HEADLESS = ("dummy", "offscreen")   # video drivers with no screen: any window size is fine


def fit_to_desktop(size: tuple) -> tuple:
    """``size`` [px] if it fits the (first) desktop; a size larger than the desktop is cut to the
    desktop less DESKTOP_ROOM (room for a frame and a task bar), so the window does not reach far
    off the screen. A size that fits the desktop exactly is left as asked (its frame may overlap a
    task bar; the window can be moved, resized or made fullscreen with F11)."""
    desktops = pygame.display.get_desktop_sizes() if pygame.display.get_driver() not in HEADLESS else []
    if not desktops or (size[0] <= desktops[0][0] and size[1] <= desktops[0][1]):
        return size
    room = (desktops[0][0] - DESKTOP_ROOM[0], desktops[0][1] - DESKTOP_ROOM[1])
    return (max(320, min(size[0], room[0])), max(240, min(size[1], room[1])))


class App:
    """The window and its scenes. A front end subclasses it: ``scene_types`` names the scenes it
    can build, ``start()`` pushes the first ones."""

    scene_types: dict = {}               # scene name -> Scene subclass, built by ``make``

    def __init__(self, size=(1280, 720), fixed_dt: float | None = None, fullscreen=False):
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption(TITLE)
        self.windowed_size = fit_to_desktop(tuple(size))
        self.fullscreen = False
        self.screen = pygame.display.set_mode(self.windowed_size, pygame.RESIZABLE)
        self.fixed_dt = fixed_dt
        self.clock = pygame.time.Clock()
        self.running = True
        self.frames = 0
        self.time_s = 0.0
        self.toasts: list[list] = []          # [text, seconds left, scene or None]
        self.scenes: list[Scene] = []
        self.toast_rects: list[pygame.Rect] = []     # where the notices were last drawn
        self._size = None
        self.start()
        if fullscreen:
            self.toggle_fullscreen()

    def start(self):
        """Push the first scenes (a front end overrides this)."""

    # -- scenes -----------------------------------------------------------------------------------
    @property
    def scene(self) -> Scene:
        return self.scenes[-1]

    def push(self, scene: Scene):
        self.scenes.append(scene)
        self._layout(scene)

    def pop(self):
        """Close the top scene; closing the last one quits."""
        self.scenes.pop()
        if not self.scenes:
            self.running = False
        else:
            self._layout(self.scene)

    def replace(self, scene: Scene):
        self.scenes.pop()
        self.push(scene)

    def make(self, name: str, *args, **kwargs) -> Scene:
        """A new scene of the kind named ``name`` (see ``scene_types``), built with these arguments."""
        return self.scene_types[name](self, *args, **kwargs)

    def open(self, name: str, *args, **kwargs):
        """Build the scene named ``name`` and put it on top."""
        self.push(self.make(name, *args, **kwargs))

    def swap(self, name: str, *args, **kwargs):
        """Build the scene named ``name`` and put it in place of the top one."""
        self.replace(self.make(name, *args, **kwargs))

    def has(self, name: str) -> bool:
        """Whether a scene named ``name`` is anywhere on the stack."""
        return any(s.name == name for s in self.scenes)

    def back_to(self, name: str):
        """Close scenes until the one named ``name`` is on top (or only the first is left)."""
        while len(self.scenes) > 1 and self.scene.name != name:
            self.scenes.pop()
        self._layout(self.scene)

    def _layout(self, scene: Scene):
        size = self.screen.get_size()
        scene.layout(size, ui_scale(size))

    def map_art(self, level, thumbnail=False, palette="war-room"):
        """The rasterised terrain of a level (a small one for ``thumbnail``), cached: building it takes a moment."""
        from .view.render import MapArt
        key = (level.id, level.source, thumbnail, palette)
        if key not in _ART:
            if len(_ART) >= ART_CACHE:
                _ART.pop(next(iter(_ART)))
            _ART[key] = MapArt(level, palette=palette, resolution=THUMBNAIL_RESOLUTION if thumbnail else 1024)
        return _ART[key]

    # -- window -----------------------------------------------------------------------------------
    def toggle_fullscreen(self):
        self.fullscreen = not self.fullscreen
        if self.fullscreen:
            self.windowed_size = self.screen.get_size()
            sizes = pygame.display.get_desktop_sizes()
            self.screen = pygame.display.set_mode(sizes[0] if sizes else self.windowed_size, pygame.FULLSCREEN)
        else:
            self.screen = pygame.display.set_mode(self.windowed_size, pygame.RESIZABLE)
        self._size = None

    def notify(self, message: str, seconds: float = TOAST_SECONDS, local: bool = True):
        """Show a notice at the top of the screen for ``seconds``. A ``local`` notice belongs to the
        scene on top now: it goes when that scene is no longer on top (it never carries over)."""
        owner = self.scene if local and self.scenes else None
        self.toasts.append([message, seconds, owner])

    # -- the loop ---------------------------------------------------------------------------------
    def frame(self, dt: float | None = None) -> bool:
        """Handle events, advance ``dt`` seconds, draw, flip. Returns False once the game should end."""
        if dt is None:
            dt = self.fixed_dt if self.fixed_dt is not None else self.clock.tick(FPS) / 1000.0
        dt = min(dt, MAX_DT)
        for event in pygame.event.get():
            self._dispatch(event)
            if not self.running:
                return False
        size = self.screen.get_size()
        if size != self._size:
            self._size = size
            for scene in self.scenes:
                scene.layout(size, ui_scale(size))
        self.time_s += dt
        self.scene.update(dt)
        if not self.running:
            return False
        self.scene.draw(self.screen)
        self._draw_toasts(dt)
        pygame.display.flip()
        self.frames += 1
        return self.running

    def _dispatch(self, event):
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.VIDEORESIZE and not self.fullscreen:
            w, h = max(MIN_SIZE[0], event.w), max(MIN_SIZE[1], event.h)
            if (w, h) != self.screen.get_size():
                self.screen = pygame.display.set_mode((w, h), pygame.RESIZABLE)
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_F11:
            self.toggle_fullscreen()
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            if not self.scene.handle(event):
                self.scene.back()
        else:
            self.scene.handle(event)

    def run(self, max_frames: int | None = None) -> int:
        """Run frames until the player quits (or ``max_frames`` have passed). Returns an exit status."""
        n = 0
        while self.running and (max_frames is None or n < max_frames):
            self.frame()
            n += 1
        return 0

    def close(self):
        pygame.display.quit()

    def _draw_toasts(self, dt: float):
        """The live notices, stacked down from the top of the scene's ``toast_area``; the notices of
        a scene that is no longer on top are dropped."""
        self.toasts = [t for t in self.toasts if t[2] is None or t[2] is self.scene]
        size_px = self.screen.get_size()
        scale = ui_scale(size_px)
        area = self.scene.toast_area(size_px, scale)
        self.toast_rects = []
        y = area.y
        for toast in self.toasts:
            toast[1] -= dt
            size, pad = int(15 * scale), int(20 * scale)
            room = max(10, area.width - 2 * pad)
            line = ellipsize(toast[0], size, room - 2 * pad)
            box = pygame.Rect(0, y, min(room, text_width(line, size) + 2 * pad), int(size * 2.4))
            box.centerx = area.centerx
            backdrop(self.screen, box, alpha=235, edge=ACCENT)
            text(self.screen, line, box.center, size, TEXT, anchor="center")
            self.toast_rects.append(box)
            y = box.bottom + int(8 * scale)
        self.toasts = [t for t in self.toasts if t[1] > 0]
