-- Verify vestige:function_get_domain

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.get_domain(text)', 'EXECUTE')::int;
ROLLBACK;
