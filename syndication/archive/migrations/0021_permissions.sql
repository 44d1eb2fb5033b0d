-- What machines may do with a story (`permissions:`, rights_policy.py) is kept with its row;
-- its picture's is kept in the picture's JSON. Every file is read again at the next scan:
-- a story whose rights line names a licensed-in agency is kept with its mining reserved,
-- which only a parse can tell; nothing readers see changes, so no new version.
ALTER TABLE articles ADD COLUMN permissions TEXT;
UPDATE files SET mtime_ns = -1, content_hash = '';
