"""Editors' files -> Article: reading, front matter, Markdown, validation, scanning, watching."""
