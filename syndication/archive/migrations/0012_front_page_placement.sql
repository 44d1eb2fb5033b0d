-- Where editors put a story on the front page (`placement: lead | top`) and until when.
ALTER TABLE articles ADD COLUMN placement TEXT;
ALTER TABLE articles ADD COLUMN placement_until TEXT;
CREATE INDEX articles_placed ON articles(edition, published DESC) WHERE placement IS NOT NULL;
