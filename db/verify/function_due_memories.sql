-- Verify vestige:function_due_memories

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.due_memories(timestamptz, integer)', 'EXECUTE')::int;
ROLLBACK;
