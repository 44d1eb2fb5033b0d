"""Newsletters: from the archive to readers' inboxes (docs/newsletters.md)."""
