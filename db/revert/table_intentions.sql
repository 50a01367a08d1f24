-- Revert vestige:table_intentions

BEGIN;
DROP TABLE vestige.intentions;
COMMIT;
