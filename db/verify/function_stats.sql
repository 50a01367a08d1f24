-- Verify vestige:function_stats

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.stats()', 'EXECUTE')::int;
ROLLBACK;
