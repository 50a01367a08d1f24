-- Verify vestige:function_import_apply

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.import_apply(uuid, text, boolean, text)', 'EXECUTE'))::int;
SELECT 1 / (memories_inserted = 0 AND secrets = '[]')::int FROM vestige.import_apply(p_owner => '00000000-0000-0000-0000-000000000001', p_secrets => 'skip');
ROLLBACK;
