-- Verify vestige:function_create_group

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.create_group(text)', 'EXECUTE')::int;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT vestige.create_group(p_name => 'sqitch verify of create_group');
SELECT 1 / count(*) FROM vestige.groups AS g JOIN vestige.group_memberships AS m ON m.group_id = g.id
 WHERE g.name = 'sqitch verify of create_group'
   AND m.user_id = '00000000-0000-0000-0000-000000000001' AND m.role = 'admin';
ROLLBACK;
