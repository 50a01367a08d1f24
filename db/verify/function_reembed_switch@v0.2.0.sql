-- Verify vestige:function_reembed_switch

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.reembed_switch(text)', 'EXECUTE'))::int;
ROLLBACK;
