-- What each edge cache node has been told: the change sequence its purges reach and the last
-- UTC day whose midnight purge it took. With the change log, this is the purges' outbox:
-- pending for a node are the changes after its `seq`, sent again until it acknowledges.
CREATE TABLE edge_acks (
    node TEXT PRIMARY KEY,  -- e.g. "varnish http://127.0.0.1:6081", "fastly SERVICE"
    seq  INTEGER NOT NULL,
    day  TEXT NOT NULL      -- YYYY-MM-DD
) WITHOUT ROWID;
