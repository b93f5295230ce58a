"""The battle's controls, as the help overlay (F1) lists them: titled sections of (keys, what they do)."""
from __future__ import annotations

HELP = [
    ("Select & command", [
        ("Left click / drag", "select units (Shift adds to the selection)"),
        ("Ctrl+A", "select every unit"),
        ("Ctrl+1 - 9", "form squad 1-9 from the selection"),
        ("1 - 9", "select squad 1-9"),
        ("Squad panel", "orders: optimizer, learning rate, momentum"),
        ("H", "hold / resume the selected squad"),
    ]),
    ("Supply & drops", [
        ("Right click", "send the selected squad there (redeploy)"),
        ("L", "drop fresh units under the cursor (a new squad)"),
    ]),
    ("Time", [
        ("Enter", "start the descent (once every unit has stopped: end the run)"),
        ("Space", "pause / resume"),
        (".", "one step (pauses first)"),
        ("+ / -", "faster / slower (\u00bc\u00d7 to 8\u00d7)"),
    ]),
    ("Map", [
        ("Arrows / WASD", "pan the map"),
        ("Screen edge", "pan the map"),
        ("Middle drag", "pan the map"),
        ("Mouse wheel", "zoom around the cursor"),
        ("Home", "fit the whole map"),
        ("Minimap click", "jump there"),
        ("V", "sand table (relief) / map"),
        ("Q / E", "turn the table by 45\u00b0"),
        ("PgUp / PgDn", "look down more / less steeply"),
        ("F", "fog of war on / off (not on scouting levels)"),
    ]),
    ("Game", [
        ("F1", "this help"),
        ("F11", "fullscreen"),
        ("Esc", "back"),
        ("R / N / S", "results: retry / next level / save replay"),
    ]),
]
CLOSE_HELP = "F1 or Esc closes this help"
