-- Verify vestige:function_touch_memories

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.touch_memories(uuid[])', 'EXECUTE')::int;
ROLLBACK;
