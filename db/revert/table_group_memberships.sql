-- Revert vestige:table_group_memberships

BEGIN;
DROP TABLE vestige.group_memberships;
COMMIT;
