-- Editors who may open the desk (/desk/): a name and an argon2 hash of the password.
CREATE TABLE editors (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    added         TEXT NOT NULL
) WITHOUT ROWID;
-- Each partner's last pull, for the desk, without reading all it ever received.
CREATE INDEX deliveries_partner_at ON deliveries(partner_id, at);
