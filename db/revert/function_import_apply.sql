-- Revert vestige:function_import_apply (back to the v0.2.0 version)
-- Move one staged batch into the real tables, set-based: memories with their scheduling, then
-- edges, then intentions, all owned by p_owner and private. Re-running a batch adds nothing
-- (ON CONFLICT), so an interrupted import converges when it is run again.

BEGIN;
SET LOCAL ROLE vestige_owner;

DROP FUNCTION vestige.import_apply(uuid, text, boolean, text);

CREATE FUNCTION vestige.import_apply(
    p_owner      uuid,
    p_model_hash text    DEFAULT NULL,
    p_update     boolean DEFAULT false
)
RETURNS TABLE (
    memories_inserted   integer,
    memories_updated    integer,
    memories_present    integer,
    vectors_filled      integer,
    edges_inserted      integer,
    edges_present       integer,
    intentions_inserted integer,
    intentions_present  integer
)
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_model    vestige.embedding_model;
    v_dims     integer;
    v_nodes    integer;
    v_inserted integer;
    v_updated  integer;
    v_filled   integer;
    v_edges    integer;
    v_edges_in integer;
    v_ints     integer;
    v_ints_in  integer;
BEGIN
    IF p_owner IS NULL OR NOT EXISTS (SELECT FROM vestige.users AS u WHERE u.id = p_owner) THEN
        RAISE EXCEPTION 'unknown owner %', coalesce(p_owner::text, 'NULL')
            USING ERRCODE = 'VS011', HINT = 'Create the user first (vestige user create), or pass an existing one.';
    END IF;
    -- Vectors enter only under the registered model (the same rule as vestige.check_embedding,
    -- checked once for the batch).
    IF EXISTS (SELECT FROM vestige.import_nodes AS s WHERE s.embedding IS NOT NULL) THEN
        SELECT * INTO v_model FROM vestige.embedding_model AS m WHERE m.slot = 'active';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no embedding model is registered'
                USING ERRCODE = 'VS002', HINT = 'Register the target model before copying vectors.';
        END IF;
        IF p_model_hash IS DISTINCT FROM v_model.hash THEN
            RAISE EXCEPTION 'the vectors are not of the registered model %', v_model.name
                USING ERRCODE = 'VS003', HINT = 'Copy without these vectors, or embed with the registered model.';
        END IF;
        SELECT min(public.vector_dims(s.embedding)) INTO v_dims
          FROM vestige.import_nodes AS s
         WHERE s.embedding IS NOT NULL AND public.vector_dims(s.embedding) <> v_model.dimension;
        IF v_dims IS NOT NULL THEN
            RAISE EXCEPTION 'a staged vector has % dimensions, the registered model %', v_dims, v_model.dimension
                USING ERRCODE = 'VS004', HINT = 'Copy vectors of the registered width only.';
        END IF;
    END IF;

    SELECT count(*) INTO v_nodes FROM vestige.import_nodes;
    WITH written AS (
        INSERT INTO vestige.knowledge_nodes AS k
               (id, content, node_type, tags, source, metadata, domains, domain_scores, codebase,
                valid_from, valid_until, owner_user_id, visibility, shared_with_groups,
                storage_strength, retrieval_strength, retention_strength, access_count, last_accessed,
                protected, superseded_by, created_at, updated_at, embedding)
        SELECT s.id, s.content, s.node_type, s.tags, s.source, s.metadata, s.domains, s.domain_scores,
               s.codebase, s.valid_from, s.valid_until, p_owner, 'private', '{}',
               s.storage_strength, s.retrieval_strength, s.retention_strength, s.access_count, s.last_accessed,
               s.protected,
               -- a replacement that is neither copied already nor in this batch is dropped
               CASE WHEN EXISTS (SELECT FROM vestige.knowledge_nodes AS t WHERE t.id = s.superseded_by)
                      OR EXISTS (SELECT FROM vestige.import_nodes AS t WHERE t.id = s.superseded_by)
                    THEN s.superseded_by END,
               s.created_at, s.updated_at, s.embedding
          FROM vestige.import_nodes AS s
        ON CONFLICT (id) DO UPDATE
           SET content = EXCLUDED.content, node_type = EXCLUDED.node_type, tags = EXCLUDED.tags,
               source = EXCLUDED.source, metadata = EXCLUDED.metadata, domains = EXCLUDED.domains,
               domain_scores = EXCLUDED.domain_scores, codebase = EXCLUDED.codebase,
               valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
               protected = EXCLUDED.protected, superseded_by = EXCLUDED.superseded_by,
               embedding = EXCLUDED.embedding
         WHERE p_update AND k.owner_user_id = p_owner AND k.updated_at < EXCLUDED.updated_at
        RETURNING k.id, (xmax = 0) AS inserted
    ), scheduled AS (
        INSERT INTO vestige.scheduling AS c
               (memory_id, stability, difficulty, retrievability, state, reps, lapses, last_review, next_review)
        SELECT s.id, s.stability, s.difficulty, s.retrievability, s.state, s.reps, s.lapses,
               s.last_review, s.next_review
          FROM written AS w
          JOIN vestige.import_nodes AS s ON s.id = w.id
        ON CONFLICT (memory_id) DO UPDATE
           SET stability = EXCLUDED.stability, difficulty = EXCLUDED.difficulty,
               retrievability = EXCLUDED.retrievability, state = EXCLUDED.state, reps = EXCLUDED.reps,
               lapses = EXCLUDED.lapses, last_review = EXCLUDED.last_review, next_review = EXCLUDED.next_review
    )
    SELECT count(*) FILTER (WHERE w.inserted), count(*) FILTER (WHERE NOT w.inserted)
      INTO v_inserted, v_updated
      FROM written AS w;

    -- A memory copied earlier without a vector gets the staged one (a copy run again with --reembed).
    UPDATE vestige.knowledge_nodes AS k
       SET embedding = s.embedding
      FROM vestige.import_nodes AS s
     WHERE k.id = s.id AND k.embedding IS NULL AND s.embedding IS NOT NULL AND k.owner_user_id = p_owner;
    GET DIAGNOSTICS v_filled = ROW_COUNT;

    SELECT count(*) INTO v_edges FROM vestige.import_edges;
    INSERT INTO vestige.edges (source_id, target_id, edge_type, weight, created_at, last_activated, activation_count)
    SELECT e.source_id, e.target_id, e.edge_type, e.weight, e.created_at, e.last_activated, e.activation_count
      FROM vestige.import_edges AS e
     WHERE EXISTS (SELECT FROM vestige.knowledge_nodes AS n WHERE n.id = e.source_id)
       AND EXISTS (SELECT FROM vestige.knowledge_nodes AS n WHERE n.id = e.target_id)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_edges_in = ROW_COUNT;

    SELECT count(*) INTO v_ints FROM vestige.import_intentions;
    INSERT INTO vestige.intentions
           (id, owner_user_id, content, trigger_type, trigger_data, priority, status, deadline, snoozed_until,
            tags, related_memory_ids, created_at, updated_at)
    SELECT i.id, p_owner, i.content, i.trigger_type, i.trigger_data, i.priority, i.status, i.deadline,
           -- a snooze needs its end: without one the intention is active again
           CASE WHEN i.status = 'snoozed' THEN i.snoozed_until END,
           i.tags,
           ARRAY(SELECT r FROM unnest(i.related_memory_ids) AS r
                  WHERE EXISTS (SELECT FROM vestige.knowledge_nodes AS n WHERE n.id = r)),
           i.created_at, i.updated_at
      FROM vestige.import_intentions AS i
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS v_ints_in = ROW_COUNT;

    TRUNCATE vestige.import_nodes, vestige.import_edges, vestige.import_intentions;
    RETURN QUERY SELECT v_inserted, v_updated, v_nodes - v_inserted - v_updated, v_filled,
                        v_edges_in, v_edges - v_edges_in, v_ints_in, v_ints - v_ints_in;
END
$$;

COMMENT ON FUNCTION vestige.import_apply(uuid, text, boolean) IS
'Operator function (bulk import, run by `vestige migrate copy` as the owner or a superuser; vestige_app may not): move the staged batch (vestige.import_nodes, import_edges, import_intentions) into the memory tables, owned by p_owner, private, with no groups, keeping the staged ids and times; memories get their scheduling row; a superseded_by that names a memory neither present nor staged is dropped; edges whose ends are missing and related memory ids that do not exist are left out. Rows already present are kept (ON CONFLICT DO NOTHING; one the owner has without a vector gets the staged vector: vectors_filled), or with p_update replaced when the staged updated_at is newer and p_owner owns them (content, type, tags, metadata, validity, protection, supersession, vector and scheduling). Empties the staging tables and returns the counts inserted, updated and already present. Staged vectors must be of the registered model (p_model_hash) and width. Errors: VS002 no model registered, VS003 other model, VS004 other width, VS011 unknown owner.';

COMMIT;
