-- Deploy vestige:trigger_knowledge_nodes_stale_vectors
-- Forget the pending and previous vectors of a memory whose content changes.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TRIGGER knowledge_nodes_stale_vectors
    BEFORE UPDATE OF content ON vestige.knowledge_nodes
    FOR EACH ROW
    WHEN (OLD.content IS DISTINCT FROM NEW.content)
    EXECUTE FUNCTION vestige.knowledge_nodes_stale_vectors();

COMMIT;
