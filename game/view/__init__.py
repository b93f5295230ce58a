"""The drawing wing: everything the front ends draw with. One frame path draws a world into a
``pygame.Surface`` (``render.draw_map``); the window, the classroom, the recorder and the tests
all use it. Nothing here imports a front end."""
