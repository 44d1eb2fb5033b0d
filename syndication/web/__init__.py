"""aiohttp: the app factory, routes per audience, and middleware."""
