-- Revert vestige:function_ingest (to @v0.1.0: the caller's contradiction signal, no p_after)
-- Prediction-error gating (DESIGN §4.8): compare a new memory with its nearest visible neighbour,
-- decide (create, reinforce, update or supersede) and write, in one call. The ingests of one
-- user are serialised by a transaction-level advisory lock taken before the neighbour lookup,
-- so two identical concurrent ingests give one create and one reinforce. The thresholds are the
-- constants at the top of the function, and only there.

BEGIN;
SET LOCAL ROLE vestige_owner;

DROP FUNCTION vestige.ingest(text, text, text[], text, jsonb, public.vector, text, text, text, uuid[], boolean, boolean, uuid, timestamptz, timestamptz, public.vector);

-- why: definer so only the caller's own memories are merged into, and the neighbour is looked
-- for among the memories visible to the caller only.
CREATE FUNCTION vestige.ingest(
    p_content            text,
    p_node_type          text          DEFAULT 'fact',
    p_tags               text[]        DEFAULT '{}',
    p_source             text          DEFAULT NULL,
    p_metadata           jsonb         DEFAULT '{}',
    p_embedding          public.vector DEFAULT NULL,
    p_model_hash         text          DEFAULT NULL,
    p_codebase           text          DEFAULT NULL,
    p_visibility         text          DEFAULT 'private',
    p_shared_with_groups uuid[]        DEFAULT '{}',
    p_contradiction      boolean       DEFAULT false,
    p_force_create       boolean       DEFAULT false
)
RETURNS TABLE (
    decision   text,
    id         uuid,
    similarity double precision,
    matched_id uuid
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    -- The gate, here only (the COMMENT states it; pgTAP checks each path). Similarities are
    -- cosine similarities to the nearest neighbour, strengths its stored retrieval strength.
    c_reinforce_at  CONSTANT double precision := 0.92;  -- the same memory again
    c_merge_at      CONSTANT double precision := 0.75;  -- update, supersede a weak one, link
    c_contradict_at CONSTANT double precision := 0.70;  -- supersede a contradicted one; below: unrelated
    c_strong_above  CONSTANT double precision := 0.85;  -- never merged into above this retrieval strength
    c_weak_below    CONSTANT double precision := 0.30;  -- superseded below this retrieval strength
    v_user     uuid   := vestige.current_user_id();
    v_groups   uuid[] := vestige.current_user_groups();
    v_match    uuid;
    v_m        vestige.knowledge_nodes;
    v_s        double precision;
    v_decision text := 'create';
    v_link     text;  -- the type of the edge new -> m after a create, or NULL for none
    v_merged   text;
    v_new      uuid;
BEGIN
    PERFORM vestige.check_content(p_content);
    IF p_embedding IS NULL THEN
        RAISE EXCEPTION 'ingest needs the embedding of the content'
            USING ERRCODE = 'VS006',
                  HINT = 'Embed the content with the registered model and pass p_embedding and p_model_hash; insert_memory stores a memory without a vector.';
    END IF;
    PERFORM vestige.check_embedding(p_embedding, p_model_hash);

    -- One ingest of this user at a time, until the transaction ends. The lookup below is a new
    -- statement, so (in READ COMMITTED) it sees what an ingest we waited for has committed.
    PERFORM pg_advisory_xact_lock(hashtextextended('vestige.ingest:' || v_user::text, 0));

    -- The nearest visible, not superseded neighbour: the KNN leg of search_hybrid.
    SELECT h.id INTO v_match
      FROM vestige.search_hybrid(p_embedding => p_embedding, p_model_hash => p_model_hash, p_limit => 1) AS h;

    -- Lock it (an own memory for the write, another user's one for the edge) and read it again:
    -- a concurrent writer may have changed, superseded or deleted it since.
    IF v_match IS NOT NULL THEN
        SELECT * INTO v_m FROM vestige.knowledge_nodes AS n
         WHERE n.id = v_match AND n.owner_user_id = v_user
           AND n.superseded_by IS NULL AND n.embedding IS NOT NULL
           FOR UPDATE;
        IF v_m.id IS NULL THEN
            SELECT * INTO v_m FROM vestige.knowledge_nodes AS n
             WHERE n.id = v_match AND n.owner_user_id <> v_user
               AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
               AND n.superseded_by IS NULL AND n.embedding IS NOT NULL
               FOR KEY SHARE;
        END IF;
        IF v_m.id IS NOT NULL THEN
            v_s := 1 - (v_m.embedding <=> p_embedding);
        END IF;
    END IF;

    -- The decision, in this order.
    IF coalesce(p_force_create, false) OR v_m.id IS NULL OR v_s < c_contradict_at THEN
        v_decision := 'create';
    ELSIF v_m.owner_user_id <> v_user THEN
        -- Never merge into someone else's memory: a memory of our own, linked to it.
        v_decision := 'create';
        v_link := CASE WHEN v_s >= c_merge_at THEN 'related' END;
    ELSIF coalesce(p_contradiction, false) THEN
        -- A correction retires the old memory (v_s >= c_contradict_at here), however near and
        -- however strong it is; a protected memory stays as it is, with the correction linked.
        v_decision := CASE WHEN v_m.protected THEN 'create' ELSE 'supersede' END;
        v_link := CASE WHEN v_m.protected THEN 'related' END;
    ELSIF v_s >= c_reinforce_at THEN
        v_decision := 'reinforce';
    ELSIF v_m.protected OR v_m.retrieval_strength > c_strong_above THEN
        v_decision := 'create';
        v_link := CASE WHEN v_s >= c_merge_at THEN 'related' END;
    ELSIF v_m.retrieval_strength < c_weak_below AND v_s >= c_merge_at THEN
        v_decision := 'supersede';
    ELSIF v_s >= c_merge_at THEN
        v_decision := 'update';
        v_merged := v_m.content || E'\n\n[Updated ' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') || '] '
                    || p_content;
        IF octet_length(v_merged) > 1048576 THEN
            -- The merged text would exceed the content limit: a linked memory instead.
            v_decision := 'create';
            v_link := 'related';
        END IF;
    ELSE
        v_decision := 'create';
    END IF;

    IF v_decision = 'reinforce' THEN
        PERFORM vestige.touch_memories(ARRAY[v_m.id]);
        RETURN QUERY SELECT v_decision, v_m.id, v_s, v_m.id;
        RETURN;
    END IF;

    IF v_decision = 'update' THEN
        -- Content appended, tags united (m's first, then the new ones in the given order);
        -- m's embedding, strengths and scheduling are kept.
        UPDATE vestige.knowledge_nodes AS n
           SET content = v_merged,
               tags    = n.tags || ARRAY(SELECT u.tag
                                           FROM unnest(coalesce(p_tags, '{}')) WITH ORDINALITY AS u(tag, pos)
                                          WHERE u.tag IS NOT NULL AND u.tag <> ALL (n.tags)
                                          GROUP BY u.tag
                                          ORDER BY min(u.pos))
         WHERE n.id = v_m.id;
        RETURN QUERY SELECT v_decision, v_m.id, v_s, v_m.id;
        RETURN;
    END IF;

    -- create or supersede: a new memory (its other arguments are checked by insert_memory).
    v_new := vestige.insert_memory(
        p_content => p_content, p_node_type => p_node_type, p_tags => p_tags, p_source => p_source,
        p_metadata => p_metadata, p_embedding => p_embedding, p_model_hash => p_model_hash,
        p_codebase => p_codebase, p_visibility => p_visibility, p_shared_with_groups => p_shared_with_groups);

    IF v_decision = 'supersede' THEN
        UPDATE vestige.knowledge_nodes AS n SET superseded_by = v_new WHERE n.id = v_m.id;
        PERFORM vestige.add_edge(p_source_id => v_new, p_target_id => v_m.id, p_edge_type => 'supersedes');
    ELSIF v_link IS NOT NULL THEN
        PERFORM vestige.add_edge(p_source_id => v_new, p_target_id => v_m.id, p_edge_type => v_link, p_weight => v_s);
    END IF;

    RETURN QUERY SELECT v_decision, v_new, v_s, v_m.id;
END
$$;

COMMENT ON FUNCTION vestige.ingest(text, text, text[], text, jsonb, public.vector, text, text, text, uuid[], boolean, boolean) IS
'Store a memory through prediction-error gating, decision and write in one call, and return one row: the decision, the resulting memory id (new, or the matched memory), the cosine similarity s of the nearest neighbour and its id (matched_id; both NULL when there is none). The neighbour m is the nearest memory visible to the caller with a vector and not superseded. The gate, in this order: p_force_create, no neighbour or s < 0.70: create; m owned by another user: create, with an edge new -> m of type related (weight s) when s >= 0.75 (another user''s memory is never changed); p_contradiction (the caller''s contradiction signal; s >= 0.70 here): supersede m, or when m is protected create with a related edge (weight s), m unchanged; s >= 0.92: reinforce, no new memory, the testing effect of touch_memories on m; m protected or its retrieval strength > 0.85: create, with a related edge (weight s) when s >= 0.75, m unchanged; m''s retrieval strength < 0.30 and s >= 0.75: supersede, a new memory, m.superseded_by = the new id and an edge new -> m of type supersedes (weight 1); s >= 0.75: update, m''s content gets E''\n\n[Updated YYYY-MM-DD] '' (UTC date) and the new content appended, the tags are united, m''s embedding, strengths and scheduling are kept (when the merged content would exceed 1 MiB: create with a related edge instead); otherwise create. The ingests of one user are serialised by an advisory lock held to the end of the transaction, so under READ COMMITTED two identical concurrent ingests give one create and one reinforce. Errors, raised before anything is written: VS001 no caller identity, VS006 blank or > 1 MiB content or no vector, VS002/VS003/VS004/VS007 vector checks; when a memory is created, the other arguments are checked as insert_memory does (VS006, VS010).';

GRANT EXECUTE ON FUNCTION vestige.ingest(text, text, text[], text, jsonb, public.vector, text, text, text, uuid[], boolean, boolean) TO vestige_app;

COMMIT;
