-- Revert vestige:table_import_staging

BEGIN;
DROP TABLE vestige.import_state;
DROP TABLE vestige.import_intentions;
DROP TABLE vestige.import_edges;
DROP TABLE vestige.import_nodes;
COMMIT;
