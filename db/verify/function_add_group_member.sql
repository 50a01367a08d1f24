-- Verify vestige:function_add_group_member

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.add_group_member(uuid, uuid, text)', 'EXECUTE')::int;
ROLLBACK;
