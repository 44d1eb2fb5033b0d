-- The full-text indexes keep up to 16 MB of new words in memory before writing them out as a
-- segment (FTS5's default: 1 MB). A window of a thousand stories made a segment each
-- megabyte, and merging those small segments was a quarter of the cost of indexing them.
-- The merges leave pages free, which a first ingest gives back
-- (ArchiveWriter.give_back_free_pages).
INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO titles_fts(titles_fts, rank) VALUES ('hashsize', 16777216);
