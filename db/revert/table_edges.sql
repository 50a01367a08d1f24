-- Revert vestige:table_edges

BEGIN;
DROP TABLE vestige.edges;
COMMIT;
