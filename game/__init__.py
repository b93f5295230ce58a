"""Valley Command's front ends, one folder (wing) each, around one shared drawing wing:

    view/       everything that draws: camera, palettes, map art, sprites, markers, trails, fog,
                minimap, widgets, fonts, the network inset, the sweep map
    play/       the game: title, campaign, briefing, battle, results, saves
    classroom/  the presenter's view: update rules with live numbers, races, autoplay
    video/      the recorder: films, encoders, the record and sweep commands
    terminal/   the terminal view

A front end imports ``game.view``, ``game.app``, ``game.cli`` and ``sim``, never another front end.
They all read sim state and send commands; the simulation never imports them.
"""
