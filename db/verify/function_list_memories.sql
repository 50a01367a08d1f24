-- Verify vestige:function_list_memories

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.list_memories(text, text[], text[], integer)', 'EXECUTE')::int;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT count(*) FROM vestige.list_memories(p_limit => 1);
ROLLBACK;
