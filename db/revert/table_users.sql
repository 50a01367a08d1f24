-- Revert vestige:table_users

BEGIN;
DROP TABLE vestige.users;
COMMIT;
