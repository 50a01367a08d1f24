-- Verify vestige:table_users_login_role

BEGIN;
SELECT login_role FROM vestige.users WHERE false;
ROLLBACK;
