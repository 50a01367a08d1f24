-- Verify vestige:function_pending_model

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.pending_model(text)', 'EXECUTE'))::int;
ROLLBACK;
