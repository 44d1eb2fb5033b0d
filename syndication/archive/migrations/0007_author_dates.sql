-- An author's newest articles without sorting all of their articles (as 0003 did for topics).
ALTER TABLE article_authors ADD COLUMN published TEXT NOT NULL DEFAULT '';
UPDATE article_authors SET published = (SELECT published FROM articles WHERE num = article_num);
CREATE INDEX article_authors_recent ON article_authors(slug, published DESC);
