-- pgTAP: vestige.is_visible — the visibility predicate: public, owned, or shared with one of
-- the user's groups.
BEGIN;
SELECT plan(14);

-- Fixed ids: U is the user, O another owner; G and H are groups, U is in G only.
CREATE FUNCTION pg_temp.u() RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT '11111111-1111-4111-8111-111111111111'::uuid $$;
CREATE FUNCTION pg_temp.o() RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT '22222222-2222-4222-8222-222222222222'::uuid $$;
CREATE FUNCTION pg_temp.g() RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT '33333333-3333-4333-8333-333333333333'::uuid $$;
CREATE FUNCTION pg_temp.h() RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT '44444444-4444-4444-8444-444444444444'::uuid $$;

SET LOCAL ROLE vestige_app;

-- Owner.
SELECT is(vestige.is_visible('private', pg_temp.u(), '{}', pg_temp.u(), ARRAY[pg_temp.g()]), true, 'a private memory should be visible to its owner');
SELECT is(vestige.is_visible('group', pg_temp.u(), ARRAY[pg_temp.h()], pg_temp.u(), ARRAY[pg_temp.g()]), true,
          'a group memory should be visible to its owner even outside its groups');
SELECT is(vestige.is_visible('public', pg_temp.u(), '{}', pg_temp.u(), '{}'), true, 'a public memory should be visible to its owner');

-- Someone else's memories.
SELECT is(vestige.is_visible('private', pg_temp.o(), '{}', pg_temp.u(), ARRAY[pg_temp.g()]), false, 'another user''s private memory should not be visible');
SELECT is(vestige.is_visible('public', pg_temp.o(), '{}', pg_temp.u(), '{}'), true, 'another user''s public memory should be visible');
SELECT is(vestige.is_visible('group', pg_temp.o(), ARRAY[pg_temp.g()], pg_temp.u(), ARRAY[pg_temp.g()]), true,
          'a group memory shared with one of the user''s groups should be visible');
SELECT is(vestige.is_visible('group', pg_temp.o(), ARRAY[pg_temp.h(), pg_temp.g()], pg_temp.u(), ARRAY[pg_temp.g()]), true,
          'a group memory shared with several groups should be visible when one of them is the user''s');
SELECT is(vestige.is_visible('group', pg_temp.o(), ARRAY[pg_temp.h()], pg_temp.u(), ARRAY[pg_temp.g()]), false,
          'a group memory shared only with other groups should not be visible');
SELECT is(vestige.is_visible('group', pg_temp.o(), ARRAY[pg_temp.g()], pg_temp.u(), '{}'), false,
          'a group memory should not be visible to a user in no group');
SELECT is(vestige.is_visible('private', pg_temp.o(), ARRAY[pg_temp.g()], pg_temp.u(), ARRAY[pg_temp.g()]), false,
          'groups on a private memory should not make it visible: only group visibility shares');
SELECT is(vestige.is_visible('public', pg_temp.o(), '{}', NULL, '{}'), true, 'a public memory should be visible even without a user');
SELECT is(coalesce(vestige.is_visible('private', pg_temp.o(), '{}', NULL, '{}'), false), false,
          'a private memory should not be visible without a user');

-- Inlinable: no SET clause, IMMUTABLE.
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'vestige.is_visible(text, uuid, uuid[], uuid, uuid[])'::regprocedure), NULL,
          'is_visible should have no SET clause, so the planner can inline it');
SELECT volatility_is('vestige', 'is_visible', ARRAY['text', 'uuid', 'uuid[]', 'uuid', 'uuid[]'], 'immutable', 'is_visible should be IMMUTABLE');

SELECT * FROM finish();
ROLLBACK;
