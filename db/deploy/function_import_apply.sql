-- Deploy vestige:function_import_apply (reworked: a staged text that holds a secret is refused,
-- left out or redacted, by p_secrets)
-- Move one staged batch into the real tables, set-based: memories with their scheduling, then
-- edges, then intentions, all owned by p_owner and private. Re-running a batch adds nothing
-- (ON CONFLICT), so an interrupted import converges when it is run again. No secret enters this
-- way either: each staged text is judged once (vestige.find_secrets) and p_secrets decides.

BEGIN;
SET LOCAL ROLE vestige_owner;

DROP FUNCTION vestige.import_apply(uuid, text, boolean);

CREATE FUNCTION vestige.import_apply(
    p_owner      uuid,
    p_model_hash text    DEFAULT NULL,
    p_update     boolean DEFAULT false,
    p_secrets    text    DEFAULT 'raise'
)
RETURNS TABLE (
    memories_inserted   integer,
    memories_updated    integer,
    memories_present    integer,
    vectors_filled      integer,
    edges_inserted      integer,
    edges_present       integer,
    intentions_inserted integer,
    intentions_present  integer,
    secrets             jsonb
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
    v_secrets  jsonb;
BEGIN
    IF p_secrets IS NULL OR p_secrets NOT IN ('raise', 'skip', 'redact') THEN
        RAISE EXCEPTION 'unknown secrets policy %', coalesce(quote_literal(p_secrets), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass raise, skip or redact.';
    END IF;
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

    -- Every staged text judged once. raise: the batch is refused whole; skip: the rows that hold
    -- a secret are left out; redact: they are staged again with each secret replaced, and a
    -- memory loses its staged vector (made from the secret).
    SELECT jsonb_agg(jsonb_build_object('item', t.item, 'id', t.id, 'kind', f.kind, 'position', f."position")
                     ORDER BY t.item, t.id, f."position")
      INTO v_secrets
      FROM (SELECT 'memory' AS item, s.id, s.content FROM vestige.import_nodes AS s
            UNION ALL
            SELECT 'intention', i.id, i.content FROM vestige.import_intentions AS i) AS t
     CROSS JOIN LATERAL vestige.find_secrets(t.content) AS f;
    IF v_secrets IS NOT NULL AND p_secrets = 'raise' THEN
        RAISE EXCEPTION 'staged % % holds a secret: % at character %', v_secrets->0->>'item', v_secrets->0->>'id',
                        v_secrets->0->>'kind', v_secrets->0->>'position'
            USING ERRCODE = 'VS017', HINT = 'Leave it out of the copy, or stage vestige.redact_secrets(content) (vestige migrate copy does either, by [ingest] secrets).';
    ELSIF v_secrets IS NOT NULL AND p_secrets = 'skip' THEN
        DELETE FROM vestige.import_nodes AS s
         WHERE s.id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(v_secrets) AS e WHERE e->>'item' = 'memory');
        DELETE FROM vestige.import_intentions AS i
         WHERE i.id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(v_secrets) AS e WHERE e->>'item' = 'intention');
    ELSIF v_secrets IS NOT NULL THEN
        UPDATE vestige.import_nodes AS s SET content = vestige.redact_secrets(s.content), embedding = NULL
         WHERE s.id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(v_secrets) AS e WHERE e->>'item' = 'memory');
        UPDATE vestige.import_intentions AS i SET content = vestige.redact_secrets(i.content)
         WHERE i.id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(v_secrets) AS e WHERE e->>'item' = 'intention');
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
    -- Looked up by id: a scan of the memories per batch would make a long import quadratic.
    UPDATE vestige.knowledge_nodes AS k
       SET embedding = s.embedding
      FROM vestige.import_nodes AS s
     WHERE k.id = ANY (ARRAY(SELECT t.id FROM vestige.import_nodes AS t WHERE t.embedding IS NOT NULL))
       AND s.id = k.id AND s.embedding IS NOT NULL AND k.embedding IS NULL AND k.owner_user_id = p_owner;
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
                        v_edges_in, v_edges - v_edges_in, v_ints_in, v_ints - v_ints_in,
                        coalesce(v_secrets, '[]');
END
$$;

COMMENT ON FUNCTION vestige.import_apply(uuid, text, boolean, text) IS
'Operator function (bulk import, run by `vestige migrate copy` as the owner or a superuser; vestige_app may not): move the staged batch (vestige.import_nodes, import_edges, import_intentions) into the memory tables, owned by p_owner, private, with no groups, keeping the staged ids and times; memories get their scheduling row; a superseded_by that names a memory neither present nor staged is dropped; edges whose ends are missing and related memory ids that do not exist are left out. Rows already present are kept (ON CONFLICT DO NOTHING; one the owner has without a vector gets the staged vector: vectors_filled), or with p_update replaced when the staged updated_at is newer and p_owner owns them (content, type, tags, metadata, validity, protection, supersession, vector and scheduling). Each staged memory and intention is judged once by vestige.find_secrets; p_secrets decides what a secret does: raise (the default) refuses the batch whole, skip leaves those rows out, redact stages them with each secret replaced by [REDACTED:kind] (vestige.redact_secrets) and a memory without its staged vector. Empties the staging tables and returns the counts inserted, updated and already present, and secrets: each secret found, as a JSON array of {item (memory or intention), id, kind, position}, never the value. Staged vectors must be of the registered model (p_model_hash) and width. Errors: VS002 no model registered, VS003 other model, VS004 other width, VS006 unknown p_secrets, VS011 unknown owner, VS017 a staged memory or intention holds a secret and p_secrets is raise.';

COMMIT;
