-- Verify vestige:function_update_memory

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.update_memory(uuid, text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, boolean, uuid)', 'EXECUTE')::int;
ROLLBACK;
