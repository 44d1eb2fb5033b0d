"""Serving on a port the kernel picks (`serve --port 0`): bound once, never raced for."""

from __future__ import annotations

import socket

from syndication.errors import SyndicationError


def kernel_picked(host: str, *, shared: bool = False) -> socket.socket:
    """A socket bound to a free port of `host`, which `getsockname()` names. `shared`: with
    SO_REUSEPORT, so the readers of `serve --workers N` can bind the same port; the holder
    never listens on it, so it takes no connections and only keeps the port ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT if shared else socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, 0))
    except BIND_ERRORS as exc:
        sock.close()
        raise cannot_listen(host, 0, exc) from None
    return sock


# What binding a host an operator typed can raise: the system's refusal, a name that does not
# resolve (gaierror is an OSError), a NUL (ValueError), a name IDNA cannot encode (UnicodeError,
# or TypeError for a lone surrogate).
BIND_ERRORS = (OSError, ValueError, UnicodeError, TypeError)


def cannot_listen(host: str, port: int, exc: Exception) -> SyndicationError:
    """What an operator reads when `--host`/`--port` cannot be listened on."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return SyndicationError(
        f"cannot listen on {host!r} port {port} ({reason[:200]}); give --host an address of "
        "this machine (127.0.0.1, 0.0.0.0) and --port a free port"
    )
