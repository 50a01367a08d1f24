-- Verify vestige:function_groups_of_user

BEGIN;
SELECT 1 / (vestige.groups_of_user('00000000-0000-0000-0000-000000000001') = '{}')::int;
ROLLBACK;
