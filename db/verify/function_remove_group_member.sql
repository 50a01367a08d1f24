-- Verify vestige:function_remove_group_member

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.remove_group_member(uuid, uuid)', 'EXECUTE')::int;
ROLLBACK;
