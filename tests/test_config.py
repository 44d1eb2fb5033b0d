"""Settings: one declaration each, read from syndication.toml and SYNDICATION_* alike."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from syndication.config import SCALARS, Settings, load_settings
from syndication.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_every_scalar_setting_says_what_it_is_for() -> None:
    helps = {f.name: f.metadata.get("help") for f in fields(Settings) if f.name in SCALARS}
    assert len(helps) >= 30 and all(helps.values()), [n for n, h in helps.items() if not h]


def test_the_file_and_the_environment_read_each_kind_of_value(tmp_path: Path) -> None:
    toml = tmp_path / "syndication.toml"
    toml.write_text('[site]\npage_size = 7\nwebsub_hub = false\ndb_path = "x.db"\n')
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
        ("[site]\npage_sise = 7\n", "no setting 'page_sise'"),
        ("[site]\npage_size = 'seven'\n", "page_size: 'seven' is not a valid int"),
        ("[site]\nwebsub_hub = 'perhaps'\n", "websub_hub: 'perhaps' is not a valid bool"),
    ],
)
def test_a_wrong_setting_is_an_error_naming_it(tmp_path: Path, text: str, words: str) -> None:
    toml = tmp_path / "syndication.toml"
    toml.write_text(text)
    with pytest.raises(ConfigError, match=words):
        load_settings(toml, {})
