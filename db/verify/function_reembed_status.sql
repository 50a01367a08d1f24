-- Verify vestige:function_reembed_status

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.reembed_status()', 'EXECUTE')::int;
SELECT 1 / count(*) FROM vestige.reembed_status();
ROLLBACK;
