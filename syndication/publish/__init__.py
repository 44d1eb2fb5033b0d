"""Pure functions from archived articles to bytes: HTML pages, later feeds and partner formats."""
