"""Settings: a frozen dataclass from syndication.toml, overridden by SYNDICATION_* variables.

Every scalar setting is declared once in SETTINGS with its default and help, so the file
and the environment can never disagree about names or types.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndication.errors import ConfigError
from syndication.model import Edition, Section, Source

ENV_PREFIX = "SYNDICATION_"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("site_name", "The Harbour Ledger", "Publication name shown on pages and in feeds."),
    Setting(
        "base_url",
        "",
        "Absolute URL that pages and feeds link to; empty: the address served, "
        "http://{host}:{port} (set it when a proxy or another name is in front).",
    ),
    Setting("content_dir", "content", "Folder of editors' Markdown files."),
    Setting("db_path", "syndication.db", "SQLite archive file."),
    Setting("host", "127.0.0.1", "Address the HTTP server listens on."),
    Setting("port", 8080, "Port the HTTP server listens on."),
    Setting("default_edition", "en", "Edition of files that do not name one."),
    Setting(
        "max_file_bytes",
        1_000_000,
        "Largest Markdown file ingest accepts (with the body limits in docs/content-format.md, "
        "it bounds the time one file can take).",
    ),
    Setting("watch_debounce_ms", 50, "Quiet time after a file event before ingesting."),
    Setting("home_limit", 30, "Articles listed on an edition's home page."),
    Setting(
        "syndicate_by_default", True, "`syndication` of an article from no licensed-in source."
    ),
    Setting(
        "tag_authority",
        "harbourledger.example,2026",
        "Authority of feed and entry ids (tag: URIs, RFC 4151). Never change it once published.",
    ),
    Setting("feed_limit", 50, "Entries in a subscription feed."),
    Setting("archive_banner_days", 365, "Age from which a page says 'From our online archive'."),
    Setting("page_size", 20, "Articles per page of section, topic and author listings."),
    Setting("page_max_age", 60, "Seconds shared caches and browsers may keep an HTML page."),
    Setting("feed_max_age", 300, "Seconds shared caches and readers may keep a feed."),
    Setting("feed_stale_seconds", 86400, "stale-while-revalidate and stale-if-error for feeds."),
    Setting(
        "tombstone_days", 30, "How long a withdrawn article stays in Atom feeds as a tombstone."
    ),
    Setting("websub_hubs", (), "WebSub hubs feeds advertise and ping (comma-separated in env)."),
    Setting(
        "response_cache_mb", 64, "Memory each serving process gives its rendered pages and feeds."
    ),
    Setting(
        "keepalive_seconds",
        75.0,
        "Idle time after which a client's connection is closed (a proxy in front should "
        "close its idle upstream connections sooner).",
    ),
    Setting("access_log", False, "Log each request as one JSON line on stderr."),
    Setting("websub_hub", True, "Run the embedded WebSub hub at /websub and advertise it."),
    Setting("websub_lease_seconds", 864_000, "Lease the hub grants when none is asked for."),
    Setting("websub_min_lease_seconds", 300, "Shortest lease the hub grants."),
    Setting("websub_max_lease_seconds", 2_592_000, "Longest lease the hub grants."),
    Setting("websub_attempts", 6, "Tries to deliver one update to a subscriber."),
    Setting("websub_retry_seconds", 5.0, "First wait before retrying; doubles each time."),
    Setting("websub_max_subscriptions", 10_000, "Active subscriptions the hub keeps in all."),
    Setting("websub_max_per_topic", 1_000, "Active subscriptions to one feed."),
    Setting("websub_max_per_host", 100, "Active subscriptions with callbacks on one host."),
    Setting(
        "websub_allow_private_callbacks",
        False,
        "Accept callbacks on private, loopback or link-local addresses (tests, intranets).",
    ),
    Setting(
        "metrics_networks",
        ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
        "Networks /metrics answers (comma-separated in env); others get 403.",
    ),
    Setting(
        "metrics_token",
        "",
        "A bearer token that opens /metrics from any address (empty: none).",
    ),
    Setting(
        "partner_usage_terms",
        "Licensed to the receiving partner for publication in full or in part, with the byline "
        "and credit kept; not for resale or redistribution.",
        "usageTerms of every item delivered to partners.",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    site_name: str = _BY_NAME["site_name"].default
    base_url: str = _BY_NAME["base_url"].default
    content_dir: Path = Path(_BY_NAME["content_dir"].default)
    db_path: Path = Path(_BY_NAME["db_path"].default)
    host: str = _BY_NAME["host"].default
    port: int = _BY_NAME["port"].default
    default_edition: str = _BY_NAME["default_edition"].default
    max_file_bytes: int = _BY_NAME["max_file_bytes"].default
    watch_debounce_ms: int = _BY_NAME["watch_debounce_ms"].default
    home_limit: int = _BY_NAME["home_limit"].default
    syndicate_by_default: bool = _BY_NAME["syndicate_by_default"].default
    tag_authority: str = _BY_NAME["tag_authority"].default
    feed_limit: int = _BY_NAME["feed_limit"].default
    archive_banner_days: int = _BY_NAME["archive_banner_days"].default
    page_size: int = _BY_NAME["page_size"].default
    page_max_age: int = _BY_NAME["page_max_age"].default
    feed_max_age: int = _BY_NAME["feed_max_age"].default
    feed_stale_seconds: int = _BY_NAME["feed_stale_seconds"].default
    tombstone_days: int = _BY_NAME["tombstone_days"].default
    websub_hubs: tuple[str, ...] = _BY_NAME["websub_hubs"].default
    partner_usage_terms: str = _BY_NAME["partner_usage_terms"].default
    response_cache_mb: int = _BY_NAME["response_cache_mb"].default
    keepalive_seconds: float = _BY_NAME["keepalive_seconds"].default
    access_log: bool = _BY_NAME["access_log"].default
    websub_hub: bool = _BY_NAME["websub_hub"].default
    websub_lease_seconds: int = _BY_NAME["websub_lease_seconds"].default
    websub_min_lease_seconds: int = _BY_NAME["websub_min_lease_seconds"].default
    websub_max_lease_seconds: int = _BY_NAME["websub_max_lease_seconds"].default
    websub_attempts: int = _BY_NAME["websub_attempts"].default
    websub_retry_seconds: float = _BY_NAME["websub_retry_seconds"].default
    websub_allow_private_callbacks: bool = _BY_NAME["websub_allow_private_callbacks"].default
    websub_max_subscriptions: int = _BY_NAME["websub_max_subscriptions"].default
    websub_max_per_topic: int = _BY_NAME["websub_max_per_topic"].default
    websub_max_per_host: int = _BY_NAME["websub_max_per_host"].default
    metrics_networks: tuple[str, ...] = _BY_NAME["metrics_networks"].default
    metrics_token: str = _BY_NAME["metrics_token"].default
    editions: tuple[Edition, ...] = (
        Edition("en", "English", "en", "Europe/Luxembourg", "%d.%m.%Y"),
    )
    sections: tuple[Section, ...] = ()
    sources: tuple[Source, ...] = ()
    _editions_by_code: dict[str, Edition] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_editions_by_code", {e.code: e for e in self.editions})
        for network in self.metrics_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ConfigError(f"metrics_networks: {network!r} is not a network") from None
        if self.default_edition not in self._editions_by_code:
            raise ConfigError(
                f"default_edition {self.default_edition!r} is not a configured edition"
            )

    def edition(self, code: str) -> Edition:
        return self._editions_by_code[code]

    def has_edition(self, code: str) -> bool:
        return code in self._editions_by_code

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)

    @property
    def site_url(self) -> str:
        """`base_url`, or the address this process serves when it is not set: so that
        `serve --port 18200` links to port 18200, not to a default that answers nothing."""
        if self.base_url:
            return self.base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
        return f"http://{host}:{self.port}"

    def absolute(self, path: str) -> str:
        return self.site_url + path

    def path_of(self, url: str) -> str | None:
        """The path of one of this site's own URLs (a WebSub topic); None for any other."""
        base = self.site_url
        return url[len(base) :] if url.startswith(base + "/") else None

    @property
    def hub_url(self) -> str:
        return self.absolute("/websub")

    @property
    def advertised_hubs(self) -> tuple[str, ...]:
        """The hubs feeds name: ours when it runs, then any configured elsewhere."""
        return ((self.hub_url,) if self.websub_hub else ()) + self.websub_hubs

    def tag(self, specific: str) -> str:
        """A permanent tag: URI (RFC 4151), independent of where the site is served from."""
        return f"tag:{self.tag_authority}:{specific}"

    def with_overrides(self, **values: Any) -> Settings:
        """Apply command-line flags; None means 'not given'."""
        given = {k: _coerce(k, v) for k, v in values.items() if v is not None}
        return replace(self, **given)


def _coerce(name: str, value: Any) -> Any:
    default = _BY_NAME[name].default
    try:
        if name in ("content_dir", "db_path"):
            return Path(value)
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(item).strip() for item in items if str(item).strip())
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"setting {name}: {value!r} is not a valid {type(default).__name__}"
        ) from None


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read syndication.toml (when present), then SYNDICATION_* variables on top."""
    environ = os.environ if environ is None else environ
    path = path or Path(environ.get(ENV_PREFIX + "CONFIG", "syndication.toml"))
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
    values: dict[str, Any] = {}
    for key, value in data.get("site", {}).items():
        if key not in _BY_NAME:
            raise ConfigError(f"{path}: [site] has no setting {key!r}")
        values[key] = _coerce(key, value)
    for setting in SETTINGS:
        env_value = environ.get(ENV_PREFIX + setting.name.upper())
        if env_value is not None:
            values[setting.name] = _coerce(setting.name, env_value)
    if "editions" in data:
        values["editions"] = tuple(_edition(code, e) for code, e in data["editions"].items())
    if "sections" in data:
        reserved = {"topic", "author", "archive", "feed.atom", "feed.rss", "feed.json"}
        if clash := reserved & set(data["sections"]):
            raise ConfigError(f"{path}: {sorted(clash)} cannot be section names (used in URLs)")
        values["sections"] = tuple(
            Section(slug, dict(s.get("names", {})) or {"en": slug.title()})
            for slug, s in data["sections"].items()
        )
    if "sources" in data:
        values["sources"] = tuple(_source(path, name, s) for name, s in data["sources"].items())
    return Settings(**values)


def _source(path: Path, name: str, raw: Mapping[str, Any]) -> Source:
    aliases = raw.get("aliases", [])
    licensed_in = raw.get("licensed_in", False)
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f'{path}: [sources."{name}"] aliases must be a list of names')
    if not isinstance(licensed_in, bool):
        raise ConfigError(f'{path}: [sources."{name}"] licensed_in must be true or false')
    return Source(name, licensed_in, tuple(a.strip() for a in aliases))


def _edition(code: str, raw: Mapping[str, Any]) -> Edition:
    tz = str(raw.get("timezone", "UTC"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"edition {code}: unknown time zone {tz!r}") from None
    return Edition(
        code=code,
        name=str(raw.get("name", code)),
        language=str(raw.get("language", code)),
        timezone=tz,
        date_format=str(raw.get("date_format", "%d.%m.%Y")),
    )
