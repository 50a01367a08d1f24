-- Verify vestige:function_memory_timeline

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.memory_timeline(integer)', 'EXECUTE')::int;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT count(*) FROM vestige.memory_timeline();
ROLLBACK;
