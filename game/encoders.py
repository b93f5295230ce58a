"""Where the recorder's frames go: an MP4 file (H.264 through ffmpeg), a GIF (Pillow) or numbered PNGs.

Every writer takes rendered pygame Surfaces, one per frame, through ``add(surface)`` and is finished
with ``close()``. A file is written under a temporary name beside its target and moved into place
(``os.replace``) only by ``close()``, so the target name never holds half a file:

* MP4: frames are piped to ffmpeg (its own process, so it encodes on another core) as raw RGB
  bytes; ffmpeg writes the index (the moov atom) when its input closes, so a video closed early
  -- by Ctrl-C -- is short but playable. If ffmpeg itself fails (disk full) the file is kept only
  if it still decodes.
* GIF: frames are reduced to 255 colours of one palette for the whole animation, built once by
  fast-octree quantisation of the first frame plus the squads' colours, and mapped onto it without
  dithering. One palette means a pixel that did not change keeps its index, so Pillow stores each
  frame as a transparent difference from the one before (the 256th entry is the transparency) --
  small files and no colour shimmer. Pillow writes a GIF in one go, so frames are kept in memory
  (one byte per pixel) until ``close()``.
* PNG: ``DIR/frame_00000.png``, ... each exactly ``render.frame_array(surface)``, written whole.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pygame
from PIL import Image

from .render import frame_array

EXTENSIONS = (".mp4", ".gif")
X264_PRESET = "ultrafast"     # fastest H.264 (see bench_record): ~2x larger files than veryfast
X264_TUNE = "animation"       # flat areas and sharp edges: a map, lines and text
X264_CRF = 20                 # constant quality, 0 (lossless) .. 51; 20 keeps text and thin lines clean
GIF_COLOURS = 255             # palette entries for pixels ...
TRANSPARENT = 255             # ... and the last index marks "unchanged since the previous frame"
GIF_MAX_BYTES = 2 * 1024**3   # a GIF's frames are held in memory until it is written: at most this much
PNG_COMPRESS = 1              # zlib level for PNG frames: fast; the pixels are exact at any level


class EncodeError(Exception):
    """Frames could not be written (disk full, ffmpeg stopped); ``str(err)`` is one line."""


def temp_beside(target: Path) -> Path:
    """A new empty hidden file next to ``target`` with the same extension (so ffmpeg picks the format)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".partial{target.suffix}", dir=target.parent)
    os.close(fd)
    return Path(name)


def rgb_bytes(surface) -> bytes:
    """The surface's pixels as packed RGB rows, top to bottom: the bytes of ``frame_array(surface)``."""
    return pygame.image.tobytes(surface, "RGB")


def gif_delays_ms(frames: int, fps: float) -> list[int]:
    """Per-frame delays [ms] for ``fps``. GIF delays are whole hundredths of a second, so they are
    spread to keep the total exact: 30 fps -> 30, 30, 40, 30, 30, 40 ... ms."""
    edges = np.rint(np.arange(frames + 1) * 100.0 / fps).astype(int)
    return (10 * np.diff(edges)).tolist()


def open_writer(path: Path, size, fps: float, palette_colours=()):
    """The writer for ``path``'s extension (.mp4 or .gif)."""
    if path.suffix.lower() == ".mp4":
        return Mp4Writer(path, size, fps)
    return GifWriter(path, size, fps, palette_colours)


class Mp4Writer:
    """H.264 in MP4, yuv420p (what browsers and presentation software play), through imageio-ffmpeg."""

    def __init__(self, path: Path, size, fps: float):
        w, h = size
        if w % 2 or h % 2:
            raise ValueError(f"H.264 needs an even width and height, got {w}x{h}")
        self.path, self.frames = Path(path), 0
        self.temp = temp_beside(self.path)
        self._ffmpeg = imageio_ffmpeg.write_frames(
            str(self.temp), (w, h), fps=fps, codec="libx264", pix_fmt_in="rgb24", pix_fmt_out="yuv420p",
            macro_block_size=2, quality=None, ffmpeg_log_level="error",
            output_params=["-preset", X264_PRESET, "-tune", X264_TUNE, "-crf", str(X264_CRF),
                           "-movflags", "+faststart"])
        self._ffmpeg.send(None)                        # starts ffmpeg

    def add(self, surface):
        try:
            self._ffmpeg.send(rgb_bytes(surface))
        except (OSError, StopIteration) as err:        # ffmpeg has gone: EPIPE, disk full
            raise EncodeError(f"ffmpeg stopped after {self.frames} frames ({_first_line(err)})") from None
        self.frames += 1

    def close(self) -> Path | None:
        """Let ffmpeg finish the file (it writes the index when its input ends); move it into place.
        Returns the path, or None when nothing playable was written."""
        self._ffmpeg.close()
        if self.frames and (_mp4_frames(self.temp) or 0) > 0:
            os.replace(self.temp, self.path)
            return self.path
        self.discard()
        return None

    def discard(self):
        self._ffmpeg.close()
        self.temp.unlink(missing_ok=True)


def _mp4_frames(path: Path) -> int | None:
    """How many frames a video file decodes to (None if it does not decode)."""
    try:
        return imageio_ffmpeg.count_frames_and_secs(str(path))[0]
    except (RuntimeError, OSError):
        return None


def _first_line(err) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


class GifWriter:
    """An animated GIF that loops forever, one palette for all frames (see the module docstring)."""

    def __init__(self, path: Path, size, fps: float, palette_colours=()):
        self.path, self.size, self.fps = Path(path), tuple(size), fps
        self.palette_colours = [tuple(c) for c in palette_colours]
        self.temp = temp_beside(self.path)
        self._palette = None            # a 1x1 "P" image holding the palette, for Image.quantize
        self._last = None               # the previous frame's palette indices (H, W)
        self._images: list[Image.Image] = []

    @property
    def frames(self) -> int:
        return len(self._images)

    def add(self, surface):
        """Map the frame onto the palette; pixels equal to the previous frame's become transparent."""
        rgb = Image.frombytes("RGB", self.size, rgb_bytes(surface))
        if self._palette is None:
            self._palette = self._make_palette(rgb)
        index = np.asarray(rgb.quantize(palette=self._palette, dither=Image.Dither.NONE))
        frame = index if self._last is None else np.where(index == self._last, np.uint8(TRANSPARENT), index)
        self._last = index
        image = Image.frombytes("P", self.size, frame.tobytes())
        image.putpalette(self._palette.getpalette())
        self._images.append(image)

    def _make_palette(self, first: Image.Image) -> Image.Image:
        """Fast-octree colours of the first frame, plus the given colours exactly (squads, markers):
        GIF_COLOURS entries, leaving index TRANSPARENT free."""
        extra = list(dict.fromkeys(self.palette_colours))[:64]
        octree = first.quantize(GIF_COLOURS - len(extra), method=Image.Quantize.FASTOCTREE,
                                dither=Image.Dither.NONE)
        colours = octree.getpalette()[:3 * (GIF_COLOURS - len(extra))]
        colours += [v for c in extra for v in c]
        colours += colours[:3] * (GIF_COLOURS - len(colours) // 3)      # a small octree: repeat a colour
        palette = Image.new("P", (1, 1))
        palette.putpalette(colours)
        return palette

    def close(self) -> Path | None:
        """Write every frame so far (an interrupted recording is a shorter GIF); move it into place."""
        if not self._images:
            self.discard()
            return None
        first, rest = self._images[0], self._images[1:]
        try:
            first.save(self.temp, format="GIF", save_all=True, append_images=rest, loop=0,
                       duration=gif_delays_ms(len(self._images), self.fps), transparency=TRANSPARENT,
                       disposal=1, optimize=False)     # 1: each frame is drawn over the one before
        except OSError as err:
            self.discard()
            raise EncodeError(f"cannot write the GIF: {_first_line(err)}") from None
        os.replace(self.temp, self.path)
        return self.path

    def discard(self):
        self._images.clear()
        self.temp.unlink(missing_ok=True)


class PngWriter:
    """Numbered PNG files in a folder: frame_00000.png, frame_00001.png, ..."""

    def __init__(self, folder: Path):
        self.folder, self.frames = Path(folder), 0
        self.folder.mkdir(exist_ok=True)

    def name(self, k: int) -> Path:
        return self.folder / f"frame_{k:05d}.png"

    def add(self, surface):
        target = self.name(self.frames)
        temp = target.with_name(f".{target.name}.partial.png")
        try:
            Image.fromarray(frame_array(surface)).save(temp, compress_level=PNG_COMPRESS)
            os.replace(temp, target)
        except OSError as err:
            temp.unlink(missing_ok=True)
            raise EncodeError(f"cannot write {target}: {_first_line(err)}") from None
        self.frames += 1

    def close(self) -> Path:
        return self.folder

    def discard(self):
        pass
