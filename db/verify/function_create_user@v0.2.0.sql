-- Verify vestige:function_create_user

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.create_user(text, text, uuid)', 'EXECUTE')::int;
SELECT vestige.create_user(p_handle => 'sqitch-verify', p_id => '00000000-0000-0000-0000-00000000000e');
SELECT 1 / count(*) FROM vestige.users WHERE id = '00000000-0000-0000-0000-00000000000e' AND handle = 'sqitch-verify';
ROLLBACK;
