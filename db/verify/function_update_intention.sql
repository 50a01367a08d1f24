-- Verify vestige:function_update_intention

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.update_intention(uuid, text, text, integer, timestamptz, timestamptz, text, jsonb, text[])', 'EXECUTE')::int;
ROLLBACK;
