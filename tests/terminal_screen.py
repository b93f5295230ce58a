"""A tiny terminal for the tests: it applies the escape codes the terminal view sends to a grid of
cells, so a test can compare what a player would see with the frame that was sent."""
import re

from game.terminal import colour as C

TOKEN = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z])|\x1b[()][0-9A-Za-z]|\x1b.|(.)", re.S)


class Screen:
    """A tiny terminal: applies cursor moves (CSI H), SGR colours (CSI m), clears (CSI 2J) and
    glyphs from a byte stream to a grid of (glyph, fg, bg) cells, with codes as in tui_frame."""

    def __init__(self, cols, lines):
        self.cols, self.lines = cols, lines
        self.clear()
        self.row = self.col = 0
        self.pen = [C.DEFAULT, C.DEFAULT]

    def clear(self):
        self.cells = [[(" ", C.DEFAULT, C.DEFAULT)] * self.cols for _ in range(self.lines)]

    def feed(self, data: bytes):
        for m in TOKEN.finditer(data.decode("utf-8", "replace")):     # a read may end mid-character
            params, final, glyph = m.group(1), m.group(2), m.group(3)
            if glyph is not None:
                if self.row < self.lines and self.col < self.cols:
                    self.cells[self.row][self.col] = (glyph, *self.pen)
                self.col += 1
            elif final == "H":
                r, _, c = (params or "1;1").partition(";")
                self.row, self.col = int(r or 1) - 1, int(c or 1) - 1
            elif final == "J" and params == "2":
                self.clear()
            elif final == "m":
                self._sgr([int(p) if p else 0 for p in params.split(";")])

    def _sgr(self, p):
        i = 0
        while i < len(p):
            if p[i] == 0:
                self.pen = [C.DEFAULT, C.DEFAULT]
            elif p[i] in (39, 49):
                self.pen[p[i] == 49] = C.DEFAULT
            elif p[i] in (38, 48) and p[i + 1] == 2:
                r, g, b = p[i + 2:i + 5]
                self.pen[p[i] == 48] = (r << 16) | (g << 8) | b
                i += 4
            elif p[i] in (38, 48) and p[i + 1] == 5:
                self.pen[p[i] == 48] = p[i + 2]
                i += 2
            i += 1

    def text(self) -> str:
        return "\n".join("".join(c[0] for c in row) for row in self.cells)

    def matches(self, frame) -> bool:
        return self.cells == frame.rows()
