-- Verify vestige:function_health

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.health()', 'EXECUTE')::int;
SELECT 1 / count(*) FROM vestige.health() AS h WHERE h.status IN ('ok', 'degraded');
ROLLBACK;
