-- Subscribers of the embedded WebSub hub: kept in the archive so they outlive a restart.
CREATE TABLE subscriptions (
    topic       TEXT NOT NULL,              -- the feed URL
    callback    TEXT NOT NULL,              -- where updates are POSTed
    secret      TEXT,                       -- for X-Hub-Signature; NULL when none was given
    lease_until TEXT NOT NULL,
    created     TEXT NOT NULL,
    renewed     TEXT NOT NULL,
    delivered   INTEGER NOT NULL DEFAULT 0, -- updates delivered
    failures    INTEGER NOT NULL DEFAULT 0, -- updates given up on since the last success
    PRIMARY KEY (topic, callback)
) WITHOUT ROWID;
CREATE INDEX subscriptions_lease ON subscriptions(lease_until);
