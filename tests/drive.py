"""Driving a pygame app headless, as a player would: posted events, then frames."""
import numpy as np
import pygame

DT = 1 / 10           # seconds per frame of a test app's fixed clock (GameApp(fixed_dt=DT))


def post(kind, **attrs):
    pygame.event.post(pygame.event.Event(kind, **attrs))


def run(app, frames=1):
    for _ in range(frames):
        app.frame()


def run_until(app, done, limit=600):
    for _ in range(limit):
        if done():
            return
        app.frame()
    raise AssertionError("the app never got there")


def press(app, key, mod=0, frames=1):
    post(pygame.KEYDOWN, key=key, mod=mod, unicode="", scancode=0)
    post(pygame.KEYUP, key=key, mod=mod, unicode="", scancode=0)
    run(app, frames)


def click(app, pos, button=1, frames=1):
    pos = (int(pos[0]), int(pos[1]))
    post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))
    post(pygame.MOUSEBUTTONDOWN, pos=pos, button=button)
    post(pygame.MOUSEBUTTONUP, pos=pos, button=button)
    run(app, frames)


def drag(app, start, end, button=1, steps=4):
    start, end = np.asarray(start, float), np.asarray(end, float)
    post(pygame.MOUSEBUTTONDOWN, pos=tuple(start.astype(int)), button=button)
    for t in np.linspace(0, 1, steps)[1:]:
        p = tuple((start + t * (end - start)).astype(int))
        post(pygame.MOUSEMOTION, pos=p, rel=(0, 0), buttons=(1, 0, 0))
        run(app, 1)
    post(pygame.MOUSEBUTTONUP, pos=tuple(end.astype(int)), button=button)
    run(app, 1)
