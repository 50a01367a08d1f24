-- Deploy vestige:function_search_candidates
-- The memories that pass the search filters, written once for both legs of
-- vestige.search_hybrid. Visibility is NOT applied here: each leg adds it (the text leg as
-- vestige.is_visible, the KNN leg as its three disjoint arms), so the planner sees each
-- condition exactly once and estimates it right.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- search_path: none, and a string body rather than a SQL-standard one. The planner inlines this
-- set-returning function into the calling query (so each leg keeps its own index paths) only
-- without a SET clause, and a SQL-standard body would record a dependency on the embedding
-- column that blocks register_model's type change. Its tables and functions are
-- schema-qualified, and only the API functions (with a pinned search_path) may call it.
CREATE FUNCTION vestige.search_candidates(
    p_tags               text[],
    p_node_types         text[],
    p_domains            text[],
    p_codebase           text,
    p_created_after      timestamptz,
    p_created_before     timestamptz,
    p_min_retention      double precision,
    p_include_superseded boolean
)
RETURNS SETOF vestige.knowledge_nodes
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT n.*
      FROM vestige.knowledge_nodes AS n
     WHERE (p_tags IS NULL OR n.tags && p_tags)
       AND (p_node_types IS NULL OR n.node_type = ANY (p_node_types))
       AND (p_domains IS NULL OR n.domains && p_domains)
       AND (p_codebase IS NULL OR n.codebase = p_codebase)
       AND (p_created_after IS NULL OR n.created_at >= p_created_after)
       AND (p_created_before IS NULL OR n.created_at < p_created_before)
       AND (p_include_superseded OR n.superseded_by IS NULL)
       AND (p_min_retention IS NULL
            OR vestige.retention_now(n.retrieval_strength, n.storage_strength, n.last_accessed,
                                     (SELECT s.stability FROM vestige.scheduling AS s
                                       WHERE s.memory_id = n.id),
                                     now()) >= p_min_retention);
$$;

COMMENT ON FUNCTION vestige.search_candidates(text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean) IS
'Return the memories that pass the search filters (NULL: no filter), visible or not: the caller applies visibility. Filters: any of the tags, one of the node types, any of the domains, the codebase, created in [after, before), read-time retention at least the minimum, superseded ones only when included. Inlined into the legs of search_hybrid; not executable by vestige_app.';

COMMIT;
