-- Verify vestige:function_reembed_apply

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.reembed_apply(text)', 'EXECUTE'))::int;
ROLLBACK;
