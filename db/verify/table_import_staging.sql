-- Verify vestige:table_import_staging

BEGIN;
SELECT id, content, embedding, next_review FROM vestige.import_nodes WHERE false;
SELECT source_id, target_id, edge_type, weight FROM vestige.import_edges WHERE false;
SELECT id, trigger_type, related_memory_ids FROM vestige.import_intentions WHERE false;
SELECT id, index_def, started_at FROM vestige.import_state WHERE false;
ROLLBACK;
