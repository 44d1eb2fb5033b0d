"""Serving on a port the kernel picks (`serve --port 0`): bound once, never raced for."""

from __future__ import annotations

import socket


def kernel_picked(host: str, *, shared: bool = False) -> socket.socket:
    """A socket bound to a free port of `host`, which `getsockname()` names. `shared`: with
    SO_REUSEPORT, so the readers of `serve --workers N` can bind the same port; the holder
    never listens on it, so it takes no connections and only keeps the port ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT if shared else socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock
