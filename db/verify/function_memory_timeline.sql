-- Verify vestige:function_memory_timeline (reworked: by event time)

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.memory_timeline(integer)', 'EXECUTE')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('vestige.memory_timeline(integer)'::regprocedure) LIKE '%coalesce(n.valid_from, n.created_at)%')::int;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT count(*) FROM vestige.memory_timeline();
ROLLBACK;
