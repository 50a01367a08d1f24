"""The product's SQL statements, as constants (the deployer's are in `deployer/statements.py`).

Most call one `vestige.*` function with named arguments (docs/sql-api.md documents them); the
parameter names of a constant are the keyword arguments of the client method that sends it.
The rest are the few that cannot be a function call, each in its own section: the session and
transaction set-up, the local server's database, the migrate lock, the bulk `COPY`s and their
presence counts, the index DDL that must run outside a transaction, and the read replicas' probe.
Nothing here is assembled at run time.
"""

from __future__ import annotations

from typing import LiteralString

from psycopg.sql import SQL

# --- Session and transaction set-up -------------------------------------------------------------

# Run once per pooled connection (psycopg_pool `configure`): the role, then the timeouts, all
# session-wide. An empty role keeps the login role.
CONFIGURE_SESSION: LiteralString = """
SELECT set_config('role', coalesce(nullif(%(role)s, ''), current_user), false),
       set_config('statement_timeout', %(statement_timeout)s, false),
       set_config('lock_timeout', %(lock_timeout)s, false),
       set_config('idle_in_transaction_session_timeout', %(idle_in_transaction_timeout)s, false)
"""

# The caller, for this transaction only (safe behind PgBouncer in transaction mode).
SET_IDENTITY: LiteralString = "SELECT set_config('vestige.user_id', %(user_id)s, true)"

# The first statement of a transaction of a read-only API key: PostgreSQL refuses every write.
READ_ONLY: LiteralString = "SET TRANSACTION READ ONLY"

PGVECTOR_AVAILABLE: LiteralString = "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'vector'"

# The embedded server's database (names are composed as identifiers, never as text).
DATABASE_EXISTS: LiteralString = "SELECT 1 FROM pg_catalog.pg_database WHERE datname = %(name)s"
CREATE_DATABASE = SQL("CREATE DATABASE {}")
# A replica's slot (vestige_client.local_postgres.drop_replica), when there is one.
DROP_REPLICATION_SLOT: LiteralString = (
    "SELECT pg_catalog.pg_drop_replication_slot(s.slot_name)"
    " FROM pg_catalog.pg_replication_slots AS s WHERE s.slot_name = %(name)s"
)

FIND_USER: LiteralString = "SELECT vestige.find_user(p_handle => %(handle)s)"

# --- Embedding registry -------------------------------------------------------------------------

REGISTERED_MODEL: LiteralString = "SELECT * FROM vestige.registered_model()"

REGISTER_MODEL: LiteralString = """
SELECT * FROM vestige.register_model(p_name => %(name)s, p_dimension => %(dimension)s, p_hash => %(hash)s)
"""

# --- The checks a door makes before it embeds (the same SQL rules the API functions apply) --------

CHECK_CONTENTS: LiteralString = """
SELECT count(vestige.check_content(t.content)) FROM unnest(%(contents)s::text[]) AS t (content)
"""

CHECK_SEARCH: LiteralString = "SELECT vestige.check_search(p_query => %(query)s, p_limit => %(limit)s)"

# [ingest] secrets = "redact": each text with its secrets replaced by [REDACTED:kind], then checked
# by the content rule, and the kinds redacted (in order); the batch in order, in one call.
REDACT_CONTENTS: LiteralString = """
SELECT vestige.check_content(r.content) AS content, r.redacted
  FROM (SELECT t.n, vestige.redact_secrets(t.content) AS content,
               ARRAY(SELECT s.kind FROM vestige.find_secrets(t.content) AS s ORDER BY s."position")
                 AS redacted
          FROM unnest(%(contents)s::text[]) WITH ORDINALITY AS t (content, n)) AS r
 ORDER BY r.n
"""

# The secrets in a batch of texts (`vestige migrate copy` judges each source memory before it stages it).
FIND_SECRETS: LiteralString = """
SELECT t.n AS ordinal, s.kind, s."position", s.length
  FROM unnest(%(contents)s::text[]) WITH ORDINALITY AS t (content, n),
       vestige.find_secrets(t.content) AS s
 ORDER BY t.n, s."position"
"""

# The redacted form of texts (`vestige migrate copy` with [ingest] secrets = "redact"), in order.
REDACT_TEXTS: LiteralString = """
SELECT vestige.redact_secrets(t.content) FROM unnest(%(contents)s::text[]) WITH ORDINALITY AS t (content, n)
 ORDER BY t.n
"""

# For a reader that judges texts away from the database (`vestige migrate copy`).
CONTENT_LIMIT: LiteralString = "SELECT vestige.content_limit()"

# --- Memories -----------------------------------------------------------------------------------

INSERT_MEMORY: LiteralString = """
SELECT vestige.insert_memory(
    p_content => %(content)s, p_node_type => %(node_type)s, p_tags => %(tags)s, p_source => %(source)s,
    p_metadata => %(metadata)s, p_embedding => %(embedding)s, p_model_hash => %(model_hash)s,
    p_codebase => %(codebase)s, p_valid_from => %(valid_from)s, p_valid_until => %(valid_until)s,
    p_visibility => %(visibility)s, p_shared_with_groups => %(groups)s, p_protected => %(protected)s)
"""

GET_MEMORY: LiteralString = "SELECT * FROM vestige.get_memory(p_id => %(id)s)"

FIND_MEMORY: LiteralString = "SELECT vestige.find_memory(p_id => %(id)s)"

UPDATE_MEMORY: LiteralString = """
SELECT vestige.update_memory(
    p_id => %(id)s, p_content => %(content)s, p_node_type => %(node_type)s, p_tags => %(tags)s,
    p_source => %(source)s, p_metadata => %(metadata)s, p_embedding => %(embedding)s,
    p_model_hash => %(model_hash)s, p_codebase => %(codebase)s, p_valid_from => %(valid_from)s,
    p_valid_until => %(valid_until)s, p_protected => %(protected)s, p_superseded_by => %(superseded_by)s)
"""

DELETE_MEMORY: LiteralString = "SELECT vestige.delete_memory(p_id => %(id)s)"

SHARE_MEMORY: LiteralString = """
SELECT vestige.share_memory(p_id => %(id)s, p_visibility => %(visibility)s, p_groups => %(groups)s)
"""

TOUCH_MEMORIES: LiteralString = "SELECT vestige.touch_memories(p_ids => %(ids)s)"

# The testing effect is a soft signal: a transaction whose only write is a search's touch does not
# wait for its WAL to reach the disk (a server crash may lose the last fraction of a second of
# touches, never anything else). On a disk with slow fsync the wait was most of a search.
TOUCH_WITHOUT_WAITING: LiteralString = "SET LOCAL synchronous_commit = off"

PROMOTE_MEMORY: LiteralString = "SELECT * FROM vestige.promote_memory(p_id => %(id)s)"

DEMOTE_MEMORY: LiteralString = "SELECT * FROM vestige.demote_memory(p_id => %(id)s)"

APPLY_DECAY: LiteralString = "SELECT vestige.apply_decay(p_at => coalesce(%(at)s, now()))"

# --- Search -------------------------------------------------------------------------------------

SEARCH_FTS: LiteralString = """
SELECT * FROM vestige.search_fts(
    p_query => %(query)s, p_limit => %(limit)s, p_tags => %(tags)s, p_node_types => %(node_types)s,
    p_domains => %(domains)s, p_codebase => %(codebase)s, p_created_after => %(created_after)s,
    p_created_before => %(created_before)s, p_min_retention => %(min_retention)s,
    p_include_superseded => %(include_superseded)s, p_visibility => %(visibility)s)
"""

SEARCH_VECTOR: LiteralString = """
SELECT * FROM vestige.search_vector(
    p_embedding => %(embedding)s, p_model_hash => %(model_hash)s, p_limit => %(limit)s, p_tags => %(tags)s,
    p_node_types => %(node_types)s, p_domains => %(domains)s, p_codebase => %(codebase)s,
    p_created_after => %(created_after)s, p_created_before => %(created_before)s,
    p_min_retention => %(min_retention)s, p_include_superseded => %(include_superseded)s,
    p_visibility => %(visibility)s)
"""

SEARCH_HYBRID: LiteralString = """
SELECT * FROM vestige.search_hybrid(
    p_query => %(query)s, p_embedding => %(embedding)s, p_model_hash => %(model_hash)s,
    p_limit => %(limit)s, p_tags => %(tags)s, p_node_types => %(node_types)s, p_domains => %(domains)s,
    p_codebase => %(codebase)s, p_created_after => %(created_after)s,
    p_created_before => %(created_before)s, p_min_retention => %(min_retention)s,
    p_include_superseded => %(include_superseded)s, p_visibility => %(visibility)s)
"""

# --- Cognitive functions (the MCP server's search and smart_ingest) -----------------------------

RECALL: LiteralString = """
SELECT * FROM vestige.recall(
    p_query => %(query)s, p_embedding => %(embedding)s, p_model_hash => %(model_hash)s,
    p_limit => %(limit)s, p_tags => %(tags)s, p_node_types => %(node_types)s, p_domains => %(domains)s,
    p_codebase => %(codebase)s, p_created_after => %(created_after)s,
    p_created_before => %(created_before)s, p_min_retention => %(min_retention)s,
    p_include_superseded => %(include_superseded)s, p_visibility => %(visibility)s,
    p_touch => %(touch)s)
"""

# The contradiction signal is computed in SQL on the neighbour ingest locks; the client never
# passes p_contradiction (a SQL caller may, to force it either way).
INGEST: LiteralString = """
SELECT * FROM vestige.ingest(
    p_content => %(content)s, p_node_type => %(node_type)s, p_tags => %(tags)s, p_source => %(source)s,
    p_metadata => %(metadata)s, p_embedding => %(embedding)s, p_model_hash => %(model_hash)s,
    p_codebase => %(codebase)s, p_visibility => %(visibility)s, p_shared_with_groups => %(groups)s,
    p_force_create => %(force_create)s, p_after => %(after)s, p_valid_from => %(valid_from)s,
    p_valid_until => %(valid_until)s, p_context_embedding => %(context_embedding)s)
"""

LIST_MEMORIES: LiteralString = """
SELECT * FROM vestige.list_memories(p_codebase => %(codebase)s, p_node_types => %(node_types)s,
                                    p_tags => %(tags)s, p_limit => %(limit)s)
"""

MEMORY_TIMELINE: LiteralString = "SELECT * FROM vestige.memory_timeline(p_days => %(days)s)"

# --- Scheduling ---------------------------------------------------------------------------------

REVIEW: LiteralString = """
SELECT * FROM vestige.review(p_memory_id => %(memory_id)s, p_rating => %(rating)s,
                             p_reviewed_at => coalesce(%(reviewed_at)s, now()))
"""

GET_SCHEDULING: LiteralString = "SELECT * FROM vestige.get_scheduling(p_memory_id => %(memory_id)s)"

DUE_MEMORIES: LiteralString = """
SELECT * FROM vestige.due_memories(p_before => coalesce(%(before)s, now()), p_limit => %(limit)s)
"""

# --- Graph --------------------------------------------------------------------------------------

ADD_EDGE: LiteralString = """
SELECT * FROM vestige.add_edge(p_source_id => %(source_id)s, p_target_id => %(target_id)s,
                               p_edge_type => %(edge_type)s, p_weight => %(weight)s)
"""

REMOVE_EDGE: LiteralString = """
SELECT vestige.remove_edge(p_source_id => %(source_id)s, p_target_id => %(target_id)s,
                           p_edge_type => %(edge_type)s)
"""

EDGES_OF: LiteralString = """
SELECT * FROM vestige.edges_of(p_memory_id => %(memory_id)s, p_edge_type => %(edge_type)s,
                               p_direction => %(direction)s)
"""

NEIGHBORS: LiteralString = """
SELECT * FROM vestige.neighbors(p_memory_id => %(memory_id)s, p_depth => %(depth)s,
                                p_edge_types => %(edge_types)s, p_min_activation => %(min_activation)s,
                                p_limit => %(limit)s)
"""

# --- Domains ------------------------------------------------------------------------------------

UPSERT_DOMAIN: LiteralString = """
SELECT * FROM vestige.upsert_domain(p_id => %(id)s, p_label => %(label)s, p_centroid => %(centroid)s,
                                    p_model_hash => %(model_hash)s, p_top_terms => %(top_terms)s,
                                    p_memory_count => %(memory_count)s, p_metadata => %(metadata)s)
"""

GET_DOMAIN: LiteralString = "SELECT * FROM vestige.get_domain(p_id => %(id)s)"

LIST_DOMAINS: LiteralString = "SELECT * FROM vestige.list_domains()"

DELETE_DOMAIN: LiteralString = "SELECT vestige.delete_domain(p_id => %(id)s)"

CLASSIFY: LiteralString = """
SELECT * FROM vestige.classify(p_embedding => %(embedding)s, p_model_hash => %(model_hash)s,
                               p_limit => %(limit)s)
"""

# --- Intentions ---------------------------------------------------------------------------------

SET_INTENTION: LiteralString = """
SELECT vestige.set_intention(
    p_content => %(content)s, p_trigger_type => %(trigger_type)s, p_trigger_data => %(trigger_data)s,
    p_priority => %(priority)s, p_deadline => %(deadline)s, p_tags => %(tags)s,
    p_related_memory_ids => %(related_memory_ids)s)
"""

CHECK_INTENTIONS: LiteralString = """
SELECT * FROM vestige.check_intentions(p_context => %(context)s, p_at => coalesce(%(at)s, now()))
"""

UPDATE_INTENTION: LiteralString = """
SELECT vestige.update_intention(
    p_id => %(id)s, p_status => %(status)s, p_content => %(content)s, p_priority => %(priority)s,
    p_deadline => %(deadline)s, p_snoozed_until => %(snoozed_until)s, p_trigger_type => %(trigger_type)s,
    p_trigger_data => %(trigger_data)s, p_tags => %(tags)s)
"""

LIST_INTENTIONS: LiteralString = """
SELECT * FROM vestige.list_intentions(p_statuses => %(statuses)s, p_limit => %(limit)s)
"""

# --- Users and groups ---------------------------------------------------------------------------

CREATE_USER: LiteralString = """
SELECT vestige.create_user(p_handle => %(handle)s, p_display_name => %(display_name)s, p_id => %(id)s)
"""

LIST_USERS: LiteralString = "SELECT * FROM vestige.list_users()"

BIND_LOGIN: LiteralString = "SELECT * FROM vestige.bind_login(p_user_id => %(user_id)s, p_role => %(role)s)"

# --- API keys -----------------------------------------------------------------------------------

IS_SERVICE_SESSION: LiteralString = "SELECT vestige.is_service_session()"

CURRENT_USER_ID: LiteralString = "SELECT vestige.current_user_id()"

AUTHENTICATE: LiteralString = (
    "SELECT key_id, user_id, handle, scopes FROM vestige.authenticate(p_key_hash => %(key_hash)s)"
)

MY_API_KEYS: LiteralString = "SELECT * FROM vestige.my_api_keys()"

REVOKE_MY_API_KEY: LiteralString = "SELECT * FROM vestige.revoke_my_api_key(p_id => %(id)s)"

# Operator functions (`vestige key`): not granted to vestige_app.
CREATE_API_KEY: LiteralString = """
SELECT * FROM vestige.create_api_key(p_user_id => %(user_id)s, p_label => %(label)s,
                                     p_key_hash => %(key_hash)s, p_scopes => %(scopes)s,
                                     p_expires_at => %(expires_at)s)
"""

LIST_API_KEYS: LiteralString = "SELECT * FROM vestige.list_api_keys(p_user_id => %(user_id)s)"

REVOKE_API_KEY: LiteralString = "SELECT * FROM vestige.revoke_api_key(p_id => %(id)s)"

# Operator functions (`vestige secrets`): not granted to vestige_app.
STORED_SECRETS: LiteralString = "SELECT * FROM vestige.stored_secrets()"

# The redacted text of stored memories, computed in SQL (the operator reads the tables as their owner).
REDACTED_MEMORIES: LiteralString = """
SELECT n.id, vestige.redact_secrets(n.content) AS content
  FROM vestige.knowledge_nodes AS n
 WHERE n.id = ANY (%(ids)s::uuid[])
 ORDER BY n.id
"""

REDACT_STORED_MEMORY: LiteralString = """
SELECT vestige.redact_stored_memory(p_id => %(id)s, p_content => %(content)s, p_embedding => %(embedding)s,
                                    p_model_hash => %(model_hash)s)
"""

REDACT_STORED_INTENTIONS: LiteralString = "SELECT vestige.redact_stored_intentions()"

CREATE_GROUP: LiteralString = "SELECT vestige.create_group(p_name => %(name)s)"

LIST_GROUPS: LiteralString = "SELECT * FROM vestige.list_groups()"

FIND_GROUP: LiteralString = "SELECT vestige.find_group(p_name => %(name)s)"

ADD_GROUP_MEMBER: LiteralString = """
SELECT vestige.add_group_member(p_group_id => %(group_id)s, p_user_id => %(user_id)s, p_role => %(role)s)
"""

REMOVE_GROUP_MEMBER: LiteralString = """
SELECT vestige.remove_group_member(p_group_id => %(group_id)s, p_user_id => %(user_id)s)
"""

# --- Overview -----------------------------------------------------------------------------------

STATS: LiteralString = "SELECT * FROM vestige.stats()"

HEALTH: LiteralString = "SELECT * FROM vestige.health()"

# --- Bulk import (`vestige migrate copy`, as the owner or a superuser) ----------------------------

# One `vestige migrate` command (copy, reembed, rollback, cleanup) at a time per database: their
# staging tables are shared. Released with the session.
MIGRATE_LOCK: LiteralString = "SELECT pg_try_advisory_lock(hashtextextended('vestige.migrate.copy', 0))"
MIGRATE_UNLOCK: LiteralString = "SELECT pg_advisory_unlock(hashtextextended('vestige.migrate.copy', 0))"

IMPORT_BEGIN: LiteralString = "SELECT vestige.import_begin()"

IMPORT_APPLY: LiteralString = """
SELECT * FROM vestige.import_apply(p_owner => %(owner)s, p_model_hash => %(model_hash)s,
                                   p_update => %(update)s, p_secrets => %(secrets)s)
"""

IMPORT_FINISH: LiteralString = "SELECT vestige.import_finish()"

COPY_IMPORT_NODES: LiteralString = """
COPY vestige.import_nodes (id, content, node_type, tags, source, metadata, domains, domain_scores,
    codebase, valid_from, valid_until, protected, superseded_by, storage_strength, retrieval_strength,
    retention_strength, access_count, last_accessed, created_at, updated_at, embedding, stability,
    difficulty, retrievability, state, reps, lapses, last_review, next_review)
FROM STDIN (FORMAT BINARY)
"""

COPY_IMPORT_EDGES: LiteralString = """
COPY vestige.import_edges (source_id, target_id, edge_type, weight, created_at, last_activated,
                           activation_count)
FROM STDIN (FORMAT BINARY)
"""

COPY_IMPORT_INTENTIONS: LiteralString = """
COPY vestige.import_intentions (id, content, trigger_type, trigger_data, priority, status, deadline,
    snoozed_until, tags, related_memory_ids, created_at, updated_at)
FROM STDIN (FORMAT BINARY)
"""

COUNT_NODES_PRESENT: LiteralString = """
SELECT count(*) FROM vestige.knowledge_nodes WHERE id = ANY (%(ids)s::uuid[])
"""

COUNT_EDGES_PRESENT: LiteralString = """
SELECT count(*) FROM unnest(%(sources)s::uuid[], %(targets)s::uuid[]) AS p (source_id, target_id)
 WHERE EXISTS (SELECT FROM vestige.edges AS e WHERE e.source_id = p.source_id AND e.target_id = p.target_id)
"""

COUNT_INTENTIONS_PRESENT: LiteralString = """
SELECT count(*) FROM vestige.intentions WHERE id = ANY (%(ids)s::uuid[])
"""

# --- Model switch (`vestige migrate reembed`, as the owner or a superuser) -----------------------

# The operator functions and the index DDL need the owner of the tables.
SET_OWNER_ROLE: LiteralString = "SET ROLE vestige_owner"

# The switch transaction waits for its locks this long at most, then gives way and tries again.
SET_LOCAL_LOCK_TIMEOUT: LiteralString = "SELECT pg_catalog.set_config('lock_timeout', %(timeout)s, true)"

SET_MAINTENANCE_WORK_MEM: LiteralString = """
SELECT pg_catalog.set_config('maintenance_work_mem', %(mem)s, false)
"""

REEMBED_STATUS: LiteralString = "SELECT * FROM vestige.reembed_status()"

REEMBED_PREPARE: LiteralString = """
SELECT vestige.reembed_prepare(p_name => %(name)s, p_dimension => %(dimension)s, p_hash => %(hash)s,
                               p_offline => %(offline)s)
"""

REEMBED_TODO: LiteralString = "SELECT * FROM vestige.reembed_todo(p_after => %(after)s, p_limit => %(limit)s)"

COPY_REEMBED_VECTORS: LiteralString = """
COPY vestige.reembed_vectors (id, content_md5, embedding) FROM STDIN (FORMAT BINARY)
"""

REEMBED_APPLY: LiteralString = "SELECT vestige.reembed_apply(p_model_hash => %(hash)s)"

REEMBED_LOCK: LiteralString = "SELECT vestige.reembed_lock()"

REEMBED_SWITCH: LiteralString = "SELECT * FROM vestige.reembed_switch(p_model_hash => %(hash)s)"

REEMBED_ROLLBACK: LiteralString = "SELECT vestige.reembed_rollback()"

REEMBED_CLEANUP: LiteralString = "SELECT vestige.reembed_cleanup()"

# The pending model's HNSW index: the statement vestige.hnsw_index_sql composes (the one place of
# its parameters). CONCURRENTLY cannot run inside a function or a transaction block, so the client
# runs what it returns.
PENDING_INDEX_SQL: LiteralString = """
SELECT vestige.hnsw_index_sql(p_column => 'embedding_pending', p_concurrently => %(concurrently)s)
"""

# An index a failed CONCURRENTLY build left invalid is dropped and built again.
DROP_PENDING_INDEX_CONCURRENTLY: LiteralString = """
DROP INDEX CONCURRENTLY IF EXISTS vestige.knowledge_nodes_embedding_pending_idx
"""


# --- Read replicas (db.py): the probe of each replica and the caller's writes -----------------------

# On the primary, before each probe of a replica: how far it has flushed its WAL (bytes from 0/0: every
# commit is there, and a replica can receive no more), and the login (a replica must log in as the
# same role, so identity works the same there).
PRIMARY_POSITION: LiteralString = """
SELECT (pg_catalog.pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint AS lsn, session_user::text AS login
"""

# On a replica: whether it is one (in recovery), how far it has replayed the primary's WAL, its login.
REPLICA_POSITION: LiteralString = """
SELECT pg_catalog.pg_is_in_recovery() AS in_recovery,
       (pg_catalog.pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS replayed,
       (pg_catalog.pg_last_wal_receive_lsn() - '0/0'::pg_lsn)::bigint AS received,
       session_user::text AS login
"""

# At the end of a caller's transaction on the primary: whether it wrote (then the caller's reads stay
# on the primary for a while, so it reads its own writes).
TRANSACTION_WROTE: LiteralString = "SELECT pg_catalog.pg_current_xact_id_if_assigned() IS NOT NULL"


# --- Dashboard (vestige_client/server/dashboard): the session's key, a memory's history --------------

AUTHENTICATE_KEY_ID: LiteralString = "SELECT * FROM vestige.authenticate_key_id(p_key_id => %(key_id)s)"

MEMORY_REVIEWS: LiteralString = """
SELECT * FROM vestige.memory_reviews(p_memory_id => %(memory_id)s, p_limit => %(limit)s)
"""

MEMORY_LINEAGE: LiteralString = "SELECT * FROM vestige.memory_lineage(p_memory_id => %(memory_id)s)"

# The retention of a visible memory from now on, a point a day: vestige.retention_now (the one
# formula) on the strengths of get_memory and the stability of get_scheduling.
RETENTION_CURVE: LiteralString = """
SELECT d.day,
       vestige.retention_now(p_retrieval_strength => m.retrieval_strength,
                             p_storage_strength => m.storage_strength,
                             p_last_accessed => m.last_accessed,
                             p_stability => s.stability,
                             p_at => now() + make_interval(days => d.day)) AS retention
  FROM vestige.get_memory(p_id => %(memory_id)s) AS m,
       vestige.get_scheduling(p_memory_id => %(memory_id)s) AS s,
       generate_series(0, %(days)s) AS d(day)
 ORDER BY d.day
"""
