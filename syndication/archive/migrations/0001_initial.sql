-- The archive's first schema. Times are ISO 8601 UTC text ('2024-03-01T08:30:00Z'): sortable,
-- readable in the sqlite3 shell, and the same in every language a partner might use.

CREATE TABLE articles (
    num            INTEGER PRIMARY KEY,        -- rowid, for the FTS index
    id             TEXT NOT NULL UNIQUE,       -- permanent public id
    id_given       INTEGER NOT NULL,           -- 1 when the editor wrote `id:`
    edition        TEXT NOT NULL,
    section        TEXT NOT NULL,
    slug           TEXT NOT NULL,
    path           TEXT NOT NULL,              -- canonical URL path
    title          TEXT NOT NULL,
    standfirst     TEXT NOT NULL,
    body_html      TEXT NOT NULL,
    body_text      TEXT NOT NULL,
    word_count     INTEGER NOT NULL,
    published      TEXT NOT NULL,
    updated        TEXT,
    status         TEXT NOT NULL,              -- what the file asks: published | draft | withdrawn
    state          TEXT NOT NULL,              -- what the public sees: live | scheduled | draft | withdrawn
    source         TEXT NOT NULL,
    rights         TEXT NOT NULL,
    syndication    INTEGER NOT NULL,
    original_url   TEXT NOT NULL,
    translation_of TEXT NOT NULL,
    image          TEXT,                       -- JSON
    corrections    TEXT NOT NULL,              -- JSON list
    source_file    TEXT NOT NULL,              -- relative path under content/
    file_gone      INTEGER NOT NULL DEFAULT 0, -- the file was deleted (the article is withdrawn)
    content_hash   TEXT NOT NULL,              -- of the file's bytes: finds moved files
    digest         TEXT NOT NULL,              -- of what readers see: a new version when it moves
    version        INTEGER NOT NULL,
    first_seen     TEXT NOT NULL,
    last_changed   TEXT NOT NULL
);
CREATE INDEX articles_path ON articles(path);
CREATE INDEX articles_live ON articles(state, edition, published DESC);
CREATE INDEX articles_section ON articles(edition, section, state, published DESC);
CREATE INDEX articles_scheduled ON articles(published) WHERE state = 'scheduled';
CREATE INDEX articles_source_file ON articles(source_file);
CREATE INDEX articles_hash ON articles(content_hash) WHERE file_gone = 1;

CREATE TABLE article_topics (
    article_num INTEGER NOT NULL REFERENCES articles(num) ON DELETE CASCADE,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (article_num, slug)
) WITHOUT ROWID;
CREATE INDEX article_topics_slug ON article_topics(slug, article_num);

CREATE TABLE article_authors (
    article_num INTEGER NOT NULL REFERENCES articles(num) ON DELETE CASCADE,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (article_num, slug)
) WITHOUT ROWID;
CREATE INDEX article_authors_slug ON article_authors(slug, article_num);

-- Every URL an article had before its current one, so old links answer 301.
CREATE TABLE url_history (
    path       TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    until      TEXT NOT NULL
) WITHOUT ROWID;

-- The one clock of the system: caches, the WebSub hub and partner cursors key on seq.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('published', 'updated', 'withdrawn')),
    at         TEXT NOT NULL,
    version    INTEGER NOT NULL
);
CREATE INDEX changes_article ON changes(article_id, seq);
CREATE INDEX changes_withdrawals ON changes(at) WHERE kind = 'withdrawn';

-- What ingest last accepted from each file; unchanged files are skipped by size and mtime.
CREATE TABLE sources (
    file         TEXT PRIMARY KEY,
    article_id   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    size         INTEGER NOT NULL,
    mtime_ns     INTEGER NOT NULL
) WITHOUT ROWID;

-- Files that could not be published as they are; cleared when the file is fixed or removed.
CREATE TABLE ingest_errors (
    file     TEXT PRIMARY KEY,
    line     INTEGER,
    field    TEXT NOT NULL,
    message  TEXT NOT NULL,
    at       TEXT NOT NULL,
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
) WITHOUT ROWID;

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, standfirst, body_text,
    content = 'articles', content_rowid = 'num',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- New rows are indexed by the writer, one INSERT ... SELECT per batch (ArchiveWriter.apply):
-- half the cost of a per-row trigger on a cold ingest. Changes and deletions use triggers.
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body_text)
    VALUES ('delete', old.num, old.title, old.standfirst, old.body_text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, standfirst, body_text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body_text)
    VALUES ('delete', old.num, old.title, old.standfirst, old.body_text);
    INSERT INTO articles_fts(rowid, title, standfirst, body_text)
    VALUES (new.num, new.title, new.standfirst, new.body_text);
END;

CREATE INDEX sources_hash ON sources(content_hash);
CREATE INDEX sources_article ON sources(article_id);
