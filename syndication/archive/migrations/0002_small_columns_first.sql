-- The same articles table with the small columns that queries filter and sort on first and
-- the long texts last. SQLite stores a row's columns in order and spills long rows onto
-- overflow pages, so reading `state` or `published` behind two copies of the body meant
-- walking those pages: a related-stories lookup of 50 rows cost 250 us instead of 20 us.

CREATE TABLE articles_new (
    num            INTEGER PRIMARY KEY,        -- rowid, for the FTS index
    id             TEXT NOT NULL UNIQUE,       -- permanent public id
    id_given       INTEGER NOT NULL,           -- 1 when the editor wrote `id:`
    edition        TEXT NOT NULL,
    section        TEXT NOT NULL,
    state          TEXT NOT NULL,              -- what the public sees: live | scheduled | draft | withdrawn
    status         TEXT NOT NULL,              -- what the file asks: published | draft | withdrawn
    published      TEXT NOT NULL,
    updated        TEXT,
    slug           TEXT NOT NULL,
    path           TEXT NOT NULL,              -- canonical URL path
    title          TEXT NOT NULL,
    standfirst     TEXT NOT NULL,
    word_count     INTEGER NOT NULL,
    source         TEXT NOT NULL,
    rights         TEXT NOT NULL,
    syndication    INTEGER NOT NULL,
    original_url   TEXT NOT NULL,
    translation_of TEXT NOT NULL,
    image          TEXT,                       -- JSON
    source_file    TEXT NOT NULL,              -- relative path under content/
    file_gone      INTEGER NOT NULL DEFAULT 0, -- the file was deleted (the article is withdrawn)
    content_hash   TEXT NOT NULL,              -- of the file's bytes: finds moved files
    digest         TEXT NOT NULL,              -- of what readers see: a new version when it moves
    version        INTEGER NOT NULL,
    first_seen     TEXT NOT NULL,
    last_changed   TEXT NOT NULL,
    corrections    TEXT NOT NULL,              -- JSON list
    body_html      TEXT NOT NULL,
    body_text      TEXT NOT NULL
);
INSERT INTO articles_new (
    num, id, id_given, edition, section, state, status, published, updated, slug, path, title,
    standfirst, word_count, source, rights, syndication, original_url, translation_of, image,
    source_file, file_gone, content_hash, digest, version, first_seen, last_changed,
    corrections, body_html, body_text
) SELECT
    num, id, id_given, edition, section, state, status, published, updated, slug, path, title,
    standfirst, word_count, source, rights, syndication, original_url, translation_of, image,
    source_file, file_gone, content_hash, digest, version, first_seen, last_changed,
    corrections, body_html, body_text
FROM articles;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;

CREATE INDEX articles_path ON articles(path);
CREATE INDEX articles_live ON articles(state, edition, published DESC);
CREATE INDEX articles_section ON articles(edition, section, state, published DESC);
CREATE INDEX articles_scheduled ON articles(published) WHERE state = 'scheduled';
CREATE INDEX articles_source_file ON articles(source_file);
CREATE INDEX articles_hash ON articles(content_hash) WHERE file_gone = 1;

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
