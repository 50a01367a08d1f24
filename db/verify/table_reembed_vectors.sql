-- Verify vestige:table_reembed_vectors

BEGIN;
SELECT id, content_md5, embedding FROM vestige.reembed_vectors WHERE false;
SELECT 1 / (NOT pg_catalog.has_table_privilege('vestige_app', 'vestige.reembed_vectors', 'SELECT'))::int;
ROLLBACK;
