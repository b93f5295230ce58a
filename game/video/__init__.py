"""The recorder: a descent as MP4, GIF or PNG frames, drawn off-screen by the shared renderer (no
window needed); and the sweep command's picture."""
