-- Verify vestige:function_check_tags

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.check_tags(text[])', 'EXECUTE')::int;
ROLLBACK;
