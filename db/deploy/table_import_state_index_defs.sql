-- Deploy vestige:table_import_state_index_defs
-- The secondary indexes a bulk import dropped: vestige.import_begin drops them with the HNSW
-- index when the import starts on an empty store, and vestige.import_finish builds them once
-- over all the rows (also after an interrupted run).

BEGIN;
SET LOCAL ROLE vestige_owner;

ALTER TABLE vestige.import_state ADD COLUMN index_defs text[] NOT NULL DEFAULT '{}';

COMMENT ON COLUMN vestige.import_state.index_defs IS 'The definitions of the secondary indexes of knowledge_nodes, scheduling and edges that vestige.import_begin dropped (pg_get_indexdef), for vestige.import_finish to build again.';

COMMIT;
