-- Verify vestige:function_apply_decay

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.apply_decay(timestamptz)', 'EXECUTE')::int;
ROLLBACK;
