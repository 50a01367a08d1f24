-- Verify vestige:table_domains

BEGIN;
SELECT id, label, centroid, top_terms, memory_count, metadata, updated_at FROM vestige.domains WHERE false;
ROLLBACK;
