-- Verify vestige:table_settings

BEGIN;
SELECT 1 / count(*) FROM vestige.settings WHERE fts_language IS NOT NULL;
ROLLBACK;
