"""Valley Command's pygame-ce front end: it reads sim state and sends commands, never the reverse."""
