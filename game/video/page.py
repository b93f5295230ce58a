"""A descent as one web page: ``python main.py record LEVEL --out run.html``.

The page is a single HTML file that replays the recorded run in any current browser, opened from
the disk or an e-mail, with no network and nothing to install: play, pause, scrub, step with the
keyboard, click a unit to read the update it takes. Everything is inside the file:

* the look and the controls: page.html (markup and style), page_map.js and page_ui.js (plain
  ES2017 script, put into one function), all in this folder;
* the colours: the game's own (palette.py, widgets.py), written into the style as CSS variables;
* the **views**: pictures of the terrain, each a JPEG data URI with ``projection``, the 3x4
  matrix M taking a world point (x, y, z, 1) to homogeneous picture pixels (u, v, w) -> (u/w, v/w),
  z being the point's elevation on the sand table (game.view.ground). Two views: the map as the
  game draws it (render.MapArt), whose matrix ignores z, and the sand table (page_relief.py), one
  render of the relief from a fixed side, whose matrix is the relief camera's parallel projection.
  The page shows a button per view; the first is where it opens: the sand table, or the map when
  the recording was asked for ``--view map``.
* the **run**: page_data.gather(rec) as JSON (with the units' elevations and, per view, which
  units the ground hides: page_relief.py), gzip-compressed and base64-encoded (the page
  unpacks it with the browser's DecompressionStream).

Nothing is fetched: no URL appears in the page but the data URIs of its pictures.
"""
from __future__ import annotations

import base64
import gzip
import html
import io
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from sim.files import write_text_atomic

from game.view import widgets
from game.view.palette import WAR_ROOM
from game.view.render import MapArt, frame_array
from game.view.sprites import GOLD

from .page_data import gather, hex_colour
from .page_relief import Relief
from .record import Recording

HERE = Path(__file__).resolve().parent
MAP_RESOLUTION = 1024          # the map picture's long side [px]: sharp on a high-density screen
JPEG_QUALITY = 88              # of the map picture; with no chroma subsampling its contour lines stay crisp
GZIP_LEVEL = 9
MAX_UNIT_STEPS = 1_000_000     # units x (steps + 1) a page holds at most (some 8 MB of trajectories, elevations)
STEP_COLOUR = (80, 255, 150)   # the arrow of the step the selected unit takes (the classroom's "step")
PLACEHOLDER = re.compile(r"\{\{([A-Z]+)\}\}")


@dataclass
class PageResult:
    """What writing a page did."""
    path: Path
    bytes: int
    steps: int
    units: int
    explained: int               # units whose every step is explained
    seconds: float


def unit_steps(units: int, steps: int) -> int:
    """How many positions a page of ``units`` over ``steps`` steps holds."""
    return units * (steps + 1)


def page_views(art, relief, first: str = "relief") -> list:
    """The pictures of the terrain with their projections (see the module's docstring): the map
    from ``art`` (render.MapArt) and the sand table from ``relief`` (page_relief.Relief), the view
    named ``first`` first."""
    w, h = art.surface.get_size()
    (x0, x1), (y0, y1) = art.level.bounds
    sx, sy = w / (x1 - x0), h / (y1 - y0)                    # [px/world]
    plan = [[sx, 0.0, 0.0, -x0 * sx], [0.0, -sy, 0.0, y1 * sy], [0.0, 0.0, 0.0, 1.0]]   # north up
    views = [{"id": "map", "label": "Map", "kind": "plan", "size": [w, h], "projection": plan,
              "image": jpeg_uri(frame_array(art.surface))}, relief.view_entry(jpeg_uri)]
    return sorted(views, key=lambda v: v["id"] != first)


def jpeg_uri(rgb) -> str:
    """A picture (H, W, 3) uint8 as a data URI of a JPEG."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def theme_css() -> str:
    """The game's colours as CSS variables (the page's style and script read them)."""
    w, p = widgets, WAR_ROOM
    colours = {"bg": p.background, "panel": w.PANEL, "edge": w.PANEL_EDGE, "card": w.CARD, "card-hover": w.CARD_HOVER,
               "text": w.TEXT, "muted": w.MUTED, "faint": w.FAINT, "accent": w.ACCENT, "accent-dark": w.ACCENT_DARK,
               "good": w.GOOD, "bad": w.BAD, "frame": p.frame, "marker": p.marker, "outline": p.outline,
               "label-shadow": p.label_shadow, "gold": GOLD, "step": STEP_COLOUR, "gradient": w.BAD,
               "result": w.ACCENT, **{f"status-{k}": v for k, v in w.STATUS_COLOURS.items()}}
    lines = [f"  --{name}: {hex_colour(rgb)};" for name, rgb in colours.items()]
    lines.append(f"  --outline-shadow: rgba({p.outline[0]}, {p.outline[1]}, {p.outline[2]}, 0.35);")
    return ":root {\n" + "\n".join(lines) + "\n}"


def _script_safe(text: str) -> str:
    """Text to put inside a <script> element: '<' escaped as JSON allows, so no '</script>' ends it."""
    return text.replace("<", "\\u003c")


def build_page(rec: Recording) -> tuple[str, dict]:
    """(the page's HTML, its data): runs the recording once."""
    art = MapArt(rec.level, resolution=MAP_RESOLUTION)
    relief = Relief(art.ground, max(art.surface.get_size()))
    data = gather(rec, relief)
    views = {"views": page_views(art, relief, first=rec.view)}
    blob = gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                         GZIP_LEVEL, mtime=0)                  # mtime 0: the same run gives the same bytes
    script = "\n".join((HERE / name).read_text(encoding="utf-8") for name in ("page_map.js", "page_ui.js"))
    if "</script" in script.lower():
        raise ValueError("the page's script may not hold '</script'")
    parts = {"TITLE": html.escape(f"{data['level']['title']} · Valley Command"),
             "THEME": theme_css(),
             "VIEWS": _script_safe(json.dumps(views, separators=(",", ":"))),
             "DATA": base64.b64encode(blob).decode("ascii"),
             "SCRIPT": '"use strict";\n(function () {\n' + script + "\n})();"}
    template = (HERE / "page.html").read_text(encoding="utf-8")
    return PLACEHOLDER.sub(lambda m: parts[m.group(1)], template), data


def write_page(rec: Recording, out: Path) -> PageResult:
    """Build the page of ``rec`` and write it to ``out`` atomically (whole, or not at all)."""
    start = time.perf_counter()
    page, data = build_page(rec)
    write_text_atomic(Path(out), page)
    explained = len(data["explained"]["units"])
    return PageResult(Path(out), len(page.encode("utf-8")), data["run"]["steps"], data["run"]["units"], explained,
                      time.perf_counter() - start)


def read_page(path) -> tuple[dict, dict]:
    """(data, views) from a written page (for tests and tools): the inverse of ``build_page``."""
    text = Path(path).read_text(encoding="utf-8")
    blocks = dict(re.findall(r'<script type="application/[a-z-]+" id="descent-(data|views)">(.*?)</script>', text,
                             re.S))
    data = json.loads(gzip.decompress(base64.b64decode(blocks["data"])).decode("utf-8"))
    return data, json.loads(blocks["views"])
