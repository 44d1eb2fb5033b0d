"""One clock: no module of the package reads the date or the time of day but through the
`Clock` it is handed (syndication/clock.py), so a test or the golden record sets the instant
and nothing depends on the day they run. Read with ast, whatever the imports are named;
durations (time.monotonic, time.perf_counter) are not the calendar's and stay allowed."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syndication.clock import Clock, SetClock

PACKAGE = Path(__file__).resolve().parents[1] / "syndication"
THE_CLOCK = PACKAGE / "clock.py"
# Functions that read the wall clock when called with no time given (their argument count
# at or below which they read it; None: whatever their arguments).
READS: dict[str, int | None] = {
    "time.time": None, "time.time_ns": None, "time.localtime": 0, "time.gmtime": 0,
    "time.ctime": 0, "time.asctime": 0, "time.strftime": 1,
    "datetime.datetime.now": None, "datetime.datetime.utcnow": None,
    "datetime.datetime.today": None, "datetime.date.today": None,
    "email.utils.formatdate": 0, "email.utils.localtime": 0,
}  # fmt: skip
# SQLite reads the clock too: 'now' in its date functions, CURRENT_TIMESTAMP and the like.
SQL_READS = re.compile(
    r"""['"]now['"]|\bcurrent_(?:timestamp|date|time)\b|\bunixepoch\(\s*\)""", re.IGNORECASE
)


def clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) for each read of the wall clock in a module's source."""
    tree = ast.parse(source)
    names = _imported_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_READS.search(node.value):
                found.append((node.lineno, f"SQL {SQL_READS.search(node.value)[0]}"))  # type: ignore[index]
            continue
        if not isinstance(node, ast.Attribute | ast.Name):
            continue
        qualified = _qualified(node, names)
        if qualified not in READS:
            continue
        call = _call_of(tree, node)
        most = READS[qualified]
        given = len(call.args) + len(call.keywords) if call is not None else None
        if most is None or given is None or given <= most:
            found.append((node.lineno, qualified))
    return sorted(set(found))


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it stands for: `import time as t` gives t -> time, `from
    datetime import datetime as dt` gives dt -> datetime.datetime."""
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
    return names


def _qualified(node: ast.expr, names: dict[str, str]) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in names:
        return ""
    return ".".join([names[node.id], *reversed(parts)])


def _call_of(tree: ast.Module, func: ast.expr) -> ast.Call | None:
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
