"""One clock: no module of the package reads the date or the time of day but through the
`Clock` it is handed (syndication/clock.py), so a test or the golden record sets the instant
and nothing depends on the day they run. Read with ast, whatever the imports are named or
re-bound to, through getattr and __import__, and in the SQL the package sends SQLite;
durations (time.monotonic, time.perf_counter) are not the calendar's and stay allowed.

Not the package's reads, and left to their owners: Python's logging stamps each log line
with the system's time (what a log pipeline wants), and the desk's script shows the editor's
own clock in their browser."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syndication.clock import Clock, SetClock

PACKAGE = Path(__file__).resolve().parents[1] / "syndication"
THE_CLOCK = PACKAGE / "clock.py"
ALWAYS = None
# What reads the wall clock. ALWAYS: every call (or mention: a function passed on is called
# somewhere). (position, keyword): when that argument, the time to use, is missing or None.
READS: dict[str, tuple[int, str] | None] = {
    "time.time": ALWAYS, "time.time_ns": ALWAYS,
    "time.localtime": (0, "secs"), "time.gmtime": (0, "secs"), "time.ctime": (0, "secs"),
    "time.asctime": (0, "t"), "time.strftime": (1, "t"),
    "datetime.datetime.now": ALWAYS, "datetime.datetime.utcnow": ALWAYS,
    "datetime.datetime.today": ALWAYS, "datetime.date.today": ALWAYS,
    "email.utils.formatdate": (0, "timeval"), "email.utils.localtime": (0, "dt"),
    "uuid.uuid1": ALWAYS,  # its first field is the time
    "aiohttp.helpers.rfc822_formatted_time": ALWAYS,
}  # fmt: skip
# clock_gettime reads the wall clock but for these clocks, which measure durations
DURATION_CLOCKS = {
    f"time.{name}" for name in ("CLOCK_MONOTONIC", "CLOCK_MONOTONIC_RAW", "CLOCK_BOOTTIME",
                                "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID")
}  # fmt: skip
WALL_MODULES = ("time", "datetime")  # `from time import *` hides which names it brings
# SQLite reads the clock too: 'now' as a time value (in the SQL or as a bound parameter),
# CURRENT_TIMESTAMP and its kin, and its date functions given no time at all.
SQL_READS = re.compile(
    r"""['"]\s*now\s*['"]|\bcurrent_(?:timestamp|date|time)\b"""
    r"""|\b(?:date|time|datetime|julianday|unixepoch)\s*\(\s*\)"""
    r"""|\bstrftime\s*\(\s*'[^']*'\s*\)""",
    re.IGNORECASE,
)


def clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) for each read of the wall clock in a module's source."""
    tree = ast.parse(source)
    names = _names(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module in WALL_MODULES
            and any(alias.name == "*" for alias in node.names)
        ):
            found.append((node.lineno, f"from {node.module} import *"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            if read := sql_read(node.value):
                found.append((node.lineno, f"SQL {read}"))
            continue
        qualified = _qualified(node, names)
        if qualified in READS:
            call = _call_of(tree, node)
            if _reads_now(READS[qualified], call):
                found.append((node.lineno, qualified))
        elif qualified in ("time.clock_gettime", "time.clock_gettime_ns"):
            call = _call_of(tree, node)
            which = _qualified(call.args[0], names) if call is not None and call.args else ""
            if which not in DURATION_CLOCKS:
                found.append((node.lineno, f"{qualified}({which or '?'})"))
    return sorted(set(found))


def sql_read(value: str | bytes) -> str | None:
    """The read of SQLite's clock in a string (SQL, or 'now' given as a parameter), or None."""
    text = value if isinstance(value, str) else value.decode("latin-1")
    if text.strip().lower() == "now":
        return "'now' as a parameter"
    match = SQL_READS.search(text)
    return match[0] if match else None


def _reads_now(spec: tuple[int, str] | None, call: ast.Call | None) -> bool:
    if spec is ALWAYS or call is None:
        return True
    position, keyword = spec
    given = call.args[position] if len(call.args) > position else None
    given = next((k.value for k in call.keywords if k.arg == keyword), given)
    return given is None or (isinstance(given, ast.Constant) and given.value is None)


def _names(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it stands for: `import time as t` gives t -> time, `from datetime
    import datetime as dt` gives dt -> datetime.datetime, and `D = dt` gives D too."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    assignments = [
        (target.id, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    for _ in range(3):  # aliases of aliases
        for name, value in assignments:
            if qualified := _qualified(value, names):
                names[name] = qualified
    return names


def _qualified(node: ast.AST, names: dict[str, str]) -> str:
    """What an expression names: `dt.now` -> datetime.datetime.now; getattr(dt, "now") and
    __import__("time") or importlib.import_module("time") too."""
    if (
        isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "__import__")
            or _qualified(node.func, names) == "importlib.import_module"
        )
    ):
        return str(node.args[0].value)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        owner = _qualified(node.args[0], names)
        return f"{owner}.{node.args[1].value}" if owner else ""
    if not isinstance(node, ast.Attribute | ast.Name):
        return ""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        base = names.get(node.id, "")
    else:  # __import__("time").time, getattr(datetime, "datetime").now
        base = _qualified(node, names) if isinstance(node, ast.Call) else ""
    return ".".join([base, *reversed(parts)]) if base else ""


def _call_of(tree: ast.Module, func: ast.AST) -> ast.Call | None:
    """The call whose function `func` is, or None when it is only named (passed on as a
    callable, which reads the clock wherever it is called)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.func is func:
            return node
    return None


def package_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != THE_CLOCK)


def test_no_module_reads_the_wall_clock_but_through_the_clock() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
        for path in package_modules()
        for line, what in clock_reads(path.read_text(encoding="utf-8"))
    ]
    found += [
        f"{path.relative_to(PACKAGE.parent)}: SQL {match[0]}"
        for path in sorted((PACKAGE / "archive" / "migrations").glob("*.sql"))
        for match in SQL_READS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "read the date through the Clock handed in:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "import time\nx = time.time()",
        "import time as t\nx = t.time_ns()",
        "from time import time\nx = time()",
        "from time import time as now\nclock = now",  # passed on: read wherever it is called
        "import time\nx = time.gmtime()",
        "import time\nx = time.strftime('%Y')",
        "import datetime\nx = datetime.datetime.now()",
        "import datetime as d\nx = d.date.today()",
        "from datetime import datetime\nx = datetime.now(UTC)",
        "from datetime import datetime as dt\nx = dt.utcnow()",
        "from datetime import date\nx = date.today()",
        "from email.utils import formatdate\nx = formatdate()",
        "x = \"SELECT datetime('now')\"",
        "x = 'INSERT INTO t VALUES (CURRENT_TIMESTAMP)'",
        "x = 'SELECT unixepoch()'",
        # what an outside review found the first version of this test missed
        "import datetime\nx = getattr(datetime.datetime, 'now')()",
        "from datetime import datetime\nD = datetime\nx = D.now()",
        "from datetime import datetime as dt\nE = dt\nF = E\nx = F.today()",
        "x = __import__('time').time()",
        "import importlib\nx = importlib.import_module('time').time()",
        "from time import *",
        "import time\nx = time.clock_gettime(time.CLOCK_REALTIME)",
        "import time\nx = time.clock_gettime_ns(time.CLOCK_TAI)",
        "import uuid\nx = uuid.uuid1()",
        "from email.utils import formatdate\nx = formatdate(usegmt=True)",
        "from email.utils import formatdate\nx = formatdate(None, usegmt=True)",
        "import time\nx = time.gmtime(None)",
        "import time\nx = time.localtime(secs=None)",
        "from aiohttp.helpers import rfc822_formatted_time\nx = rfc822_formatted_time()",
        "x = 'SELECT date()'",
        "x = 'SELECT julianday( )'",
        "x = \"SELECT strftime('%s')\"",
        "x = 'SELECT unixepoch ( )'",
        "x = b\"SELECT datetime('now')\"",
        "x = f\"SELECT datetime('NOW') FROM {t}\"",
        "conn.execute('SELECT datetime(?)', ('now',))",
    ],
)
def test_each_way_of_reading_the_clock_is_found(source: str) -> None:
    assert clock_reads(source), source


@pytest.mark.parametrize(
    "source",
    [
        "import time\nx = time.monotonic()",
        "import time\nx = time.perf_counter()",
        "import time\nx = time.gmtime(0)",
        "import time\nx = time.strftime('%Y', t)",
        "from datetime import datetime\nx = datetime.fromtimestamp(0, UTC)",
        "from email.utils import formatdate\nx = formatdate(0, usegmt=True)",
        "x = 'the snow and the nowhere'",
        "x = \"SELECT unixepoch('2024-01-01')\"",
        "x = \"SELECT strftime('%Y', published) FROM articles\"",
        "x = 'SELECT date(published), datetime(?, \"+1 day\")'",
        "import time\nx = time.clock_gettime(time.CLOCK_MONOTONIC)",
        "from email.utils import formatdate\nx = formatdate(now, usegmt=True)",
        "from email.utils import formatdate\nx = formatdate(timeval=now)",
        "import time\nx = time.strftime('%Y', time.gmtime(0))",
        "x = 'it is now or never'",
    ],
)
def test_what_is_not_the_clock_is_left_alone(source: str) -> None:
    assert clock_reads(source) == [], source


def test_a_set_clock_says_its_instant_and_moves_only_when_told() -> None:
    at = datetime(2031, 2, 28, 23, 59, 59, tzinfo=UTC)
    clock = SetClock(at)
    assert clock.now() == at and clock.time() == at.timestamp()
    clock.advance(1)
    assert clock.now() == datetime(2031, 3, 1, tzinfo=UTC)
    clock.advance(timedelta(days=365))
    assert clock.now().year == 2032
    with pytest.raises(ValueError):
        SetClock(datetime(2031, 1, 1))  # no zone: which instant would it be?
    system = Clock()
    assert abs(system.now().timestamp() - system.time()) < 5
