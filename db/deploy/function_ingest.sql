-- Deploy vestige:function_ingest (reworked: the contradiction signal computed here, on the locked
-- neighbour; a batch linked in order through p_after; the event time, p_valid_from; the caller
-- resolved once)
-- Prediction-error gating (DESIGN §4.8): compare a new memory with its nearest visible neighbour,
-- decide (create, reinforce, update or supersede) and write, in one call. The ingests of one
-- user are serialised by a transaction-level advisory lock taken before the neighbour lookup,
-- so two identical concurrent ingests give one create and one reinforce; the same text again is
-- found exactly, before the approximate neighbour, and reinforced. The contradiction
-- signal (vestige.contradicts) is computed on the neighbour once it is locked, and p_after links
-- the memories of a batch in order, so a client makes one call per memory and decides nothing.
-- p_valid_from is the event time (when the memory happened or became true, as opposed to
-- created_at, when it was stored): a new memory gets it; a memory merged into keeps its own.
-- The thresholds are the constants at the top of the function, and only there.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- The signature changes: the previous one goes first (optional arguments are defaults, never
-- overloads).
DROP FUNCTION vestige.ingest(text, text, text[], text, jsonb, public.vector, text, text, text, uuid[], boolean, boolean);

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
    p_contradiction      boolean       DEFAULT NULL,
    p_force_create       boolean       DEFAULT false,
    p_after              uuid          DEFAULT NULL,
    p_valid_from         timestamptz   DEFAULT NULL,
    p_valid_until        timestamptz   DEFAULT NULL,
    p_context_embedding  public.vector DEFAULT NULL
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
    -- The times a memory may carry: every client reads them back (ISO 8601 has four-digit years).
    c_first_time    CONSTANT timestamptz := '0001-01-01 00:00:00+00';
    c_after_last    CONSTANT timestamptz := '10000-01-01 00:00:00+00';
    v_user     uuid   := vestige.current_user_id();
    v_groups   uuid[] := vestige.groups_of_user(v_user);
    v_match    uuid;
    v_m        vestige.knowledge_nodes;
    v_s        double precision;
    v_decision text := 'create';
    v_link     text;  -- the type of the edge new -> m after a create, or NULL for none
    v_merged   text;
    v_new      uuid;
    v_contradiction boolean := false;
    v_same     boolean;  -- the neighbour is the caller's own memory with exactly this text
    v_result   uuid;  -- the memory this ingest ends in: the new one, or m
BEGIN
    PERFORM vestige.check_content(p_content);
    PERFORM vestige.check_tags(p_tags);
    IF NOT (p_valid_from >= c_first_time AND p_valid_from < c_after_last) THEN
        RAISE EXCEPTION 'valid_from % is not a time between the years 1 and 9999', p_valid_from
            USING ERRCODE = 'VS006', HINT = 'Pass when the memory happened, between the years 1 and 9999 (UTC), or NULL for when it is stored.';
    END IF;
    IF NOT (p_valid_until >= c_first_time AND p_valid_until < c_after_last) THEN
        RAISE EXCEPTION 'valid_until % is not a time between the years 1 and 9999', p_valid_until
            USING ERRCODE = 'VS006', HINT = 'Pass when the memory stopped being true, between the years 1 and 9999 (UTC), or NULL.';
    END IF;
    IF p_valid_from > p_valid_until THEN
        RAISE EXCEPTION 'valid_until (%) is before valid_from (%)', p_valid_until, p_valid_from
            USING ERRCODE = 'VS006', HINT = 'Swap the two, or leave one of them NULL.';
    END IF;
    IF p_embedding IS NULL THEN
        RAISE EXCEPTION 'ingest needs the embedding of the content'
            USING ERRCODE = 'VS006',
                  HINT = 'Embed the content with the registered model and pass p_embedding and p_model_hash; insert_memory stores a memory without a vector.';
    END IF;
    PERFORM vestige.check_embedding(p_embedding, p_model_hash);
    IF p_context_embedding IS NOT NULL THEN
        PERFORM vestige.check_embedding(p_context_embedding, p_model_hash);
    END IF;

    -- One ingest of this user at a time, until the transaction ends. The lookup below is a new
    -- statement, so (in READ COMMITTED) it sees what an ingest we waited for has committed.
    PERFORM pg_advisory_xact_lock(hashtextextended('vestige.ingest:' || v_user::text, 0));

    -- The same text again is the same memory: the caller's own current memory with exactly this
    -- text, looked up exactly (knowledge_nodes_owner_content_idx), so an approximate vector walk
    -- that misses it cannot make a duplicate.
    SELECT n.id INTO v_match
      FROM vestige.knowledge_nodes AS n
     WHERE n.owner_user_id = v_user AND md5(n.content) = md5(p_content) AND n.content = p_content
       AND n.superseded_by IS NULL AND n.embedding IS NOT NULL
     LIMIT 1;
    v_same := FOUND;
    -- Else the nearest visible, not superseded neighbour: the KNN leg of search_hybrid.
    IF NOT v_same THEN
        SELECT h.id INTO v_match
          FROM vestige.search_hybrid(p_embedding => p_embedding, p_model_hash => p_model_hash, p_limit => 1) AS h;
    END IF;

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
            -- The caller's signal when given, else the heuristic on the text now locked.
            v_contradiction := coalesce(p_contradiction, vestige.contradicts(p_content, v_m.content));
        END IF;
    END IF;

    -- The decision, in this order.
    IF coalesce(p_force_create, false) OR v_m.id IS NULL THEN
        v_decision := 'create';
    ELSIF v_same THEN
        v_decision := 'reinforce';
    ELSIF v_s < c_contradict_at THEN
        v_decision := 'create';
    ELSIF v_m.owner_user_id <> v_user THEN
        -- Never merge into someone else's memory: a memory of our own, linked to it.
        v_decision := 'create';
        v_link := CASE WHEN v_s >= c_merge_at THEN 'related' END;
    ELSIF v_contradiction THEN
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
        -- Dated by when the new content happened (its event time), else today.
        v_merged := v_m.content || E'\n\n[Updated ' || to_char(coalesce(p_valid_from, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD') || '] '
                    || p_content;
        BEGIN
            PERFORM vestige.check_content(v_merged);
            PERFORM vestige.check_tags(v_m.tags || ARRAY(SELECT DISTINCT t FROM unnest(coalesce(p_tags, '{}')) AS t WHERE t <> ALL (v_m.tags)));
        EXCEPTION WHEN SQLSTATE 'VS006' THEN
            -- The merged text or tags would exceed their limits: a linked memory instead.
            v_decision := 'create';
            v_link := 'related';
        END;
    ELSE
        v_decision := 'create';
    END IF;

    IF v_decision = 'reinforce' THEN
        PERFORM vestige.touch_memories(ARRAY[v_m.id]);
        v_result := v_m.id;
    ELSIF v_decision = 'update' THEN
        -- Content appended, tags united (m's first, then the new ones in the given order);
        -- m's embedding, strengths, scheduling and event time (valid_from, valid_until) are kept.
        UPDATE vestige.knowledge_nodes AS n
           SET content = v_merged,
               tags    = n.tags || ARRAY(SELECT u.tag
                                           FROM unnest(coalesce(p_tags, '{}')) WITH ORDINALITY AS u(tag, pos)
                                          WHERE u.tag IS NOT NULL AND u.tag <> ALL (n.tags)
                                          GROUP BY u.tag
                                          ORDER BY min(u.pos))
         WHERE n.id = v_m.id;
        v_result := v_m.id;
    ELSE
        -- create or supersede: a new memory (its other arguments are checked by insert_memory),
        -- stored with its vector in context when there is one (the gate above compared the text alone).
        v_new := vestige.insert_memory(
            p_content => p_content, p_node_type => p_node_type, p_tags => p_tags, p_source => p_source,
            p_metadata => p_metadata, p_embedding => coalesce(p_context_embedding, p_embedding), p_model_hash => p_model_hash,
            p_codebase => p_codebase, p_valid_from => p_valid_from, p_valid_until => p_valid_until,
            p_visibility => p_visibility, p_shared_with_groups => p_shared_with_groups);
        IF v_decision = 'supersede' THEN
            UPDATE vestige.knowledge_nodes AS n SET superseded_by = v_new WHERE n.id = v_m.id;
            PERFORM vestige.add_edge(p_source_id => v_new, p_target_id => v_m.id, p_edge_type => 'supersedes');
        ELSIF v_link IS NOT NULL THEN
            PERFORM vestige.add_edge(p_source_id => v_new, p_target_id => v_m.id, p_edge_type => v_link, p_weight => v_s);
        END IF;
        v_result := v_new;
    END IF;

    -- A batch is one episode: the memory before this one links to where this one ended.
    IF p_after IS NOT NULL AND p_after <> v_result THEN
        PERFORM vestige.add_edge(p_source_id => p_after, p_target_id => v_result, p_edge_type => 'temporal');
    END IF;

    RETURN QUERY SELECT v_decision, v_result, v_s, v_m.id;
END
$$;

COMMENT ON FUNCTION vestige.ingest(text, text, text[], text, jsonb, public.vector, text, text, text, uuid[], boolean, boolean, uuid, timestamptz, timestamptz, public.vector) IS
'Store a memory through prediction-error gating, decision and write in one call, and return one row: the decision, the resulting memory id (new, or the matched memory), the cosine similarity s of the nearest neighbour and its id (matched_id; both NULL when there is none). The neighbour m is the caller''s own current memory (with a vector, not superseded) whose content is exactly p_content when there is one, else the nearest memory visible to the caller with a vector and not superseded. The gate, in this order: p_force_create or no neighbour: create; m of exactly the same text: reinforce (whatever s); s < 0.70: create; m owned by another user: create, with an edge new -> m of type related (weight s) when s >= 0.75 (another user''s memory is never changed); a contradiction (p_contradiction when given, else vestige.contradicts(new content, m''s content); s >= 0.70 here): supersede m, or when m is protected create with a related edge (weight s), m unchanged; s >= 0.92: reinforce, no new memory, the testing effect of touch_memories on m; m protected or its retrieval strength > 0.85: create, with a related edge (weight s) when s >= 0.75, m unchanged; m''s retrieval strength < 0.30 and s >= 0.75: supersede, a new memory, m.superseded_by = the new id and an edge new -> m of type supersedes (weight 1); s >= 0.75: update, m''s content gets E''\n\n[Updated YYYY-MM-DD] '' (the UTC date of p_valid_from, else today''s) and the new content appended, the tags are united, m''s embedding, strengths and scheduling are kept (when the merged content would exceed 1 MiB or the united tags the tag rule: create with a related edge instead); otherwise create. The gate compares p_embedding (the content alone); a new memory (create or supersede) is stored with p_context_embedding when given (the content embedded with the memory before it in its batch, checked like p_embedding), else p_embedding. p_valid_from is the event time, when the memory happened or became true (any time, past or future; NULL: when it was stored, created_at), and p_valid_until when it stopped being true (NULL: still true): a created or superseding memory gets both; a reinforced, updated or superseded memory keeps its own. When p_after names a memory (the one before this in a batch) other than the resulting memory, an edge p_after -> the resulting memory of type temporal (weight 1) is written, as add_edge does (the caller must own p_after). The ingests of one user are serialised by an advisory lock held to the end of the transaction, so under READ COMMITTED two identical concurrent ingests give one create and one reinforce. Errors, raised before anything is written: VS001 no caller identity, VS006 blank or > 1 MiB content, tags against the tag rule (vestige.check_tags), p_valid_from or p_valid_until outside the years 1 to 9999 (UTC) or p_valid_until before p_valid_from, or no vector, VS017 a secret in the content (vestige.check_content), VS002/VS003/VS004/VS007 vector checks; when a memory is created, the other arguments are checked as insert_memory does (VS006, VS010); p_after as add_edge checks its source (VS008, VS009).';

GRANT EXECUTE ON FUNCTION vestige.ingest(text, text, text[], text, jsonb, public.vector, text, text, text, uuid[], boolean, boolean, uuid, timestamptz, timestamptz, public.vector) TO vestige_app;

COMMIT;
