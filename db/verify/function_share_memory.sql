-- Verify vestige:function_share_memory

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.share_memory(uuid, text, uuid[])', 'EXECUTE')::int;
ROLLBACK;
