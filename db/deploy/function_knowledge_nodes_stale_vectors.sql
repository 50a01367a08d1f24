-- Deploy vestige:function_knowledge_nodes_stale_vectors
-- Trigger function: when a memory's content changes, its vectors for the pending model (a
-- running reembed) and the previous model (the rollback window) describe the old text, so
-- forget them; the reembed catch-up, or a rollback's, embeds the new text.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.knowledge_nodes_stale_vectors()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    -- The two columns exist only during a reembed and its rollback window, so each is named only
    -- when the table has it. (jsonb_populate_record would be shorter, but it keeps the column list
    -- it first saw in the transaction, and a switch renames columns.)
    IF EXISTS (SELECT FROM pg_attribute AS a
                WHERE a.attrelid = TG_RELID AND a.attname = 'embedding_pending' AND NOT a.attisdropped) THEN
        NEW.embedding_pending := NULL;
    END IF;
    IF EXISTS (SELECT FROM pg_attribute AS a
                WHERE a.attrelid = TG_RELID AND a.attname = 'embedding_previous' AND NOT a.attisdropped) THEN
        NEW.embedding_previous := NULL;
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION vestige.knowledge_nodes_stale_vectors() IS
'Trigger function: set embedding_pending and embedding_previous (when those columns exist) to NULL, for a memory whose content changed.';

COMMIT;
