-- What machines may do with a story, as its file says (`permissions:`, rights_policy.py), and
-- whose licensed-in copy it is (its source, or the agency its rights line names), which keeps
-- its mining reserved; a picture's are kept in the picture's JSON. Every file is read again
-- at the next scan (the parse rules' version moved), which fills them; a story whose file
-- says nothing new is not a new version.
ALTER TABLE articles ADD COLUMN permissions TEXT;
ALTER TABLE articles ADD COLUMN licensed_from TEXT;
-- the pictures of its body credited (in their text or title) to a licensed-in source
ALTER TABLE articles ADD COLUMN others_pictures TEXT;
