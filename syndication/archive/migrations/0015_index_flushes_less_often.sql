-- The full-text index keeps up to 16 MB of new words in memory before it writes them out as
-- a segment (FTS5's default: 1 MB). A window of a thousand stories made a segment each
-- megabyte, and merging those small segments was a fifth of the cost of indexing them.
-- Searches read the same merged segments as before; only the writer holds more.
INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO titles_fts(titles_fts, rank) VALUES ('hashsize', 16777216);
