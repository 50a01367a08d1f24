"""`vestige migrate`: bring memories from an upstream Vestige SQLite store into PostgreSQL."""
