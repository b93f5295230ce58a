"""Where the recorder's frames go: an MP4 file (H.264 through ffmpeg), a GIF (Pillow) or numbered PNGs.

Every writer takes rendered pygame Surfaces, one per frame, through ``add(surface)`` and is finished
with ``close(complete)``. A file is written under a temporary name beside its target and moved into
place (``os.replace``) only by ``close()``, so the target name never holds half a file. A recording
cut short (``complete`` False) never replaces a file that was there before (an earlier recording,
under --force): it is kept beside it as NAME.partial.mp4 instead (``partial_beside``).

* MP4: frames go to ffmpeg -- its own process, so it encodes on the other core -- as the surface's
  own pixel bytes. ffmpeg writes the index (the moov box) when its input ends, so a recording
  stopped early is short but playable. If ffmpeg fails (a full disk), whatever it left is kept
  only if it is a whole MP4.
* GIF: every frame is mapped, without dithering, onto one palette of 255 colours made once by
  fast-octree quantisation of a sample of the recording's colours. With one palette a pixel that
  did not change keeps its index, so it is written as the 256th, transparent, index: each frame
  stores only what moved (small files), and colours never shimmer from frame to frame. Pillow
  writes a GIF in one go, so the frames wait in memory (one byte per pixel) until ``close()``.
* PNG: ``DIR/frame_00000.png``, ... each exactly ``render.frame_array(surface)``, written whole.
"""
from __future__ import annotations

import os
import queue
import secrets
import struct
import sys
import threading
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pygame
from PIL import Image

from game.view.render import frame_array

EXTENSIONS = (".mp4", ".gif")
X264_PRESET = "ultrafast"     # ~8 ms of one core per 720p frame ("veryfast": ~11 ms, files a third the size)
X264_TUNE = "animation"       # flat areas and sharp edges: a map, lines and text
X264_THREADS = 1              # one encoding thread costs the least CPU; the recorder uses the other core
X264_CRF = 20                 # constant quality, 0 (lossless) .. 51; 20 keeps text and thin lines clean
GIF_COLOURS = 255             # palette entries for pixels ...
TRANSPARENT = 255             # ... and the last index marks "unchanged since the previous frame"
GIF_MAX_BYTES = 2 * 1024**3   # a GIF's frames are held in memory until it is written: at most this much
FEED_QUEUE = 3                # frames waiting for ffmpeg, at most
PNG_COMPRESS = 1              # zlib level for PNG frames: fast; the pixels are exact at any level


class EncodeError(Exception):
    """Frames could not be written (disk full, ffmpeg stopped); ``str(err)`` is one line."""


def temp_beside(target: Path) -> Path:
    """A new empty hidden file next to ``target``, ending in the same extension (ffmpeg picks the
    format by it), created with the usual permissions."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial{target.suffix}")
        try:
            open(temp, "xb").close()
            return temp
        except FileExistsError:
            continue
        except OSError as err:
            raise EncodeError(f"cannot write in {target.parent}: {_first_line(err)}") from None


def partial_beside(target: Path) -> Path:
    """Where a recording cut short goes when ``target`` already holds a file: NAME.partial.EXT
    beside it, or NAME.partial-2.EXT, ... whichever is free (an earlier partial is kept too)."""
    k = 1
    while True:
        name = f"{target.stem}.partial{'' if k == 1 else f'-{k}'}{target.suffix}"
        if not target.with_name(name).exists():
            return target.with_name(name)
        k += 1


def destination(target: Path, complete: bool) -> Path:
    """Where a finished file goes: ``target``, unless the recording was cut short and ``target``
    already holds a file, which must not be lost (``partial_beside``)."""
    return target if complete or not target.exists() else partial_beside(target)


def rgb_bytes(surface) -> bytes:
    """The surface's pixels as packed RGB rows, top to bottom: the bytes of ``frame_array(surface)``."""
    return pygame.image.tobytes(surface, "RGB")


def raw_layout(surface) -> str | None:
    """ffmpeg's name for the byte order of the surface's own 32-bit pixels ('bgr0' for pygame's usual
    XRGB on a little-endian machine), or None if its rows are not plain 4-byte pixels. Handing
    ffmpeg the pixel memory as it is skips converting each frame to RGB here."""
    if surface.get_bytesize() != 4 or surface.get_pitch() != 4 * surface.get_width():
        return None
    layout = ["0"] * 4
    for channel, shift in zip("rgb", surface.get_shifts()[:3]):
        byte = shift // 8 if sys.byteorder == "little" else 3 - shift // 8
        layout[byte] = channel
    name = "".join(layout)
    return name if name in ("bgr0", "rgb0", "0rgb", "0bgr") else None


def gif_delays_ms(frames: int, fps: float) -> list[int]:
    """Per-frame delays [ms] for ``fps``. GIF delays are whole hundredths of a second, so they are
    spread to keep the total exact: 30 fps -> 30, 30, 40, 30, 30, 40 ... ms."""
    edges = np.rint(np.arange(frames + 1) * 100.0 / fps).astype(int)
    return (10 * np.diff(edges)).tolist()


def open_writer(path: Path, size, fps: float, palette_sample=None, layout: str | None = None):
    """The writer for ``path``'s extension (.mp4 or .gif); see the writers for the other arguments."""
    if path.suffix.lower() == ".mp4":
        return Mp4Writer(path, size, fps, layout)
    return GifWriter(path, size, fps, palette_sample)


class Mp4Writer:
    """H.264 in MP4, yuv420p (what browsers and presentation software play), through imageio-ffmpeg.

    A feeder thread hands the frames to ffmpeg: while a write waits for ffmpeg to take a frame
    (the GIL is released), the recorder is already drawing the next one.
    """

    def __init__(self, path: Path, size, fps: float, layout: str | None = None):
        """``layout``: the byte order of the surfaces' own pixels (see ``raw_layout``), sent as they
        are; None sends RGB bytes."""
        w, h = size
        if w % 2 or h % 2:
            raise ValueError(f"H.264 needs an even width and height, got {w}x{h}")
        self.path, self.frames, self.layout = Path(path), 0, layout
        self.temp = temp_beside(self.path)
        self._ffmpeg = imageio_ffmpeg.write_frames(
            str(self.temp), (w, h), fps=fps, codec="libx264", pix_fmt_in=layout or "rgb24", pix_fmt_out="yuv420p",
            macro_block_size=2, quality=None, ffmpeg_log_level="quiet",
            output_params=["-preset", X264_PRESET, "-tune", X264_TUNE, "-crf", str(X264_CRF),
                           "-threads", str(X264_THREADS), "-movflags", "+faststart"])
        self._ffmpeg.send(None)                        # starts ffmpeg
        self._queue: queue.Queue = queue.Queue(maxsize=FEED_QUEUE)
        self._error = None                             # why ffmpeg stopped taking frames
        self._feeder = threading.Thread(target=self._feed, name="ffmpeg-feeder", daemon=True)
        self._feeder.start()

    def _feed(self):
        """Send queued frames to ffmpeg until None arrives; after a failure, keep emptying the queue."""
        while (frame := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._ffmpeg.send(frame)
                except (OSError, StopIteration) as err:     # ffmpeg has gone: EPIPE, disk full
                    self._error = err

    def add(self, surface):
        if self._error is not None:
            raise EncodeError(f"ffmpeg stopped taking frames ({_first_line(self._error)})")
        self._queue.put(surface.get_buffer().raw if self.layout else rgb_bytes(surface))
        self.frames += 1

    def close(self, complete: bool = True) -> Path | None:
        """Let ffmpeg finish the file (it writes the index when its input ends) and move it into
        place (see ``destination``). Returns where, or None when nothing playable was written."""
        self._queue.put(None)
        self._feeder.join()
        self._ffmpeg.close()
        if self.frames and mp4_is_complete(self.temp):
            where = destination(self.path, complete)
            os.replace(self.temp, where)
            return where
        self.temp.unlink(missing_ok=True)
        return None

    def discard(self):
        self.frames = 0
        self.close()


def mp4_is_complete(path: Path) -> bool:
    """Whether an MP4 file is whole: its index (the 'moov' box, without which it does not play) is
    there and no box is cut short. An MP4 is a row of boxes, each starting with its size in bytes
    (4, big-endian) and its type (4 letters)."""
    end, index, start, size = path.stat().st_size, False, 0, 0
    with open(path, "rb") as f:
        while len(header := f.read(8)) == 8:
            start = f.tell() - 8
            size, kind = struct.unpack(">I4s", header)
            if size == 1:                              # a 64-bit size follows the type
                size = struct.unpack(">Q", f.read(8))[0]
            elif size == 0:                            # the box runs to the end of the file
                size = end - start
            if size < 8 or start + size > end:
                return False
            index = index or kind == b"moov"
            f.seek(start + size)
        return index and start + size == end


def _first_line(err) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


class GifWriter:
    """An animated GIF that loops forever, one palette for all frames (see the module docstring)."""

    def __init__(self, path: Path, size, fps: float, palette_sample=None):
        """``palette_sample``: a Surface showing the colours the frames will be made of; without
        one, the first frame is the sample."""
        self.path, self.size, self.fps = Path(path), tuple(size), fps
        self.temp = temp_beside(self.path)
        self._palette = None if palette_sample is None else make_palette(palette_sample)
        self._last = None               # the previous frame's palette indices (H, W)
        self._images: list[Image.Image] = []

    @property
    def frames(self) -> int:
        return len(self._images)

    def add(self, surface):
        """Map the frame onto the palette; pixels equal to the previous frame's become transparent."""
        if self._palette is None:
            self._palette = make_palette(surface)
        rgb = Image.frombytes("RGB", self.size, rgb_bytes(surface))
        index = np.asarray(rgb.quantize(palette=self._palette, dither=Image.Dither.NONE))
        frame = index if self._last is None else np.where(index == self._last, np.uint8(TRANSPARENT), index)
        self._last = index
        image = Image.frombytes("P", self.size, frame.tobytes())
        image.putpalette(self._palette.getpalette())
        self._images.append(image)

    def close(self, complete: bool = True) -> Path | None:
        """Write every frame so far (an interrupted recording is a shorter GIF); move it into place
        (see ``destination``) and return where."""
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
        where = destination(self.path, complete)
        os.replace(self.temp, where)
        return where

    def discard(self):
        self._images.clear()
        self.temp.unlink(missing_ok=True)


def make_palette(sample) -> Image.Image:
    """GIF_COLOURS colours by fast-octree quantisation of the Surface ``sample`` (index TRANSPARENT
    stays free), as a 1x1 "P" image for ``Image.quantize(palette=...)``."""
    rgb = Image.frombytes("RGB", sample.get_size(), rgb_bytes(sample))
    octree = rgb.quantize(GIF_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    colours = octree.getpalette()[:3 * GIF_COLOURS]
    colours += colours[:3] * (GIF_COLOURS - len(colours) // 3)      # few colours: repeat one
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours)
    return palette


class PngWriter:
    """Numbered PNG files in a folder: frame_00000.png, frame_00001.png, ... The frames of an earlier
    recording there are removed first (the record command asks for --force before that)."""

    def __init__(self, folder: Path):
        self.folder, self.frames = Path(folder), 0
        try:
            self.folder.mkdir(exist_ok=True)
            for old in self.folder.glob("frame_*.png"):
                old.unlink()
        except OSError as err:
            raise EncodeError(f"cannot write in the folder {folder}: {_first_line(err)}") from None

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

    def close(self, complete: bool = True) -> Path:
        return self.folder

    def discard(self):
        pass
