-- "More on this topic", ranked by the writer when articles change (archive/related.py) and
-- read by article pages with one indexed lookup.
CREATE TABLE related (
    article_num INTEGER NOT NULL REFERENCES articles(num) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    related_num INTEGER NOT NULL REFERENCES articles(num) ON DELETE CASCADE,
    PRIMARY KEY (article_num, position)
) WITHOUT ROWID;
CREATE INDEX related_target ON related(related_num);

-- Articles whose change is not yet carried into `related`; kept in the archive so a crash
-- between a change and its ranking loses nothing.
CREATE TABLE related_due (article_num INTEGER PRIMARY KEY);

-- A topic's newest articles without sorting all of its articles.
ALTER TABLE article_topics ADD COLUMN published TEXT NOT NULL DEFAULT '';
UPDATE article_topics SET published = (SELECT published FROM articles WHERE num = article_num);
CREATE INDEX article_topics_recent ON article_topics(slug, published DESC);

-- Every live article is ranked once by the next ingest.
INSERT INTO related_due (article_num) SELECT num FROM articles WHERE state = 'live';
