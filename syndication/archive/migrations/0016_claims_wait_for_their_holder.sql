-- A file refused because another file holds its id or address names that file (held_by),
-- and what its refused version asks for (wants_id, wants_path). When the holder changes or
-- goes, the refused file is read again, so it is published as soon as the claim is free;
-- and a refused file's last good version holds its id and address only while the file
-- still asks for them, so two files swapping ids never block each other.
ALTER TABLE ingest_errors ADD COLUMN held_by TEXT NOT NULL DEFAULT '';
ALTER TABLE ingest_errors ADD COLUMN wants_id TEXT NOT NULL DEFAULT '';
ALTER TABLE ingest_errors ADD COLUMN wants_path TEXT NOT NULL DEFAULT '';
CREATE INDEX ingest_errors_held_by ON ingest_errors(held_by) WHERE held_by != '';
