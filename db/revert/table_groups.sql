-- Revert vestige:table_groups

BEGIN;
DROP TABLE vestige.groups;
COMMIT;
