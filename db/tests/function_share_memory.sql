-- pgTAP: vestige.share_memory — the owner moves a memory between private, group and public;
-- who sees it follows; only the owner's groups; refused calls change nothing.
BEGIN;
SELECT plan(45);

-- Fixtures (superuser). A is admin of G (with B) and of G2 (with D); C alone is in H.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.node(p_id uuid) RETURNS vestige.knowledge_nodes
LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;
-- Whether the current caller can read a memory through get_memory.
CREATE FUNCTION pg_temp.sees(p_id uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM FROM vestige.get_memory(p_id);
    RETURN true;
EXCEPTION WHEN SQLSTATE 'VS008' THEN
    RETURN false;
END
$$;
-- The users (of b, c, d) who can see a memory, switching identity and restoring it.
CREATE FUNCTION pg_temp.seen_by(p_id uuid) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    v_previous text := current_setting('vestige.user_id', true);
    v_seen     text[] := '{}';
    v_name     text;
BEGIN
    FOREACH v_name IN ARRAY ARRAY['b', 'c', 'd'] LOOP
        PERFORM set_config('vestige.user_id', pg_temp.m(v_name)::text, true);
        IF pg_temp.sees(p_id) THEN
            v_seen := v_seen || v_name;
        END IF;
    END LOOP;
    PERFORM set_config('vestige.user_id', coalesce(v_previous, ''), true);
    RETURN v_seen;
END
$$;
-- A digest of the memory table: a refused call must leave it as it was at the last snapshot.
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(string_agg(n::text, ',' ORDER BY n.id)) FROM vestige.knowledge_nodes AS n
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c')),
                       ('d', vestige_test.user('d'));
INSERT INTO ids SELECT 'g',  vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'g2', vestige_test.group('g2', pg_temp.m('a'), ARRAY[pg_temp.m('d')]);
INSERT INTO ids SELECT 'h',  vestige_test.group('h', pg_temp.m('c'));
INSERT INTO ids SELECT 'memo', vestige_test.memory(pg_temp.m('a'), 'a note to share');
INSERT INTO ids SELECT 'b_memo', vestige_test.memory(pg_temp.m('b'), 'b note');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('a'));

-- Private: only the owner.
SELECT is(pg_temp.seen_by(pg_temp.m('memo')), '{}'::text[], 'a private memory should be seen by nobody but its owner');
SELECT ok(pg_temp.sees(pg_temp.m('memo')), 'the owner should see their private memory');

-- Private -> group G.
SELECT lives_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L, p_groups => ARRAY[%L::uuid])', pg_temp.m('memo'), 'group', pg_temp.m('g')),
                'the owner should share their memory with their group');
SELECT results_eq($$SELECT visibility, shared_with_groups FROM pg_temp.node(pg_temp.m('memo'))$$,
                  $$VALUES ('group'::text, ARRAY[pg_temp.m('g')])$$, 'the memory should be stored as group, shared with G');
SELECT is(pg_temp.seen_by(pg_temp.m('memo')), '{b}'::text[], 'after sharing with G only B (in G) should see it, not C or D');

-- G -> G and G2 (sorted, deduplicated), then G2 only (groups are replaced).
SELECT lives_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L, p_groups => ARRAY[%L::uuid, %L::uuid, %L::uuid])',
                       pg_temp.m('memo'), 'group', pg_temp.m('g2'), pg_temp.m('g'), pg_temp.m('g2')),
                'the owner should share with two of their groups');
SELECT is((pg_temp.node(pg_temp.m('memo'))).shared_with_groups, ARRAY(SELECT id FROM ids WHERE name IN ('g', 'g2') ORDER BY id),
          'the groups should be stored sorted and without duplicates');
SELECT is(pg_temp.seen_by(pg_temp.m('memo')), '{b,d}'::text[], 'members of both groups should see it, the stranger should not');
SELECT lives_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L, p_groups => ARRAY[%L::uuid])', pg_temp.m('memo'), 'group', pg_temp.m('g2')),
                'the owner should narrow the sharing to G2');
SELECT is((pg_temp.node(pg_temp.m('memo'))).shared_with_groups, ARRAY[pg_temp.m('g2')], 'the new groups should replace the previous ones');
SELECT is(pg_temp.seen_by(pg_temp.m('memo')), '{d}'::text[], 'after narrowing to G2, B should lose sight of it and D keep it');

-- Group -> public.
SELECT lives_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'public'),
                'the owner should make their memory public');
SELECT results_eq($$SELECT visibility, shared_with_groups FROM pg_temp.node(pg_temp.m('memo'))$$,
                  $$VALUES ('public'::text, '{}'::uuid[])$$, 'a public memory should be shared with no group');
SELECT is(pg_temp.seen_by(pg_temp.m('memo')), '{b,c,d}'::text[], 'a public memory should be seen by everyone, the stranger included');

-- Public -> private.
SELECT lives_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'private'),
                'the owner should make their memory private again');
SELECT results_eq($$SELECT visibility, shared_with_groups FROM pg_temp.node(pg_temp.m('memo'))$$,
                  $$VALUES ('private'::text, '{}'::uuid[])$$, 'the memory should be stored as private');
SELECT is(pg_temp.seen_by(pg_temp.m('memo')), '{}'::text[], 'after unsharing nobody but the owner should see it');
SELECT ok(pg_temp.sees(pg_temp.m('memo')), 'the owner should still see it');

-- Refused by the owner: bad visibility and foreign groups.
SELECT pg_temp.snapshot();
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L, p_groups => ARRAY[%L::uuid])', pg_temp.m('memo'), 'group', pg_temp.m('h')),
                 'VS010', NULL, 'sharing with a group the owner is not in should raise VS010');
SELECT ok(pg_temp.unchanged(), 'the refused foreign group should change nothing');
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L, p_groups => ARRAY[%L::uuid, %L::uuid])', pg_temp.m('memo'), 'group', pg_temp.m('g'), pg_temp.m('h')),
                 'VS010', NULL, 'sharing with one own and one foreign group should raise VS010');
SELECT ok(pg_temp.unchanged(), 'the refused mixed groups should change nothing');
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'everyone'),
                 'VS006', NULL, 'an unknown visibility should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused unknown visibility should change nothing');
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => NULL)', pg_temp.m('memo')),
                 'VS006', NULL, 'a NULL visibility should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused NULL visibility should change nothing');
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'group'),
                 'VS006', NULL, 'group visibility without groups should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused group visibility without groups should change nothing');
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L, p_groups => ARRAY[%L::uuid])', pg_temp.m('memo'), 'public', pg_temp.m('g')),
                 'VS006', NULL, 'public visibility with groups should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused public visibility with groups should change nothing');
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => gen_random_uuid(), p_visibility => %L)', 'public'),
                 'VS008', NULL, 'sharing a missing memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the refused missing memory should change nothing');

-- Refused for others: VS009 when they see the memory, VS008 when they do not.
SELECT vestige.share_memory(p_id => pg_temp.m('memo'), p_visibility => 'group', p_groups => ARRAY[pg_temp.m('g')]);
SELECT pg_temp.snapshot();
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'public'),
                 'VS009', NULL, 'a group member making the owner''s group memory public should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the member''s refused share should change nothing');
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'private'),
                 'VS009', NULL, 'a group member unsharing the owner''s group memory should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the member''s refused unshare should change nothing');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'public'),
                 'VS008', NULL, 'a stranger sharing a group memory not shared with them should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the stranger''s refused share should change nothing');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'public'),
                 'VS001', NULL, 'share_memory without identity should raise VS001');
SELECT ok(pg_temp.unchanged(), 'the anonymous refused share should change nothing');

-- A stranger facing a public memory gets VS009.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT vestige.share_memory(p_id => pg_temp.m('memo'), p_visibility => 'public');
SELECT pg_temp.snapshot();
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT throws_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L)', pg_temp.m('memo'), 'private'),
                 'VS009', NULL, 'a stranger unsharing a public memory should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the stranger''s refused unshare of the public memory should change nothing');

-- A plain member shares their own memory with the group.
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT lives_ok(format('SELECT vestige.share_memory(p_id => %L, p_visibility => %L, p_groups => ARRAY[%L::uuid])', pg_temp.m('b_memo'), 'group', pg_temp.m('g')),
                'a plain member (not admin) should share their own memory with their group');
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT ok(pg_temp.sees(pg_temp.m('b_memo')), 'the group admin should then see the member''s memory');

SELECT ok(has_function_privilege('vestige_app', 'vestige.share_memory(uuid, text, uuid[])', 'EXECUTE'), 'vestige_app should be allowed to execute share_memory');

SELECT * FROM finish();
ROLLBACK;
