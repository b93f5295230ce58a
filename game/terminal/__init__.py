"""The terminal view: the map in half-block cells, redrawn by difference, played with the keyboard.
No pygame: it reads the palette's colours and the world's arrays."""
