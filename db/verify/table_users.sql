-- Verify vestige:table_users

BEGIN;
SELECT id, handle, display_name, created_at FROM vestige.users WHERE false;
SELECT 1 / count(*) FROM vestige.users WHERE id = '00000000-0000-0000-0000-000000000001' AND handle = 'local';
ROLLBACK;
