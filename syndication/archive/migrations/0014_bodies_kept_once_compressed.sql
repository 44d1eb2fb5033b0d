-- Each body was kept twice: as HTML and as plain text for the full-text index, two thirds of
-- the archive together. Now the HTML is kept once, compressed (archive/bodies.py), and the
-- index reads the plain text through the view `article_texts`, which makes it from the HTML
-- as ingest did: the same text as before, so the same words, ranks and snippets.
-- `compressed_body()` and `article_text()` are registered on every connection the program
-- opens; a plain `sqlite3` shell reads and checks every table, but not that view.
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;
ALTER TABLE articles DROP COLUMN body_text;
UPDATE articles SET body_html = compressed_body(body_html);
CREATE VIEW article_texts AS
    SELECT num, title, standfirst, article_text(body_html) AS body_text FROM articles;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, standfirst, body_text,
    content = 'article_texts', content_rowid = 'num',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
-- New rows are indexed by the writer with the text their parse made (ArchiveWriter.apply).
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body_text)
    VALUES ('delete', old.num, old.title, old.standfirst, article_text(old.body_html));
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, standfirst, body_html ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body_text)
    VALUES ('delete', old.num, old.title, old.standfirst, article_text(old.body_html));
    INSERT INTO articles_fts(rowid, title, standfirst, body_text)
    VALUES (new.num, new.title, new.standfirst, article_text(new.body_html));
END;
