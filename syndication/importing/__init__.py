"""Bringing an existing archive in: sources (a WordPress export) -> files under content/."""
