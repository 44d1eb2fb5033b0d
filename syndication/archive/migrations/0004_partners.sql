-- Partners who pull syndicated content, and what each received.

-- The changes log learns one more kind, 'embargo': a story not yet public was accepted,
-- changed or dropped, so partners allowed to see embargoed stories hear of it in order.
CREATE TABLE changes_new (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('published', 'updated', 'withdrawn', 'embargo')),
    at         TEXT NOT NULL,
    version    INTEGER NOT NULL
);
INSERT INTO changes_new (seq, article_id, kind, at, version)
    SELECT seq, article_id, kind, at, version FROM changes;
DROP TABLE changes;
ALTER TABLE changes_new RENAME TO changes;
CREATE INDEX changes_article ON changes(article_id, seq);
CREATE INDEX changes_withdrawals ON changes(at) WHERE kind = 'withdrawn';

CREATE TABLE partners (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    key_hash       TEXT NOT NULL UNIQUE,   -- SHA-256 of the key; the key itself is never kept
    key_hint       TEXT NOT NULL,          -- its first characters, to tell keys apart
    sections       TEXT NOT NULL,          -- JSON list of section slugs
    editions       TEXT NOT NULL,          -- JSON list of edition codes; [] means all
    embargo_access INTEGER NOT NULL DEFAULT 0,
    rate_per_min   INTEGER NOT NULL,
    created        TEXT NOT NULL,
    key_created    TEXT NOT NULL,
    revoked        TEXT                    -- set when the partner's access was revoked
);

-- Which partner received which version of which article, when, and how: so a story that
-- must come down can be followed up with everyone who has it.
CREATE TABLE deliveries (
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    article_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('usable', 'withheld', 'canceled')),
    channel    TEXT NOT NULL,              -- changes | item | items | feed
    at         TEXT NOT NULL,
    PRIMARY KEY (partner_id, article_id, version, status, channel)
) WITHOUT ROWID;
CREATE INDEX deliveries_article ON deliveries(article_id, at);
