-- A story's old addresses (`aliases:`) were kept only as url_history rows, among the addresses
-- it had before a move, so the Article read back had none. They are kept with the row now.
-- The files of stories that may have some (those with a url_history row) are read again at
-- the next scan, which fills the column; nothing readers see changes, so no new version.
ALTER TABLE articles ADD COLUMN aliases TEXT;
UPDATE sources SET mtime_ns = -1, content_hash = ''
    WHERE article_id IN (SELECT DISTINCT article_id FROM url_history);
