"""Settings: one declaration each, read from syndication.toml and SYNDICATION_* alike."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndication.config import (
    LIMITS,
    SCALARS,
    TABLE_OF,
    TABLES,
    URL_SETTINGS,
    Settings,
    load_settings,
    require_named_settings,
)
from syndication.errors import ConfigError
from tests.conftest import examples

REPO = Path(__file__).resolve().parents[1]


def test_every_scalar_setting_says_what_it_is_for() -> None:
    helps = {f.name: f.metadata.get("help") for f in fields(Settings) if f.name in SCALARS}
    assert len(helps) >= 30 and all(helps.values()), [n for n, h in helps.items() if not h]


def test_the_file_and_the_environment_read_each_kind_of_value(tmp_path: Path) -> None:
    toml = tmp_path / "syndication.toml"
    toml.write_text(
        '[site]\ndb_path = "x.db"\n[pages]\npage_size = 7\n[websub]\nwebsub_hub = false\n'
    )
    environ = {
        "SYNDICATION_PAGE_SIZE": "9",
        "SYNDICATION_KEEPALIVE_SECONDS": "2.5",
        "SYNDICATION_WEBSUB_HUBS": "https://a.example/, https://b.example/",
        "SYNDICATION_ACCESS_LOG": "yes",
    }
    settings = load_settings(toml, environ)
    assert settings.page_size == 9 and settings.websub_hub is False  # the environment wins
    assert settings.db_path == Path("x.db") and settings.keepalive_seconds == 2.5
    assert settings.websub_hubs == ("https://a.example/", "https://b.example/")
    assert settings.access_log is True
    assert load_settings(REPO / "syndication.toml", {}).page_size == SCALARS["page_size"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[pages]\npage_sise = 7\n", "no setting 'page_sise'"),
        ("[pages]\npage_size = 'seven'\n", "page_size: 'seven' is not a valid int"),
        ("[websub]\nwebsub_hub = 'perhaps'\n", "websub_hub: 'perhaps' is not a valid bool"),
        ("[edge]\nedge_varnish = ['cache:8080']\n", "edge_varnish: 'cache:8080' is not an http"),
        ("[edge]\nedge_tag_header = 'X-Tags'\n", "edge_tag_header: 'X-Tags' is not one of"),
        ("[replica]\nprimary_url = 'javascript:alert(1)'\n", "primary_url: .* is not an http"),
        ("[feeds]\npage_size = 7\n", r"page_size belongs in \[pages\], not \[feeds\]"),
        ("feeds = 7\n", r"\[feeds\] must be a table"),
    ],
)
def test_a_wrong_setting_is_an_error_naming_it(tmp_path: Path, text: str, words: str) -> None:
    toml = tmp_path / "syndication.toml"
    toml.write_text(text)
    with pytest.raises(ConfigError, match=words):
        load_settings(toml, {})


_TOML_VALUES = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=30),
    st.lists(st.one_of(st.integers(), st.text(max_size=10)), max_size=3),
)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.sampled_from(sorted(SCALARS)), st.one_of(_TOML_VALUES, st.text(max_size=60)), st.booleans()
)
def test_any_value_of_any_setting_is_taken_within_its_range_or_refused_by_name(
    name: str, value: object, from_environment: bool
) -> None:
    """From the file (any TOML value) or the environment (any text): a Settings whose numbers
    lie in their ranges, or a ConfigError naming the setting; never anything else."""
    try:
        loaded = (
            load_settings(Path("/nonexistent"), {f"SYNDICATION_{name.upper()}": str(value)})
            if from_environment
            else Settings().with_overrides(**{name: value})  # as [site] values are read
        )
    except ConfigError as error:
        assert name in str(error)
        return
    taken = getattr(loaded, name)
    if name in URL_SETTINGS:  # a server the service sends requests or people to
        for url in taken if isinstance(taken, tuple) else (taken,):
            assert not url or (urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname)
    low, high = LIMITS[name]
    if isinstance(taken, int | float) and not isinstance(taken, bool):
        assert math.isfinite(taken) and low <= taken and (high is None or taken <= high)


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_a_port_no_socket_can_have_is_refused(port: str) -> None:
    with pytest.raises(ConfigError, match="port"):
        load_settings(Path("/nonexistent"), {"SYNDICATION_PORT": port})


@settings(max_examples=examples(200), deadline=None)
@example(name="x" * 300, by_environment=False)  # longer than a file name may be
@example(name="a\0b", by_environment=True)
@example(name="", by_environment=True)  # SYNDICATION_CONFIG set to the folder
@given(
    name=st.text(st.characters(exclude_characters="/"), max_size=5000),  # inside the folder
    by_environment=st.booleans(),
)
def test_any_settings_file_name_that_is_no_file_is_a_config_error(
    tmp_path_factory: pytest.TempPathFactory, name: str, by_environment: bool
) -> None:
    """Whatever `--config` or SYNDICATION_CONFIG names (too long, a NUL, a folder, nothing),
    a name that is no file stops the command with a ConfigError, never a traceback."""
    folder = tmp_path_factory.mktemp("named")
    named = folder / name
    path, environ = (None, {"SYNDICATION_CONFIG": str(named)}) if by_environment else (named, {})
    with pytest.raises(ConfigError, match="and there is no such file"):
        require_named_settings(path, environ)
    (folder / "syndication.toml").write_text("")
    require_named_settings(folder / "syndication.toml", {})  # a file that is there passes


def test_every_setting_has_one_table(tmp_path: Path) -> None:
    assert sorted(TABLE_OF) == sorted(SCALARS)
    assert sum(len(names) for names in TABLES.values()) == len(SCALARS)


def test_a_file_from_before_the_tables_is_read_with_where_each_key_belongs_now(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    toml = tmp_path / "syndication.toml"
    toml.write_text('[site]\nsite_name = "Old Ledger"\npage_size = 7\nfeed_max_age = 60\n')
    with caplog.at_level("WARNING", logger="syndication.config"):
        settings = load_settings(toml, {})
    assert (settings.site_name, settings.page_size, settings.feed_max_age) == ("Old Ledger", 7, 60)
    said = caplog.text
    assert "page_size belongs in [pages] now" in said and "feed_max_age belongs in [feeds]" in said
    assert "site_name" not in said  # where it was, and is
    # [import]'s own tables are the importer's; its settings are settings
    toml.write_text('[import]\nimport_max_pages = 5\ndefault_section = "world"\n[import.sources]\n')
    assert load_settings(toml, {}).import_max_pages == 5
