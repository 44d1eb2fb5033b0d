"""A newsroom's archive and syndication service."""

__version__ = "0.1.0"
