-- What machines may do with a story (`permissions:`, rights_policy.py) is kept with its row;
-- its picture's is kept in the picture's JSON. Every file is read again at the next scan (the
-- parse rules' version moved), which fills it: a story whose rights line names a licensed-in
-- agency is kept with its mining reserved, which only a parse can tell.
ALTER TABLE articles ADD COLUMN permissions TEXT;
