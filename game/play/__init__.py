"""The game: title -> campaign map -> briefing -> battle (deploy, then descend) -> results.
``app.GameApp`` opens the window; the scenes ask it for each other by name."""
