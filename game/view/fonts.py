"""The game's fonts: DejaVu Sans (shipped in game/view/assets/fonts with its licence) for all text.

DejaVu has the mathematical glyphs the update rules need (nabla, eta, mu, beta, arrows), which
pygame's default font lacks. Fonts are cached by (size, bold, mono).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pygame

FONT_DIR = Path(__file__).resolve().parent / "assets" / "fonts"
FILES = {(False, False): "DejaVuSans.ttf", (True, False): "DejaVuSans-Bold.ttf",
         (False, True): "DejaVuSansMono.ttf", (True, True): "DejaVuSansMono.ttf"}


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False, mono: bool = False) -> pygame.font.Font:
    """DejaVu Sans at ``size`` pixels (pygame.font is initialised on first use)."""
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(str(FONT_DIR / FILES[(bold, mono)]), max(6, int(size)))
