-- Revert vestige:table_domains

BEGIN;
DROP TABLE vestige.domains;
COMMIT;
