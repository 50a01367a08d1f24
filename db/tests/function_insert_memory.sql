-- pgTAP: vestige.insert_memory — the caller owns the new memory, it gets a scheduling row, and
-- every bad input is refused (with the right SQLSTATE) without storing anything.
BEGIN;
SELECT plan(62);

-- Fixtures (superuser). A is admin of G, B a member of G; C alone is in H.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT, INSERT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
-- A memory and its scheduling row, read as the superuser (no row-level security).
CREATE FUNCTION pg_temp.node(p_id uuid) RETURNS vestige.knowledge_nodes
LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;
CREATE FUNCTION pg_temp.sched(p_id uuid) RETURNS vestige.scheduling
LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM vestige.scheduling AS s WHERE s.memory_id = p_id $$;
-- A digest of the memory tables: a refused call must leave it as it was at the last snapshot.
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(concat_ws('|',
        (SELECT string_agg(n::text, ',' ORDER BY n.id) FROM vestige.knowledge_nodes AS n),
        (SELECT string_agg(s::text, ',' ORDER BY s.memory_id) FROM vestige.scheduling AS s)))
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'h', vestige_test.group('h', pg_temp.m('c'));

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('a'));

-- Before any model is registered, a vector cannot be stored (a memory without one can).
SELECT pg_temp.snapshot();
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'too early', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS002', NULL, 'a vector before any model is registered should raise VS002');
SELECT ok(pg_temp.unchanged(), 'the refused early vector should store nothing');
INSERT INTO ids SELECT 'early', vestige.insert_memory(p_content => 'no vector needed');
SELECT isnt(pg_temp.m('early'), NULL, 'a memory without a vector should be stored before any model is registered');
SELECT vestige_test.register_model();

-- The defaults.
INSERT INTO ids SELECT 'basic', vestige.insert_memory(p_content => 'the first memory');
SELECT isnt(pg_temp.m('basic'), NULL, 'insert_memory should return the new id');
SELECT is((pg_temp.node(pg_temp.m('basic'))).owner_user_id, pg_temp.m('a'), 'the caller should own the new memory');
SELECT results_eq(
    $$SELECT content, node_type, tags, source, metadata, domains, domain_scores, codebase, valid_from, valid_until
        FROM pg_temp.node(pg_temp.m('basic'))$$,
    $$VALUES ('the first memory'::text, 'fact'::text, '{}'::text[], NULL::text, '{}'::jsonb, '{}'::text[], '{}'::jsonb,
              NULL::text, NULL::timestamptz, NULL::timestamptz)$$,
    'the content should be stored with the default type fact and empty tags, metadata and domains');
SELECT results_eq(
    $$SELECT visibility, shared_with_groups, protected, superseded_by, embedding IS NULL FROM pg_temp.node(pg_temp.m('basic'))$$,
    $$VALUES ('private'::text, '{}'::uuid[], false, NULL::uuid, true)$$,
    'a new memory should be private, shared with no group, unprotected, not superseded and without a vector');
SELECT results_eq(
    $$SELECT storage_strength, retrieval_strength, retention_strength, access_count FROM pg_temp.node(pg_temp.m('basic'))$$,
    $$VALUES (1::float8, 1::float8, 1::float8, 0)$$,
    'a new memory should start with strengths 1 and no access');
SELECT results_eq(
    $$SELECT created_at, updated_at, last_accessed FROM pg_temp.node(pg_temp.m('basic'))$$,
    $$VALUES (now(), now(), now())$$,
    'created_at, updated_at and last_accessed should be the insert time');
SELECT results_eq(
    $$SELECT state, reps, lapses, stability, difficulty, next_review FROM pg_temp.sched(pg_temp.m('basic'))$$,
    $$VALUES ('new'::text, 0, 0, NULL::float8, NULL::float8, now())$$,
    'insert_memory should create a scheduling row in state new, due now');
SELECT ok((SELECT search_tsv @@ to_tsquery('english', 'first') FROM pg_temp.node(pg_temp.m('basic'))),
          'the new memory should be findable by full text');

-- Every argument.
INSERT INTO ids SELECT 'full', vestige.insert_memory(
    p_content => 'full memory', p_node_type => 'decision', p_tags => '{db,sql}', p_source => 'chat 42',
    p_metadata => '{"k": 1}', p_embedding => '[1,2,3]', p_model_hash => vestige_test.model_hash(),
    p_domains => '{work}', p_domain_scores => '{"work": 0.9}', p_codebase => 'vestige',
    p_valid_from => '2026-01-01', p_valid_until => '2026-12-31', p_visibility => 'group',
    p_shared_with_groups => ARRAY[pg_temp.m('g')], p_protected => true);
SELECT results_eq(
    $$SELECT content, node_type, tags, source, metadata, domains, domain_scores, codebase, valid_from, valid_until,
             visibility, shared_with_groups, protected, embedding::text
        FROM pg_temp.node(pg_temp.m('full'))$$,
    $$VALUES ('full memory'::text, 'decision'::text, '{db,sql}'::text[], 'chat 42'::text, '{"k": 1}'::jsonb,
              '{work}'::text[], '{"work": 0.9}'::jsonb, 'vestige'::text, '2026-01-01'::timestamptz, '2026-12-31'::timestamptz,
              'group'::text, ARRAY[pg_temp.m('g')], true, '[1,2,3]'::text)$$,
    'every argument of insert_memory should be stored');
SELECT is((pg_temp.node(pg_temp.m('full'))).owner_user_id, pg_temp.m('a'), 'the owner should be the caller, whatever else is passed');
INSERT INTO ids SELECT 'dupgroups', vestige.insert_memory(p_content => 'dup groups', p_visibility => 'group',
                                                          p_shared_with_groups => ARRAY[pg_temp.m('g'), pg_temp.m('g')]);
SELECT is((pg_temp.node(pg_temp.m('dupgroups'))).shared_with_groups, ARRAY[pg_temp.m('g')], 'a group passed twice should be stored once');
INSERT INTO ids SELECT 'nulls', vestige.insert_memory(p_content => 'explicit nulls', p_tags => NULL, p_metadata => NULL,
                                                      p_domains => NULL, p_domain_scores => NULL, p_shared_with_groups => NULL, p_protected => NULL);
SELECT results_eq(
    $$SELECT tags, metadata, domains, domain_scores, shared_with_groups, protected FROM pg_temp.node(pg_temp.m('nulls'))$$,
    $$VALUES ('{}'::text[], '{}'::jsonb, '{}'::text[], '{}'::jsonb, '{}'::uuid[], false)$$,
    'NULL for optional arguments should store the defaults');

-- A plain member may share with their group; 1 MiB exactly is accepted.
SELECT vestige_test.act_as(pg_temp.m('b'));
INSERT INTO ids SELECT 'b_group', vestige.insert_memory(p_content => 'b shares', p_visibility => 'group', p_shared_with_groups => ARRAY[pg_temp.m('g')]);
SELECT results_eq(
    $$SELECT owner_user_id, visibility, shared_with_groups FROM pg_temp.node(pg_temp.m('b_group'))$$,
    $$VALUES (pg_temp.m('b'), 'group'::text, ARRAY[pg_temp.m('g')])$$,
    'a plain member (not admin) should be allowed to share a new memory with their group');
SELECT vestige_test.act_as(pg_temp.m('a'));
INSERT INTO ids SELECT 'mib', vestige.insert_memory(p_content => repeat('x', 1048576));
SELECT is(octet_length((pg_temp.node(pg_temp.m('mib'))).content), 1048576, 'content of exactly 1 MiB should be accepted');
SELECT is((SELECT state FROM pg_temp.sched(pg_temp.m('mib'))), 'new', 'the 1 MiB memory should get its scheduling row too');

-- p_id.
INSERT INTO ids SELECT 'given', vestige.insert_memory(p_content => 'with my id', p_id => '12345678-1234-4234-8234-123456789abc');
SELECT is(pg_temp.m('given'), '12345678-1234-4234-8234-123456789abc'::uuid, 'insert_memory should return the id passed in p_id');
SELECT is((pg_temp.node('12345678-1234-4234-8234-123456789abc')).content, 'with my id', 'the memory should be stored under the given id');

-- Bad input: the right SQLSTATE, and nothing stored.
SELECT pg_temp.snapshot();
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'again', p_id => '12345678-1234-4234-8234-123456789abc')$$,
                 'VS013', NULL, 'an id already taken should raise VS013');
SELECT ok(pg_temp.unchanged(), 'the refused duplicate id should store nothing and keep the existing memory');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => '')$$, 'VS006', NULL, 'empty content should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused empty content should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => E' \t\n ')$$, 'VS006', NULL, 'whitespace-only content should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused whitespace content should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => NULL)$$, 'VS006', NULL, 'NULL content should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused NULL content should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => repeat('x', 1048577))$$, 'VS006', NULL, 'content over 1 MiB should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused oversized content should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_visibility => 'secret')$$, 'VS006', NULL, 'an unknown visibility should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused visibility should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_visibility => 'group')$$, 'VS006', NULL,
                 'group visibility without groups should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused group visibility without groups should store nothing');
SELECT throws_ok(format($$SELECT vestige.insert_memory(p_content => 'x', p_visibility => 'private', p_shared_with_groups => ARRAY[%L::uuid])$$, pg_temp.m('g')),
                 'VS006', NULL, 'groups with private visibility should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused private memory with groups should store nothing');
SELECT throws_ok(format($$SELECT vestige.insert_memory(p_content => 'x', p_visibility => 'group', p_shared_with_groups => ARRAY[%L::uuid])$$, pg_temp.m('h')),
                 'VS010', NULL, 'sharing with a group the caller is not in should raise VS010');
SELECT ok(pg_temp.unchanged(), 'the refused foreign group should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_embedding => '[1,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS004', NULL, 'a 2-d vector against the 3-d model should raise VS004');
SELECT ok(pg_temp.unchanged(), 'the refused wrong-dimension vector should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_embedding => '[1,0,0]', p_model_hash => repeat('b', 64))$$,
                 'VS003', NULL, 'an unknown model hash should raise VS003');
SELECT ok(pg_temp.unchanged(), 'the refused unknown hash should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_embedding => '[1,0,0]')$$,
                 'VS003', NULL, 'a vector without a model hash should raise VS003');
SELECT ok(pg_temp.unchanged(), 'the refused vector without hash should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_embedding => '[0,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS007', NULL, 'a zero vector should raise VS007');
SELECT ok(pg_temp.unchanged(), 'the refused zero vector should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_metadata => '[1, 2]')$$, 'VS006', NULL,
                 'metadata that is not a JSON object should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused metadata should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_domain_scores => '"high"')$$, 'VS006', NULL,
                 'domain_scores that are not a JSON object should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused domain_scores should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_valid_from => '2026-06-01', p_valid_until => '2026-01-01')$$,
                 'VS006', NULL, 'valid_until before valid_from should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused validity range should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_node_type => ' ')$$, 'VS006', NULL, 'a blank node_type should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused node_type should store nothing');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'x', p_codebase => '')$$, 'VS006', NULL, 'a blank codebase should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused codebase should store nothing');

-- Identity.
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'anonymous')$$, 'VS001', NULL, 'insert_memory without identity should raise VS001');
SELECT ok(pg_temp.unchanged(), 'the refused anonymous insert should store nothing');
SELECT set_config('vestige.user_id', gen_random_uuid()::text, true);
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'ghost')$$, 'VS011', NULL, 'an identity naming no user should raise VS011');
SELECT ok(pg_temp.unchanged(), 'the refused insert by an unknown user should store nothing');

-- Privileges.
SELECT ok(has_function_privilege('vestige_app', 'vestige.insert_memory(text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, text, uuid[], boolean, uuid)', 'EXECUTE'),
          'vestige_app should be allowed to execute insert_memory');
SELECT ok(NOT has_column_privilege('vestige_app', 'vestige.knowledge_nodes', 'embedding', 'INSERT'),
          'vestige_app should not insert embeddings directly: only insert_memory checks them');

SELECT * FROM finish();
ROLLBACK;
