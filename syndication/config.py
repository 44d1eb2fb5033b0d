"""Settings: a frozen dataclass from syndication.toml, overridden by SYNDICATION_* variables.

Every scalar setting is declared once, as a field of Settings with its default and help, so
the file and the environment can never disagree about names or types.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndication.errors import ConfigError
from syndication.model import Contributor, Edition, Section, Source
from syndication.rights_policy import (
    SITE_DEFAULT,
    Permissions,
    PolicyError,
    SiteRights,
    Use,
    permissions,
    refuse_granting_others,
)

ENV_PREFIX = "SYNDICATION_"
# The header each edge cache reads an answer's tags from, and how it separates them.
EDGE_TAG_HEADERS = {"xkey": " ", "Surrogate-Key": " ", "Cache-Tag": ","}


def _setting(default: Any, help: str, *, low: float = 0, high: float | None = None) -> Any:
    """A scalar setting (in its table of syndication.toml, TABLES): its default, what it is
    for, and for a number the range it may take (no setting is negative)."""
    return field(default=default, metadata={"help": help, "low": low, "high": high})


@dataclass(frozen=True, slots=True)
class Settings:
    site_name: str = _setting("The Harbour Ledger", "Publication name shown on pages and in feeds.")
    logo: str = _setting(
        "/static/logo.png",
        "The publisher's logo (a path of the site or a URL) for search engines' article "
        "results (JSON-LD publisher.logo).",
    )
    share_image: str = _setting(
        "/static/share.png",
        "The picture (a path of the site or a URL) that stands for a story without a photo "
        "in JSON-LD and when shared.",
    )
    icon: str = _setting(
        "/static/icon.png",
        "A square picture of the publication, 512 pixels wide (a path of the site or a URL), "
        "for feed readers (JSON Feed icon, Atom icon).",
    )
    favicon: str = _setting(
        "/static/favicon.png",
        "The small square picture browsers show in tabs (a path of the site or a URL); JSON "
        "Feed's favicon too.",
    )
    base_url: str = _setting(
        "",
        "Absolute URL that pages and feeds link to; empty: the address served, "
        "http://{host}:{port} (set it when a proxy or another name is in front).",
    )
    content_dir: Path = _setting(Path("content"), "Folder of editors' Markdown files.")
    db_path: Path = _setting(Path("syndication.db"), "SQLite archive file.")
    host: str = _setting("127.0.0.1", "Address the HTTP server listens on.")
    port: int = _setting(
        8080, "Port the HTTP server listens on (0: one the system picks).", high=65535
    )
    default_edition: str = _setting("en", "Edition of files that do not name one.")
    max_file_bytes: int = _setting(
        1_000_000,
        "Largest Markdown file ingest accepts (with the body limits in docs/content-format.md, "
        "it bounds the time one file can take).",
    )
    watch_debounce_ms: int = _setting(50, "Quiet time after a file event before ingesting.")
    home_limit: int = _setting(
        30,
        "Most stories on an edition's front page (the lead, the top four, each section's block).",
    )
    syndicate_by_default: bool = _setting(
        True, "`syndication` of an article from no licensed-in source."
    )
    tag_authority: str = _setting(
        "harbourledger.example,2026",
        "Authority of feed and entry ids (tag: URIs, RFC 4151). Never change it once published.",
    )
    feed_limit: int = _setting(50, "Entries in a subscription feed.", low=1)
    archive_banner_days: int = _setting(
        365, "Age from which a page says 'From our online archive'."
    )
    page_size: int = _setting(20, "Articles per page of section, topic and author listings.", low=1)
    page_max_age: int = _setting(60, "Seconds shared caches and browsers may keep an HTML page.")
    feed_max_age: int = _setting(300, "Seconds shared caches and readers may keep a feed.")
    feed_stale_seconds: int = _setting(
        86400, "stale-while-revalidate and stale-if-error for feeds."
    )
    tombstone_days: int = _setting(
        30, "Whole days (to midnight UTC) a withdrawn article stays in Atom feeds as a tombstone."
    )
    websub_hubs: tuple[str, ...] = _setting(
        (), "WebSub hubs feeds advertise and ping (comma-separated in env)."
    )
    response_cache_mb: int = _setting(
        64, "Memory each serving process gives its rendered pages and feeds.", low=1
    )
    fast_lane: bool = _setting(
        True,
        "Answer a repeat request for a cached public page or feed from its stored bytes, "
        "before aiohttp parses it (web/fast_lane.py, the speed of a static file server); "
        "off: aiohttp answers every request, the same bytes, a little slower.",
    )
    keepalive_seconds: float = _setting(
        75.0,
        "Idle time after which a client's connection is closed (a proxy in front should "
        "close its idle upstream connections sooner).",
    )
    request_head_seconds: float = _setting(
        10.0,
        "Time a client has to send a request's line and headers, from its first byte (or from "
        "opening the connection); slower ones are answered 408 and closed.",
        low=0.05,
        high=600,
    )
    request_body_seconds: float = _setting(
        60.0,
        "Time a client has to send a request's whole body once its headers are in; slower "
        "ones are answered 408 and closed.",
        low=0.05,
        high=3600,
    )
    send_stall_seconds: float = _setting(
        60.0,
        "Time a client may take none of an answer while the server has more to send; past "
        "it the connection is closed.",
        low=0.05,
        high=3600,
    )
    max_connections: int = _setting(
        1000,
        "Client connections one serving process holds open at once; past it a new one is "
        "answered 503 and closed.",
        low=1,
    )
    search_budget_ms: int = _setting(
        500,
        "Time one search may take (its queries are stopped past it, and the reader is told "
        "the search is too broad); searches run one at a time on their own connection.",
        low=10,
        high=60_000,
    )
    import_max_pages: int = _setting(
        10_000, "Feed documents `import feed` follows back at most (RFC 5005, ?paged=).", low=1
    )
    import_max_entries: int = _setting(
        200_000, "Entries `import feed` reads at most; the report says when it stopped.", low=1
    )
    import_max_seconds: float = _setting(
        3600.0,
        "Time `import feed` may take in all; past it, it stops, keeps what came before and "
        "says so (exit 1).",
        low=1,
        high=7 * 24 * 3600,
    )
    import_max_page_mb: int = _setting(
        5, "Size of one feed document `import feed` reads (it is parsed whole).", low=1, high=200
    )
    access_log: bool = _setting(False, "Log each request as one JSON line on stderr.")
    writer_stall_seconds: float = _setting(
        60.0,
        "How long the archive's writer may work on one task without progress (a file, a "
        "window of files) before /readyz and `status` say it is stuck.",
        low=0.05,
        high=3600,
    )
    file_read_seconds: float = _setting(
        30.0,
        "How long reading and parsing one editor's file may take before it is refused (a "
        "stalled network or FUSE folder); its last good version stays up.",
        low=0.05,
        high=3600,
    )
    websub_hub: bool = _setting(True, "Run the embedded WebSub hub at /websub and advertise it.")
    websub_lease_seconds: int = _setting(864_000, "Lease the hub grants when none is asked for.")
    websub_min_lease_seconds: int = _setting(300, "Shortest lease the hub grants.")
    websub_max_lease_seconds: int = _setting(2_592_000, "Longest lease the hub grants.")
    websub_attempts: int = _setting(6, "Tries to deliver one update to a subscriber.", low=1)
    websub_retry_seconds: float = _setting(5.0, "First wait before retrying; doubles each time.")
    websub_max_subscriptions: int = _setting(10_000, "Active subscriptions the hub keeps in all.")
    websub_max_per_topic: int = _setting(1_000, "Active subscriptions to one feed.")
    websub_max_per_host: int = _setting(100, "Active subscriptions with callbacks on one host.")
    websub_allow_private_callbacks: bool = _setting(
        False, "Accept callbacks on private, loopback or link-local addresses (tests, intranets)."
    )
    metrics_networks: tuple[str, ...] = _setting(
        ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
        "Networks /metrics answers (comma-separated in env); others get 403.",
    )
    proxy_networks: tuple[str, ...] = _setting(
        (),
        "Networks of the edge caches or proxies in front, whose X-Forwarded-For is believed "
        "(comma-separated in env): the desk's login limit and /metrics then judge the "
        "address they forward. Others' X-Forwarded-For is ignored.",
    )
    metrics_token: str = _setting(
        "", "A bearer token that opens /metrics from any address (empty: none)."
    )
    edge_tag_header: str = _setting(
        "xkey",
        "Header that tags answers for the edge cache: xkey (Varnish), Surrogate-Key (Fastly), "
        "Cache-Tag (Cloudflare), or empty for none.",
    )
    edge_max_age: int = _setting(
        86400, "Seconds an edge that is purged on each change may keep a tagged answer."
    )
    edge_varnish: tuple[str, ...] = _setting(
        (), "Varnish nodes purged on each change: base URLs (comma-separated in env)."
    )
    fastly_service_id: str = _setting("", "Fastly service purged on each change (empty: none).")
    fastly_token: str = _setting("", "Fastly API token (give it in the environment).")
    fastly_api: str = _setting("https://api.fastly.com", "Fastly's API.")
    cloudflare_zone_id: str = _setting("", "Cloudflare zone purged on each change (empty: none).")
    cloudflare_token: str = _setting("", "Cloudflare API token (give it in the environment).")
    cloudflare_api: str = _setting("https://api.cloudflare.com/client/v4", "Cloudflare's API.")
    purge_retry_seconds: float = _setting(
        1.0, "First wait before purging a node again that did not acknowledge; doubles to 60."
    )
    purge_again_seconds: float = _setting(
        1.0,
        "Each purge is sent again this much later, for answers a reader process or replica "
        "gave the edge before it saw the change (0: once).",
    )
    replicate_to: str = _setting(
        "",
        "Where Litestream replicates the archive as it changes: a folder or file:// URL, or "
        "s3://bucket/path (empty: no replication).",
    )
    replicate_sync_seconds: float = _setting(
        1.0, "Litestream's sync interval: the most a dead primary's disk can lose.", low=0.1
    )
    preview_secret: str = _setting(
        "",
        "Secret that signs preview links (give it in the environment); empty: one the "
        "archive makes and keeps the first time a link is asked for.",
    )
    replica_of: str = _setting(
        "",
        "Serve read-only from a copy following this Litestream replica (a folder, file:// or "
        "s3:// URL) instead of ingesting content/ (serve --replica).",
    )
    primary_url: str = _setting(
        "",
        "The primary's base URL, where a replica sends the partner API and the WebSub hub "
        "(serve --replica).",
    )
    partner_usage_terms: str = _setting(
        "Licensed to the receiving partner for publication in full or in part, with the byline "
        "and credit kept; not for resale or redistribution.",
        "usageTerms of every item delivered to partners.",
    )
    newsletters: bool = _setting(
        True, "Offer newsletters: sign-up forms on pages and digests by e-mail."
    )
    digest_times: tuple[str, ...] = _setting(
        ("07:00", "18:00"),
        "Times of the daily digests, HH:MM in each edition's time zone (comma-separated in "
        "env); each is a list readers can subscribe to for any edition, section, topic or "
        "author.",
    )
    send_while_serving: bool = _setting(
        True,
        "The serving process makes and sends digests as they fall due; off: only `syndication "
        "newsletter send` does (run it from cron).",
    )
    alerts: bool = _setting(
        True, "A breaking-news list per edition, sent as each story marked `alert: true` is out."
    )
    mail_from: str = _setting(
        "", "The From address of every mail; empty: newsletters@ the site's host name."
    )
    smtp_host: str = _setting(
        "",
        "The SMTP relay mail is handed to; empty: each mail is written to outbox_dir as a "
        ".eml file instead.",
    )
    smtp_port: int = _setting(587, "The relay's port.", low=1, high=65535)
    smtp_security: str = _setting(
        "starttls", "starttls (upgrade a plain connection), tls (TLS from the start) or none."
    )
    smtp_user: str = _setting("", "The relay's user name (empty: no authentication).")
    smtp_password: str = _setting("", "The relay's password (give it in the environment).")
    smtp_timeout_seconds: float = _setting(
        30.0, "Longest wait for the relay at each step of a mail.", low=0.1
    )
    outbox_dir: Path = _setting(
        Path("outbox"), "Folder mails are written to as .eml files when no relay is set."
    )
    send_rate: float = _setting(20.0, "Most mails handed to the relay a second.", low=0.1)
    send_attempts: int = _setting(
        5, "Tries of a mail the relay refuses for now (4xx, no answer) before giving up.", low=1
    )
    send_retry_seconds: float = _setting(
        60.0, "Wait before the first retry of such a mail; doubled at each further one."
    )
    confirm_hours: int = _setting(
        48, "How long a sign-up's confirmation link works.", low=1, high=24 * 30
    )
    signups_per_minute: int = _setting(
        6, "Most sign-up forms one client address may send a minute (then 429).", low=1
    )
    signup_mails_per_day: int = _setting(
        3, "Most confirmation mails one address is sent a day, whoever signs it up.", low=1
    )
    bounce_key: str = _setting(
        "",
        "Key a mail provider's webhook gives (Authorization: Bearer) to report bounces and "
        "complaints at /newsletters/bounces; empty: that address answers 404.",
    )
    bounce_mailbox: str = _setting(
        "",
        "A Maildir folder where bounces (delivery status notifications) arrive; read by "
        "`syndication newsletter bounces` and, while serving, every minute.",
    )
    editions: tuple[Edition, ...] = (
        Edition("en", "English", "en", "Europe/Luxembourg", "%d.%m.%Y"),
    )
    sections: tuple[Section, ...] = ()
    sources: tuple[Source, ...] = ()
    authors: tuple[Contributor, ...] = ()
    rights: SiteRights = field(default_factory=SiteRights)  # [rights]: what machines may do
    _editions_by_code: dict[str, Edition] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_editions_by_code", {e.code: e for e in self.editions})
        for name in ("metrics_networks", "proxy_networks"):
            for network in getattr(self, name):
                try:
                    ipaddress.ip_network(network, strict=False)
                except ValueError:
                    raise ConfigError(f"{name}: {network!r} is not a network") from None
        for name in URL_SETTINGS:
            value = getattr(self, name)
            for url in value if isinstance(value, tuple) else (value,):
                if url and not _is_http_url(url):
                    raise ConfigError(f"{name}: {url!r} is not an http:// or https:// URL")
        for name in PICTURE_SETTINGS:  # written into pages' <link> and <meta>, and feeds
            value = getattr(self, name)
            if not (_is_http_url(value) or _is_site_path(value)):
                raise ConfigError(
                    f"{name}: {value!r} is neither a file of the site (/static/... or "
                    "/media/...) nor an http:// or https:// URL written as one"
                )
            shipped = value.removeprefix("/static/")
            if shipped != value and not (SHIPPED_FILES / shipped).is_file():
                raise ConfigError(
                    f"{name}: {value!r} is not a file the site ships in /static/; put your "
                    "own in content/ and name it /media/..., or give its URL"
                )
        # Each is a part of every address of its pages, and of robots.txt's rules: one path
        # segment of letters, digits, `_` and `-` (of any script).
        parts = [(f"editions.{e.code}", e.code) for e in self.editions]
        parts += [(f"sections.{s.slug}", s.slug) for s in self.sections]
        for where, part in parts:
            if not PATH_PART.fullmatch(part):
                raise ConfigError(
                    f"[{where[:60]!r}]: a name of an address is letters, digits, _ and - only"
                )
        holders: dict[str, str] = {}
        for source in self.sources:  # whose copy a story is must never be two answers
            for name in source.names:
                key = Source.key(name)
                if holders.setdefault(key, source.name) != source.name:
                    raise ConfigError(
                        f'[sources."{source.name}"]: {name!r} is also [sources."{holders[key]}"]'
                        "'s name or alias (case aside): give each source its own names"
                    )
        names = [("site_name", self.site_name)]
        names += [(f"editions.{e.code}.name", e.name) for e in self.editions]
        names += [(f"sections.{s.slug}", n) for s in self.sections for n in s.names.values()]
        for where, name in names:  # in every page, feed and OPML file, as text
            if "<" in name or ">" in name or not name.strip():
                raise ConfigError(f"{where}: {name!r} must be a name (no < or >, not empty)")
        if self.edge_tag_header not in ("", *EDGE_TAG_HEADERS):
            raise ConfigError(
                f"edge_tag_header: {self.edge_tag_header!r} is not one of "
                f"{', '.join(EDGE_TAG_HEADERS)} (or empty)"
            )
        if self.smtp_security not in SMTP_SECURITY:
            raise ConfigError(
                f"smtp_security: {self.smtp_security!r} is not one of {', '.join(SMTP_SECURITY)}"
            )
        for time_of_day in self.digest_times:
            if not DIGEST_TIME.fullmatch(time_of_day):
                raise ConfigError(f"digest_times: {time_of_day!r} is not a time as HH:MM")
        if self.mail_from and not MAIL_FROM.fullmatch(self.mail_from):
            raise ConfigError(f"mail_from: {self.mail_from!r} is not an address (name@host)")
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

    def contributor(self, byline: str) -> Contributor | None:
        key = Contributor.key(byline)
        return next((a for a in self.authors if Contributor.key(a.name) == key), None)

    @property
    def site_url(self) -> str:
        """`base_url`, or the address this process serves when it is not set: so that
        `serve --port 18200` links to port 18200, not to a default that answers nothing."""
        return self.base_url.rstrip("/") if self.base_url else self.listen_url

    @property
    def listen_url(self) -> str:
        """The address this process answers at, as a browser on this machine writes it (a
        server listening on every address answers at loopback)."""
        host = "127.0.0.1" if self.host in ("", "0", "0.0.0.0") else self.host
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


SMTP_SECURITY = ("starttls", "tls", "none")
PATH_PART = re.compile(r"[^\W_][\w-]{0,62}")
DIGEST_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
# An ASCII address with no character a header could be broken with.
MAIL_FROM = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}")


# Settings that name a server this one sends requests to or redirects to.
URL_SETTINGS = ("base_url", "edge_varnish", "fastly_api", "cloudflare_api", "primary_url")


PICTURE_SETTINGS = ("logo", "share_image", "icon", "favicon")
SHIPPED_FILES = Path(__file__).parent / "publish" / "static"  # what /static/ serves


def _written_as_a_uri(value: str) -> bool:
    """Printable ASCII with nothing a URI may not hold as such (spaces, quotes, angle
    brackets, backslashes): what goes into every page's attributes and every feed."""
    return value.isascii() and value.isprintable() and not any(c in value for c in ' "<>\\`{}|^')


def _is_site_path(value: str) -> bool:
    """A file the site serves: one it ships (/static/) or one in content/ (/media/)."""
    return value.startswith(("/static/", "/media/")) and _written_as_a_uri(value)


def _is_http_url(url: str) -> bool:
    if not _written_as_a_uri(url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        return False


# The scalar settings, each declared once above: what syndication.toml's tables and the
# SYNDICATION_* variables may set.
SCALARS: dict[str, Any] = {f.name: f.default for f in fields(Settings) if "help" in f.metadata}
LIMITS = {
    f.name: (f.metadata["low"], f.metadata["high"]) for f in fields(Settings) if f.name in SCALARS
}
# Where each scalar setting is written in syndication.toml: a table for each part of the
# service. The names are the same in every table and in the SYNDICATION_* variables.
TABLES: dict[str, tuple[str, ...]] = {
    "site": (
        "site_name", "base_url", "logo", "share_image", "icon", "favicon", "content_dir",
        "db_path", "default_edition", "tag_authority",
    ),
    "server": (
        "host", "port", "fast_lane", "response_cache_mb", "keepalive_seconds",
        "request_head_seconds", "request_body_seconds", "send_stall_seconds", "max_connections",
        "access_log", "proxy_networks", "metrics_networks", "metrics_token",
    ),
    "ingest": ("max_file_bytes", "watch_debounce_ms", "writer_stall_seconds", "file_read_seconds"),
    "pages": ("home_limit", "page_size", "page_max_age", "archive_banner_days"),
    "feeds": ("feed_limit", "feed_max_age", "feed_stale_seconds", "tombstone_days"),
    "search": ("search_budget_ms",),
    "websub": (
        "websub_hub", "websub_hubs", "websub_lease_seconds", "websub_min_lease_seconds",
        "websub_max_lease_seconds", "websub_attempts", "websub_retry_seconds",
        "websub_max_subscriptions", "websub_max_per_topic", "websub_max_per_host",
        "websub_allow_private_callbacks",
    ),
    "partners": ("syndicate_by_default", "partner_usage_terms"),
    "desk": ("preview_secret",),
    "import": (
        "import_max_pages", "import_max_entries", "import_max_seconds", "import_max_page_mb",
    ),
    "edge": (
        "edge_tag_header", "edge_max_age", "edge_varnish", "fastly_service_id", "fastly_token",
        "fastly_api", "cloudflare_zone_id", "cloudflare_token", "cloudflare_api",
        "purge_retry_seconds", "purge_again_seconds",
    ),
    "replica": ("replicate_to", "replicate_sync_seconds", "replica_of", "primary_url"),
    "newsletters": (
        "newsletters", "digest_times", "send_while_serving", "alerts", "mail_from", "smtp_host",
        "smtp_port", "smtp_security", "smtp_user", "smtp_password", "smtp_timeout_seconds",
        "outbox_dir", "send_rate", "send_attempts", "send_retry_seconds", "confirm_hours",
        "signups_per_minute", "signup_mails_per_day", "bounce_key", "bounce_mailbox",
    ),
}  # fmt: skip
TABLE_OF = {name: table for table, names in TABLES.items() for name in names}
# Tables of syndication.toml that hold more than settings (read by their own readers).
OTHER_KEYS_ALLOWED = frozenset({"import"})
log = logging.getLogger("syndication.config")


def _coerce(name: str, value: Any) -> Any:
    default = SCALARS[name]
    try:
        if name in ("content_dir", "db_path", "outbox_dir"):
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
        if isinstance(default, int | float):
            number = int(value) if isinstance(default, int) else float(value)
            return _within(name, number)
        return str(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(
            f"setting {name}: {value!r} is not a valid {type(default).__name__}"
        ) from None


def _within(name: str, number: float) -> Any:
    low, high = LIMITS[name]
    if not math.isfinite(number) or number < low or (high is not None and number > high):
        upto = f" to {high:g}" if high is not None else " or more"
        raise ConfigError(f"setting {name}: {number!r} is out of range; it takes {low:g}{upto}")
    return number


def settings_path(path: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """The settings file: the one given, else SYNDICATION_CONFIG, else syndication.toml."""
    environ = os.environ if environ is None else environ
    return path or Path(environ.get(ENV_PREFIX + "CONFIG", "syndication.toml"))


def require_named_settings(path: Path | None, environ: Mapping[str, str] | None = None) -> None:
    """A settings file named by `--config` or SYNDICATION_CONFIG must be there. Run on the
    defaults instead, a misspelt name ingested with no sections (every story refused) and
    no licensed-in sources (agency copy offered to partners)."""
    environ = os.environ if environ is None else environ
    found = settings_path(path, environ)
    if (path is not None or ENV_PREFIX + "CONFIG" in environ) and not _is_file(found):
        named_by = "--config" if path is not None else ENV_PREFIX + "CONFIG"
        raise ConfigError(f"{named_by} names {found}, and there is no such file")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name the system refuses (too long): no file by that name
        return False


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read syndication.toml (when present), then SYNDICATION_* variables on top."""
    environ = os.environ if environ is None else environ
    path = settings_path(path, environ)
    data: dict[str, Any] = {}
    text = ""
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
    policy = _PolicyReader(path, text)
    values = _scalars(path, data)
    for name in SCALARS:
        env_value = environ.get(ENV_PREFIX + name.upper())
        if env_value is not None:
            values[name] = _coerce(name, env_value)
    if "editions" in data:
        values["editions"] = tuple(
            _edition(code, e, policy.of(f"editions.{code}", e, EDITION_KEYS))
            for code, e in data["editions"].items()
        )
    if "sections" in data:  # a name another route would answer for: publish/routes.py
        values["sections"] = tuple(
            Section(
                slug,
                dict(s.get("names", {})) or {"en": slug.title()},
                policy.of(f"sections.{slug}", s, frozenset({"names"})),
            )
            for slug, s in data["sections"].items()
        )
    if "sources" in data:
        values["sources"] = tuple(
            _source(path, name, s, policy) for name, s in data["sources"].items()
        )
    if "rights" in data:
        values["rights"] = policy.site(data["rights"])
    if "authors" in data:
        values["authors"] = tuple(_author(path, name, a) for name, a in data["authors"].items())
    return Settings(**values)


def _scalars(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """The scalar settings of each table. A file written before the tables, with every
    setting in [site], is still read: each key found there that now has a table of its own
    is taken, with a warning naming where it belongs."""
    values: dict[str, Any] = {}
    for table in TABLES:
        found = data.get(table, {})
        if not isinstance(found, Mapping):
            raise ConfigError(f"{path}: [{table}] must be a table")
        for key, value in found.items():
            if isinstance(value, Mapping) and table in OTHER_KEYS_ALLOWED:
                continue  # [import.sources] and the like: the importer reads them
            if key not in SCALARS:
                if table in OTHER_KEYS_ALLOWED:
                    continue
                hint = (
                    " (the rights policy is in [rights], see docs/rights.md)"
                    if key in RIGHTS_KEYS or key in Use.__members__.values()
                    else ""
                )
                raise ConfigError(f"{path}: [{table}] has no setting {key!r}{hint}")
            if TABLE_OF[key] != table:
                if table != "site":
                    raise ConfigError(f"{path}: {key} belongs in [{TABLE_OF[key]}], not [{table}]")
                log.warning(
                    "%s: %s belongs in [%s] now (read from [site])", path, key, TABLE_OF[key]
                )
            values[key] = _coerce(key, value)
    return values


def _source(path: Path, name: str, raw: Mapping[str, Any], policy: _PolicyReader) -> Source:
    aliases = raw.get("aliases", [])
    licensed_in = raw.get("licensed_in", False)
    email = raw.get("email", False)
    if not isinstance(email, bool):
        raise ConfigError(f'{path}: [sources."{name}"] email must be true or false')
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f'{path}: [sources."{name}"] aliases must be a list of names')
    if not isinstance(licensed_in, bool):
        raise ConfigError(f'{path}: [sources."{name}"] licensed_in must be true or false')
    table = f'sources."{name}"'
    said = policy.of(table, raw, SOURCE_KEYS)
    if licensed_in:
        policy.check(table, lambda: refuse_granting_others(said, name))
    return Source(name, licensed_in, tuple(a.strip() for a in aliases), email, said)


# @user@server: a user name of letters, digits and _ (dots and dashes inside), and a host name
# of labels that neither start nor end with a dash, under a top-level name of letters.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
FEDIVERSE_ACCOUNT = re.compile(
    r"@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?"
    rf"@(?=.{{4,253}}$)(?:{_LABEL}\.)+[A-Za-z]{{2,63}}"
)


def _author(path: Path, name: str, raw: Mapping[str, Any]) -> Contributor:
    unknown = set(raw) - {"fediverse"}
    if unknown or not name.strip():
        raise ConfigError(f'{path}: [authors."{name}"] takes a name and `fediverse` only')
    account = raw.get("fediverse", "")
    if not isinstance(account, str) or not FEDIVERSE_ACCOUNT.fullmatch(account):
        raise ConfigError(
            f'{path}: [authors."{name}"] fediverse must be an account like @name@example.social'
        )
    return Contributor(name.strip(), account)


def _edition(code: str, raw: Mapping[str, Any], said: Permissions) -> Edition:
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
        description=" ".join(str(raw.get("description", "")).split())[:300],
        locale=_locale(code, raw.get("locale", "")),
        permissions=said,
    )


def _locale(code: str, value: object) -> str:
    if value == "" or (isinstance(value, str) and re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", value)):
        return str(value)
    raise ConfigError(f"edition {code}: locale {value!r} is not a language and territory (en_GB)")


EDITION_KEYS = frozenset({"name", "language", "locale", "timezone", "date_format", "description"})
SOURCE_KEYS = frozenset({"licensed_in", "aliases", "email"})
RIGHTS_KEYS = frozenset({"licence_page", "contact", "terms", "robots_signals"})


class _PolicyReader:
    """Reads the uses each table of syndication.toml says (`ai_training = "reserved"`), and
    names the file's line of a wrong one, as ingest does for a story's front matter."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def of(self, table: str, raw: Mapping[str, Any], other_keys: frozenset[str]) -> Permissions:
        found: list[Permissions] = []
        self.check(table, lambda: found.append(permissions(raw, other_keys=other_keys)))
        return found[0]

    def check(self, table: str, read: Callable[[], object]) -> None:
        """Run `read`; its PolicyError becomes a ConfigError naming the file's line."""
        try:
            read()
        except PolicyError as exc:
            line = self.line_of(table, exc.key)
            where = f"{self.path}:{line}" if line else str(self.path)
            raise ConfigError(f"{where}: [{table}] {exc}") from None

    def site(self, raw: Mapping[str, Any]) -> SiteRights:
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{self.path}: [rights] must be a table")
        said = self.of("rights", raw, RIGHTS_KEYS)
        texts: dict[str, Any] = {}
        if "robots_signals" in raw:
            if not isinstance(raw["robots_signals"], bool):
                line = self.line_of("rights", "robots_signals")
                where = f"{self.path}:{line}" if line else str(self.path)
                raise ConfigError(f"{where}: [rights] robots_signals is true or false")
            texts["robots_signals"] = raw["robots_signals"]
        for key in sorted(RIGHTS_KEYS & set(raw) - {"robots_signals"}):
            value = raw[key]
            if not isinstance(value, str) or not _rights_address(key, value):
                line = self.line_of("rights", key)
                where = f"{self.path}:{line}" if line else str(self.path)
                raise ConfigError(f"{where}: [rights] {key} {_RIGHTS_HELP[key]}")
            texts[key] = value
        return SiteRights(said.over(SITE_DEFAULT), **texts)

    def line_of(self, table: str, key: str) -> int | None:
        """The line of `key` under the header of `table` ([sources."CPA"] written as it is)."""
        header = "[" + table.replace(" ", "") + "]"
        inside = False
        for number, line in enumerate(self.lines, 1):
            stripped = line.strip()
            if stripped.startswith("["):
                inside = stripped.split("#", 1)[0].strip().replace(" ", "") == header
            elif inside and key and stripped.split("=", 1)[0].strip().strip('"') == key:
                return number
        return None


_RIGHTS_HELP = {
    "licence_page": "is the page for people who want to license the copy: a path of the site "
    "(/licensing) or an http(s) URL",
    "contact": "is who to ask for a licence: an email address or an http(s) URL",
    "terms": "is the licence terms for RSL's <terms>: an http(s) URL",
}


def _rights_address(key: str, value: str) -> bool:
    if len(value) > 500:  # it goes into every picture's metadata, within a JPEG's segment
        return False
    if key == "contact" and MAIL_FROM.fullmatch(value):
        return True
    if key == "licence_page" and value.startswith("/") and not value.startswith("//"):
        return _written_as_a_uri(value)
    return _is_http_url(value)
