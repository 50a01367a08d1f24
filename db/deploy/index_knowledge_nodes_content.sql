-- Deploy vestige:index_knowledge_nodes_content
-- Each owner's current (not superseded) memories by the MD5 of their text: vestige.ingest looks
-- up the same text again here, exactly, before it asks the approximate vector index for a
-- neighbour, so an identical ingest reinforces the memory it repeats even when the HNSW walk
-- misses it.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE INDEX knowledge_nodes_owner_content_idx ON vestige.knowledge_nodes (owner_user_id, md5(content))
    WHERE superseded_by IS NULL;

COMMENT ON INDEX vestige.knowledge_nodes_owner_content_idx IS 'Each owner''s current memories by md5(content): ingest''s exact look-up of the same text.';

COMMIT;
