-- An `id:` an editor adds to a published article names that same article: the id it was
-- given at first publication stays its permanent one (feeds and partners know it by that).
CREATE TABLE id_aliases (
    alias      TEXT PRIMARY KEY,
    article_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX id_aliases_article ON id_aliases(article_id);

-- Files an article's file depends on (its image), or that its error is waiting for (an image
-- not found): when one appears or changes, the article's file is read again.
CREATE TABLE dependencies (
    path     TEXT NOT NULL,              -- what is needed, relative to content/
    file     TEXT NOT NULL,              -- the article's file
    size     INTEGER NOT NULL DEFAULT -1, -- of `path` when last read; -1: it was missing
    mtime_ns INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (path, file)
) WITHOUT ROWID;
CREATE INDEX dependencies_file ON dependencies(file);

-- Small facts about the archive itself, such as the rules its articles were read under.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Articles published before this version depend on their images too; size -1 makes the next
-- scan read each of them once and record what the image is now.
INSERT OR IGNORE INTO dependencies (path, file)
    SELECT json_extract(image, '$.src'), source_file FROM articles
    WHERE image IS NOT NULL AND file_gone = 0;

-- A partner subscribes to its own entitled feed (/api/v1/feeds/...) with its key; deliveries
-- are rendered for that partner alone. NULL: a public feed's subscriber.
ALTER TABLE subscriptions ADD COLUMN partner_id INTEGER REFERENCES partners(id);

-- A new archive numbers its changes from the moment it was made (in milliseconds), so a
-- partner's cursor from an archive it replaced (rebuilt, or restored) is below every change
-- of this one: the partner receives everything again rather than silently nothing.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'changes', clock_ms()
    WHERE NOT EXISTS (SELECT 1 FROM changes)
      AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'changes');

-- The callback's host, so the hub can cap subscriptions per host.
ALTER TABLE subscriptions ADD COLUMN callback_host TEXT NOT NULL DEFAULT '';
CREATE INDEX subscriptions_host ON subscriptions(callback_host);
