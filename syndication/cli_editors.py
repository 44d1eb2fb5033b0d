"""`syndication editors add | remove | list`: who may open the desk (/desk/)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sqlite3
import sys
from collections.abc import Iterator

from syndication.archive import editors, served_address
from syndication.archive.lock import open_appender
from syndication.archive.previews import DESK, NAME, ensure_secret
from syndication.archive.schema import transaction
from syndication.clock import Clock
from syndication.config import Settings
from syndication.errors import SyndicationError


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    found = commands.add_parser("editors", parents=[common], help="editors' desk accounts")
    actions = found.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add",
        parents=[common],
        help="a new editor; the password is asked for (or read from one line of stdin)",
    )
    add.add_argument("name")
    add.add_argument("--replace", action="store_true", help="set a new password (ends sessions)")
    add.set_defaults(run=_add)
    remove = actions.add_parser("remove", parents=[common], help="the editor's sessions end")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)
    actions.add_parser(
        "list", parents=[common], help="editors and when each was added"
    ).set_defaults(run=_list)


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise SyndicationError("the two passwords differ; nothing was changed")
        return first
    return sys.stdin.readline(editors.MAX_PASSWORD + 2).rstrip("\r\n")


def _add(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    name = editors.checked_name(args.name)
    password = editors.checked_password(_password())
    with _appending(settings, clock) as conn, transaction(conn):
        editors.add(conn, name, password, clock.now(), replace=args.replace)
        ensure_secret(conn, DESK)  # sessions are signed with it
        ensure_secret(conn, NAME)  # the desk links each waiting story's preview
        settings = served_address.linked(conn, settings)
    print(f"editor {name} can log in at {settings.absolute('/desk/')}")
    return 0


def _remove(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    with _appending(settings, clock) as conn, transaction(conn):
        editors.remove(conn, args.name)
    print(f"editor {args.name} removed; their sessions have ended")
    return 0


def _list(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    with _appending(settings, clock) as conn:
        for name, added in editors.names(conn):
            print(f"{name}\tadded {added}")
    return 0


@contextlib.contextmanager
def _appending(settings: Settings, clock: Clock) -> Iterator[sqlite3.Connection]:
    conn = open_appender(settings.db_path, clock)
    try:
        yield conn
    finally:
        conn.close()
