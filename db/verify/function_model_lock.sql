-- Verify vestige:function_model_lock

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.model_lock(boolean)', 'EXECUTE'))::int;
SELECT vestige.model_lock(false);
ROLLBACK;
