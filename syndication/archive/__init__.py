"""The SQLite archive: schema and migrations, the one writer, and the readers' queries."""
