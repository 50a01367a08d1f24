-- Deploy vestige:table_settings
-- Deployment-wide choices, one row. The full-text language is read by the tsvector trigger
-- and by the search functions, so it can change (vestige.set_fts_language recomputes) without
-- editing deploy scripts.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.settings (
    singleton    boolean   PRIMARY KEY DEFAULT true CHECK (singleton),
    fts_language regconfig NOT NULL DEFAULT 'pg_catalog.english'
);

INSERT INTO vestige.settings DEFAULT VALUES;

COMMENT ON TABLE vestige.settings IS 'Deployment-wide settings: one row.';
COMMENT ON COLUMN vestige.settings.fts_language IS 'Text search configuration for memories and queries (default english; simple works too).';

COMMIT;
