-- A month's sitemap changes when a story leaves it, not only when one in it changes: moved to
-- another month, back to draft, scheduled again or withdrawn. The sitemap index says when each
-- month last changed (its lastmod), so every departure is noted here, whichever write made it.
CREATE TABLE sitemap_departures (
    month TEXT PRIMARY KEY,  -- YYYY-MM of `published`, in UTC, as the monthly sitemaps are cut
    at    TEXT NOT NULL      -- when the last story left it
) WITHOUT ROWID;
CREATE TRIGGER articles_leave_their_month AFTER UPDATE OF state, published ON articles
WHEN OLD.state = 'live'
    AND (NEW.state != 'live' OR substr(NEW.published, 1, 7) != substr(OLD.published, 1, 7))
BEGIN
    INSERT INTO sitemap_departures (month, at) VALUES (substr(OLD.published, 1, 7), NEW.last_changed)
    ON CONFLICT (month) DO UPDATE SET at = max(at, excluded.at);
END;
