-- What ingest last accepted from each editor's file was the `sources` table, a word the
-- project also uses for news agencies (model.Source, [sources] in syndication.toml). It is
-- the `files` table now; SQLite renames it in place, with its indexes.
ALTER TABLE sources RENAME TO files;
