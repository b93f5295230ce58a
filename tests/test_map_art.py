"""The terrain picture on a plateau (level 06): its flat top is not filled with contour colour in
the 4-pixel cells the art interpolates between (the staircase along the rim), and the heights
that place the contour lines keep float64 precision, so lines on near-flat ground run smooth."""
import numpy as np

import sim
from game.view import palette as pal
from game.view.render import SAMPLE_STEP, MapArt, _raster


def test_the_plateaus_flat_top_wears_its_tint_not_a_contour_line():
    level = sim.load_level("06-plateau")
    art = MapArt(level, resolution=512)
    top = art.heights >= art.scale.height_at(1 - 0.5 / pal.CONTOURS)       # above the highest contour level
    assert top.mean() > 0.1                                                # a good part of the map
    rgb = art.rgb()[top].astype(float)
    tint = pal.ramp_colour(art.scale(art.heights[top]))
    assert np.abs(rgb - tint).max() < 12                                   # flat ground: no shade, no line


def test_the_pictures_heights_are_the_terrains_in_float64():
    level = sim.load_level("06-plateau")
    region, size = level.bounds, (256, 256)
    h, gx, gy = _raster(level.terrain, region, size, SAMPLE_STEP)
    assert h.dtype == np.float64 and h.shape == size and gx.shape == size
    (x0, x1), (y0, y1) = region
    cols = np.arange(0, size[0], SAMPLE_STEP)
    xy = np.column_stack([x0 + (cols + 0.5) * (x1 - x0) / size[0], np.full(len(cols), y1 - 0.5 * (y1 - y0) / size[1])])
    assert np.array_equal(h[cols, 0], level.terrain.height(xy))           # the samples themselves, exactly
