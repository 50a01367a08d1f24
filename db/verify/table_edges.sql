-- Verify vestige:table_edges

BEGIN;
SELECT source_id, target_id, edge_type, weight, created_at, last_activated, activation_count FROM vestige.edges WHERE false;
SELECT 1 / count(*) FROM pg_catalog.pg_class WHERE oid = 'vestige.edges'::regclass AND relrowsecurity;
ROLLBACK;
