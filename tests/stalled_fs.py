"""A real file system whose answers can hang, as a network or FUSE folder's do when its server
stops answering: `python -m tests.stalled_fs BACKING MOUNTPOINT` mounts BACKING's files at
MOUNTPOINT (FUSE, needs root and /dev/fuse) and answers every request from them, except:

- reading a file whose name starts with `hang-read` never returns;
- looking up or stat-ing a file whose name starts with `hang-stat` never returns.

Nothing is cached by the kernel (timeouts 0), so each call reaches this process. The hung
calls end with an error when this process is killed, which also unmounts."""

from __future__ import annotations

import errno
import os
import sys
import threading
from typing import Any

from fuse import FUSE, FuseOSError, Operations

FOREVER = threading.Event()  # never set: what a hung server waits for


class Stalling(Operations):  # type: ignore[misc]  # fusepy has no types
    def __init__(self, backing: str) -> None:
        self.backing = backing

    def _real(self, path: str) -> str:
        return os.path.join(self.backing, path.lstrip("/"))

    def _hangs(self, path: str, prefix: str) -> bool:
        return os.path.basename(path).startswith(prefix)

    def getattr(self, path: str, fh: Any = None) -> dict[str, Any]:
        if self._hangs(path, "hang-stat"):
            FOREVER.wait()
        try:
            st = os.lstat(self._real(path))
        except OSError as exc:
            raise FuseOSError(exc.errno or errno.EIO) from None
        keys = ("st_mode", "st_size", "st_uid", "st_gid", "st_nlink", "st_atime", "st_ctime")
        return {**{k: getattr(st, k) for k in keys}, "st_mtime": st.st_mtime_ns / 1e9}

    def readdir(self, path: str, fh: Any) -> list[str]:
        return [".", "..", *os.listdir(self._real(path))]

    def open(self, path: str, flags: int) -> int:
        return os.open(self._real(path), flags & ~(os.O_NOFOLLOW | os.O_NONBLOCK))

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        if self._hangs(path, "hang-read"):
            FOREVER.wait()
        return os.pread(fh, size, offset)

    def release(self, path: str, fh: int) -> None:
        os.close(fh)


def main(backing: str, mountpoint: str) -> None:
    FUSE(
        Stalling(backing),
        mountpoint,
        foreground=True,
        ro=True,
        attr_timeout=0,
        entry_timeout=0,
        negative_timeout=0,
        allow_other=True,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
