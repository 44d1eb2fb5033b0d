-- Headlines as readers type them (search suggestions), and the words of "did you mean": a
-- small index of titles alone, with
-- the two- and three-letter prefixes indexed too, so "fe" or "harbour pi" costs a few
-- look-ups, not a walk through every word that begins so in every article's body.
CREATE VIRTUAL TABLE titles_fts USING fts5(
    title,
    content = 'articles', content_rowid = 'num',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO titles_fts(titles_fts) VALUES ('rebuild');
-- The headlines' words, for "did you mean" when a search finds nothing.
CREATE VIRTUAL TABLE titles_vocab USING fts5vocab('titles_fts', 'row');
-- New rows are indexed by the writer with articles_fts (ArchiveWriter.apply).
CREATE TRIGGER titles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.num, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON articles BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.num, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.num, new.title);
END;
