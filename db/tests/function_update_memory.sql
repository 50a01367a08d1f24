-- pgTAP: vestige.update_memory — owner only; NULL keeps a value; new content without a new
-- vector clears the vector; refused calls change nothing.
BEGIN;
SELECT plan(55);

-- Fixtures (superuser). A owns 'main' (with a vector), a group (G) and a public memory and a
-- newer one; B is in G and owns a private memory; C is a stranger.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
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

SELECT vestige_test.register_model();
INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'main',    vestige_test.memory(pg_temp.m('a'), 'alpha original', p_embedding => '[1,0,0]', p_tags => '{x}', p_codebase => 'vestige');
INSERT INTO ids SELECT 'group',   vestige_test.memory(pg_temp.m('a'), 'a group note', 'group', ARRAY[pg_temp.m('g')], '[0,1,0]');
INSERT INTO ids SELECT 'public',  vestige_test.memory(pg_temp.m('a'), 'a public note', 'public', '{}', '[0,0,1]');
INSERT INTO ids SELECT 'newer',   vestige_test.memory(pg_temp.m('a'), 'the newer note');
INSERT INTO ids SELECT 'b_private', vestige_test.memory(pg_temp.m('b'), 'b private note');
INSERT INTO ids SELECT 'b_public',  vestige_test.memory(pg_temp.m('b'), 'b public note', 'public');
-- Clock: every memory was last updated in 2020 (the trigger is bypassed for this fixture write).
SET LOCAL session_replication_role = replica;
UPDATE vestige.knowledge_nodes SET updated_at = '2020-01-01', valid_from = '2026-01-01' WHERE id = pg_temp.m('main');
UPDATE vestige.knowledge_nodes SET updated_at = '2020-01-01' WHERE id <> pg_temp.m('main');
SET LOCAL session_replication_role = origin;
UPDATE vestige.scheduling SET state = 'review', stability = 5, difficulty = 5, reps = 3 WHERE memory_id = pg_temp.m('main');
CREATE TEMP TABLE before_main ON COMMIT DROP AS SELECT * FROM vestige.knowledge_nodes WHERE id = pg_temp.m('main');
GRANT SELECT ON before_main TO vestige_app;

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('a'));

-- NULL keeps every value.
SELECT is(vestige.update_memory(p_id => pg_temp.m('main')), pg_temp.m('main'), 'update_memory should return the id');
SELECT results_eq(
    $$SELECT content, node_type, tags, source, metadata, domains, domain_scores, codebase, valid_from, valid_until,
             visibility, shared_with_groups, protected, superseded_by, embedding::text, search_tsv, created_at
        FROM pg_temp.node(pg_temp.m('main'))$$,
    $$SELECT content, node_type, tags, source, metadata, domains, domain_scores, codebase, valid_from, valid_until,
             visibility, shared_with_groups, protected, superseded_by, embedding::text, search_tsv, created_at
        FROM before_main$$,
    'an update with only NULL arguments should keep every value, the vector included');
SELECT results_eq(
    $$SELECT b.updated_at, (pg_temp.node(pg_temp.m('main'))).updated_at FROM before_main AS b$$,
    $$VALUES ('2020-01-01'::timestamptz, now())$$,
    'updated_at should advance from 2020 to the time of the update');

-- Fields without the content: the vector is kept.
SELECT vestige.update_memory(p_id => pg_temp.m('main'), p_tags => '{y,z}', p_node_type => 'decision', p_source => 'meeting',
                             p_metadata => '{"a": 1}', p_domains => '{work}', p_domain_scores => '{"work": 1}',
                             p_codebase => 'other', p_valid_until => '2026-12-31', p_protected => true);
SELECT results_eq(
    $$SELECT content, node_type, tags, source, metadata, domains, domain_scores, codebase, valid_from, valid_until, protected, embedding::text
        FROM pg_temp.node(pg_temp.m('main'))$$,
    $$VALUES ('alpha original'::text, 'decision'::text, '{y,z}'::text[], 'meeting'::text, '{"a": 1}'::jsonb, '{work}'::text[],
              '{"work": 1}'::jsonb, 'other'::text, '2026-01-01'::timestamptz, '2026-12-31'::timestamptz, true, '[1,0,0]'::text)$$,
    'the given fields should change, the others and the vector should stay');
SELECT ok((SELECT search_tsv @@ to_tsquery('english', 'decision & y') FROM pg_temp.node(pg_temp.m('main'))),
          'the full-text vector should follow the new type and tags');

-- The same content again keeps the vector.
SELECT vestige.update_memory(p_id => pg_temp.m('main'), p_content => 'alpha original');
SELECT is((pg_temp.node(pg_temp.m('main'))).embedding::text, '[1,0,0]', 'sending the unchanged content without a vector should keep the vector');

-- New content without a vector clears it; with a vector keeps the new one.
SELECT vestige.update_memory(p_id => pg_temp.m('main'), p_content => 'beta rewritten');
SELECT results_eq(
    $$SELECT content, embedding IS NULL FROM pg_temp.node(pg_temp.m('main'))$$,
    $$VALUES ('beta rewritten'::text, true)$$,
    'new content without a new vector should store the content and clear the stale vector');
SELECT is((SELECT has_embedding FROM vestige.get_memory(pg_temp.m('main'))), false, 'get_memory should then report has_embedding false');
SELECT ok((SELECT search_tsv @@ to_tsquery('english', 'beta') AND NOT search_tsv @@ to_tsquery('english', 'alpha') FROM pg_temp.node(pg_temp.m('main'))),
          'the full-text vector should follow the new content');
SELECT vestige.update_memory(p_id => pg_temp.m('main'), p_content => 'gamma again', p_embedding => '[0.6,0.8,0]', p_model_hash => vestige_test.model_hash());
SELECT results_eq(
    $$SELECT content, embedding::text FROM pg_temp.node(pg_temp.m('main'))$$,
    $$VALUES ('gamma again'::text, '[0.6,0.8,0]'::text)$$,
    'new content with a new vector should store both');
SELECT vestige.update_memory(p_id => pg_temp.m('main'), p_embedding => '[0,0.6,0.8]', p_model_hash => vestige_test.model_hash());
SELECT results_eq(
    $$SELECT content, embedding::text FROM pg_temp.node(pg_temp.m('main'))$$,
    $$VALUES ('gamma again'::text, '[0,0.6,0.8]'::text)$$,
    'a new vector alone should replace the vector and keep the content');
SELECT results_eq(
    $$SELECT state, stability, reps FROM pg_temp.sched(pg_temp.m('main'))$$,
    $$VALUES ('review'::text, 5::float8, 3)$$,
    'update_memory should keep the scheduling state');
SELECT is((pg_temp.node(pg_temp.m('main'))).owner_user_id, pg_temp.m('a'), 'the owner should not change');

-- superseded_by.
SELECT vestige.update_memory(p_id => pg_temp.m('main'), p_superseded_by => pg_temp.m('newer'));
SELECT is((pg_temp.node(pg_temp.m('main'))).superseded_by, pg_temp.m('newer'), 'the owner should mark the memory as superseded by a newer one');
SELECT vestige.update_memory(p_id => pg_temp.m('public'), p_superseded_by => pg_temp.m('b_public'));
SELECT is((pg_temp.node(pg_temp.m('public'))).superseded_by, pg_temp.m('b_public'), 'a memory may be superseded by another user''s visible memory');

-- The owner's group and public memories.
SELECT vestige.update_memory(p_id => pg_temp.m('group'), p_content => 'group note edited');
SELECT is((pg_temp.node(pg_temp.m('group'))).content, 'group note edited', 'the owner should update their group memory');

-- Refused calls: the right SQLSTATE, and nothing changes.
SELECT pg_temp.snapshot();
SELECT throws_ok(format('SELECT vestige.update_memory(p_id => %L, p_superseded_by => %L)', pg_temp.m('main'), pg_temp.m('main')),
                 'VS006', NULL, 'a memory superseded by itself should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused self-supersede should change nothing');
SELECT throws_ok(format('SELECT vestige.update_memory(p_id => %L, p_superseded_by => %L)', pg_temp.m('main'), pg_temp.m('b_private')),
                 'VS008', NULL, 'superseded_by an invisible memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the refused invisible superseded_by should change nothing');
SELECT throws_ok(format('SELECT vestige.update_memory(p_id => %L, p_superseded_by => gen_random_uuid())', pg_temp.m('main')),
                 'VS008', NULL, 'superseded_by a missing memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the refused missing superseded_by should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => ' ')$$, pg_temp.m('main')),
                 'VS006', NULL, 'blank content should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused blank content should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => repeat('x', 1048577))$$, pg_temp.m('main')),
                 'VS006', NULL, 'content over 1 MiB should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused oversized content should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_node_type => '')$$, pg_temp.m('main')),
                 'VS006', NULL, 'a blank node_type should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused node_type should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_metadata => '[]')$$, pg_temp.m('main')),
                 'VS006', NULL, 'metadata that is not a JSON object should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused metadata should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_valid_until => '2025-01-01')$$, pg_temp.m('main')),
                 'VS006', NULL, 'a valid_until before the stored valid_from should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused validity range should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_embedding => '[1,0]', p_model_hash => vestige_test.model_hash())$$, pg_temp.m('main')),
                 'VS004', NULL, 'a 2-d vector should raise VS004');
SELECT ok(pg_temp.unchanged(), 'the refused wrong-dimension vector should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'new', p_embedding => '[1,0,0]', p_model_hash => repeat('b', 64))$$, pg_temp.m('main')),
                 'VS003', NULL, 'an unknown model hash should raise VS003');
SELECT ok(pg_temp.unchanged(), 'the refused unknown hash should change nothing, not even the content');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_embedding => '[0,0,0]', p_model_hash => vestige_test.model_hash())$$, pg_temp.m('main')),
                 'VS007', NULL, 'a zero vector should raise VS007');
SELECT ok(pg_temp.unchanged(), 'the refused zero vector should change nothing');
SELECT throws_ok($$SELECT vestige.update_memory(p_id => gen_random_uuid(), p_content => 'x')$$, 'VS008', NULL, 'a missing memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the refused missing memory should change nothing');

-- A group member: sees the group and public memories but may not change them.
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'hijack')$$, pg_temp.m('group')),
                 'VS009', NULL, 'a group member updating the owner''s group memory should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the member''s refused update of the group memory should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'hijack')$$, pg_temp.m('public')),
                 'VS009', NULL, 'a group member updating the owner''s public memory should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the member''s refused update of the public memory should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'hijack')$$, pg_temp.m('main')),
                 'VS008', NULL, 'a group member updating the owner''s private memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the member''s refused update of the private memory should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_superseded_by => %L)$$, pg_temp.m('b_private'), pg_temp.m('main')),
                 'VS008', NULL, 'superseding one''s own memory by an invisible one should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the member''s refused superseded_by should change nothing');

-- A stranger.
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'hijack')$$, pg_temp.m('group')),
                 'VS008', NULL, 'a stranger updating a group memory not shared with them should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the stranger''s refused update of the group memory should change nothing');
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'hijack')$$, pg_temp.m('public')),
                 'VS009', NULL, 'a stranger updating a public memory should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the stranger''s refused update of the public memory should change nothing');

-- Identity.
SELECT vestige_test.act_as(NULL);
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'anonymous')$$, pg_temp.m('public')),
                 'VS001', NULL, 'update_memory without identity should raise VS001');
SELECT ok(pg_temp.unchanged(), 'the anonymous refused update should change nothing');

SELECT ok(has_function_privilege('vestige_app',
          'vestige.update_memory(uuid, text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, boolean, uuid)', 'EXECUTE'),
          'vestige_app should be allowed to execute update_memory');

SELECT * FROM finish();
ROLLBACK;
