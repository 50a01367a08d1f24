-- Deploy vestige:table_reembed_vectors
-- Staging for `vestige migrate reembed`: the client COPYs a batch of new vectors in, and
-- vestige.reembed_apply moves them into knowledge_nodes.embedding_pending and empties it, in
-- one transaction per batch. Unlogged: its content never outlives its batch.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE UNLOGGED TABLE vestige.reembed_vectors (
    id          uuid          PRIMARY KEY,
    content_md5 text          NOT NULL,
    embedding   public.vector NOT NULL
);

COMMENT ON TABLE vestige.reembed_vectors IS 'Staging for reembed: one batch of (memory id, md5 of the content that was embedded, vector of the pending model).';

COMMIT;
