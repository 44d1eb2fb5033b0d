"""Pure functions from archived articles to bytes: HTML pages now, feeds and partner formats next."""
