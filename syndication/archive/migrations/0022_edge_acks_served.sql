-- What each edge node was last purged under: a fingerprint of the rights policy the site
-- states (publish/machine_rights.py). A node acknowledged under another (a changed [rights]
-- in syndication.toml, or an archive from before it was kept) may hold answers the site no
-- longer gives, and is emptied once.
ALTER TABLE edge_acks ADD COLUMN served TEXT NOT NULL DEFAULT '';
