-- The words of every article as the index holds them, so a search can ask for each form of a
-- reader's word that shares its stem (archive/stems.py): "strikes" finds "strike".
CREATE VIRTUAL TABLE articles_vocab USING fts5vocab('articles_fts', 'row');
