-- Revert vestige:table_users_login_role

BEGIN;
SET LOCAL ROLE vestige_owner;
ALTER TABLE vestige.users DROP COLUMN login_role;
COMMIT;
