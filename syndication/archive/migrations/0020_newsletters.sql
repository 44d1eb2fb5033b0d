-- Newsletters: readers subscribe to a scope's digest by e-mail (docs/newsletters.md).
--
-- A story an editor marks `alert: true` goes out on the breaking-news lists as it is
-- published.
ALTER TABLE articles ADD COLUMN alert INTEGER NOT NULL DEFAULT 0;

-- One row per address. `key` makes the opaque tokens of its mails (unsubscribe,
-- preferences); a new key ends every link sent before.
CREATE TABLE newsletter_subscribers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- never a deleted one's number again
    address       TEXT NOT NULL UNIQUE,
    edition       TEXT NOT NULL,
    key           TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    suppressed    TEXT,              -- why no mail goes to it: 'bounced', 'complained'
    suppressed_at TEXT
);

-- Each list a subscriber asked for, and the consent: when, from which form, and when the
-- signed link confirmed it. Only confirmed rows receive mail.
CREATE TABLE newsletter_subscriptions (
    subscriber_id INTEGER NOT NULL REFERENCES newsletter_subscribers(id) ON DELETE CASCADE,
    list          TEXT NOT NULL,
    form          TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    confirmed_at  TEXT,
    PRIMARY KEY (subscriber_id, list)
) WITHOUT ROWID;
CREATE INDEX newsletter_subscriptions_list ON newsletter_subscriptions(list) WHERE confirmed_at IS NOT NULL;

-- What happened to a subscription, for the subscriber's own download: requested,
-- confirmed, unsubscribed, suppressed.
CREATE TABLE newsletter_consents (
    subscriber_id INTEGER NOT NULL REFERENCES newsletter_subscribers(id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    event         TEXT NOT NULL,
    list          TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX newsletter_consents_subscriber ON newsletter_consents(subscriber_id, at);

-- Each list's position in the change log: a digest holds what was published after it.
CREATE TABLE newsletter_lists (
    list         TEXT PRIMARY KEY,
    last_seq     INTEGER NOT NULL,
    last_sent_at TEXT NOT NULL   -- its last digest, or its first confirmation
) WITHOUT ROWID;

-- One digest: the stories it holds and its bytes (the web copy), made once for everyone.
CREATE TABLE newsletter_sends (
    id          INTEGER PRIMARY KEY,
    list        TEXT NOT NULL,
    seq_from    INTEGER NOT NULL,
    seq_to      INTEGER NOT NULL,
    subject     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    finished_at TEXT,
    html        BLOB NOT NULL,     -- zstd: the mail's HTML and text, with marks for each
    text        BLOB NOT NULL,     -- recipient's links (publish/newsletter.py)
    web_html    BLOB NOT NULL,     -- zstd: the web copy, every story, no one's links
    stories     INTEGER NOT NULL
);
CREATE INDEX newsletter_sends_list ON newsletter_sends(list, id);

-- The delivery log: one row per recipient and send, written with the send, so a send
-- resumes where it stopped and never mails anyone twice.
CREATE TABLE newsletter_deliveries (
    send_id       INTEGER NOT NULL REFERENCES newsletter_sends(id) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL REFERENCES newsletter_subscribers(id) ON DELETE CASCADE,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sending', 'sent', 'deferred', 'failed', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       REAL NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    sent_at       TEXT,
    PRIMARY KEY (send_id, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX newsletter_deliveries_due ON newsletter_deliveries(send_id, state, next_at);
CREATE INDEX newsletter_deliveries_subscriber ON newsletter_deliveries(subscriber_id);

-- Per list, what its mails came to (for /metrics and the desk): sent, deferred, bounced,
-- complained, unsubscribed.
CREATE TABLE newsletter_counts (
    list  TEXT NOT NULL,
    event TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (list, event)
) WITHOUT ROWID;
