-- Test fixtures for the pgTAP suite: loaded once into the test database (after deploy, before
-- pg_prove) by scripts/test. Everything lives in schema vestige_test, which is dropped before
-- the revert round trip. Fixture functions run as the caller (superuser in the fixture part of
-- a test file) and write the tables directly or through the API, so tests stay short. They are
-- SECURITY DEFINER (owned by the superuser that loads them) so tests can call them as vestige_app.

BEGIN;

CREATE EXTENSION IF NOT EXISTS pgtap;

DROP SCHEMA IF EXISTS vestige_test CASCADE;
CREATE SCHEMA vestige_test;
GRANT USAGE ON SCHEMA vestige_test TO vestige_app;

-- The 64-hex hash of the 3-d test model.
CREATE FUNCTION vestige_test.model_hash() RETURNS text
LANGUAGE sql IMMUTABLE RETURN repeat('a', 64);

-- Register the 3-d test model (or p_dimension).
CREATE FUNCTION vestige_test.register_model(p_dimension integer DEFAULT 3) RETURNS void
LANGUAGE sql SECURITY DEFINER
BEGIN ATOMIC
    SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => p_dimension,
                                         p_hash => vestige_test.model_hash());
END;

-- Create (or find) a user by handle; returns its id.
CREATE FUNCTION vestige_test.user(p_handle text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE v_id uuid;
BEGIN
    SELECT id INTO v_id FROM vestige.users WHERE handle = p_handle;
    IF NOT FOUND THEN
        INSERT INTO vestige.users (handle) VALUES (p_handle) RETURNING id INTO v_id;
    END IF;
    RETURN v_id;
END $$;

-- Act as this user for the rest of the transaction.
CREATE FUNCTION vestige_test.act_as(p_user uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER
BEGIN ATOMIC
    SELECT set_config('vestige.user_id', coalesce(p_user::text, ''), true);
END;

-- Create a group with an admin and members (direct writes); returns its id.
CREATE FUNCTION vestige_test.group(p_name text, p_admin uuid, p_members uuid[] DEFAULT '{}') RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE v_id uuid;
BEGIN
    INSERT INTO vestige.groups (name, created_by) VALUES (p_name, p_admin) RETURNING id INTO v_id;
    INSERT INTO vestige.group_memberships (group_id, user_id, role) VALUES (v_id, p_admin, 'admin');
    INSERT INTO vestige.group_memberships (group_id, user_id, role)
    SELECT v_id, m, 'member' FROM unnest(p_members) AS m WHERE m <> p_admin;
    RETURN v_id;
END $$;

-- The id of a group by name.
CREATE FUNCTION vestige_test.group_id(p_name text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
BEGIN ATOMIC
    SELECT id FROM vestige.groups WHERE name = p_name;
END;

-- Store a memory as p_owner through vestige.insert_memory; the caller identity is restored after.
CREATE FUNCTION vestige_test.memory(
    p_owner      uuid,
    p_content    text,
    p_visibility text          DEFAULT 'private',
    p_groups     uuid[]        DEFAULT '{}',
    p_embedding  public.vector DEFAULT NULL,
    p_tags       text[]        DEFAULT '{}',
    p_node_type  text          DEFAULT 'fact',
    p_codebase   text          DEFAULT NULL
) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    v_previous text := current_setting('vestige.user_id', true);
    v_id uuid;
BEGIN
    PERFORM set_config('vestige.user_id', p_owner::text, true);
    v_id := vestige.insert_memory(
        p_content => p_content, p_visibility => p_visibility, p_shared_with_groups => p_groups,
        p_embedding => p_embedding,
        p_model_hash => CASE WHEN p_embedding IS NULL THEN NULL ELSE vestige_test.model_hash() END,
        p_tags => p_tags, p_node_type => p_node_type, p_codebase => p_codebase);
    PERFORM set_config('vestige.user_id', coalesce(v_previous, ''), true);
    RETURN v_id;
END $$;

-- The memories of the strength tests (touch, promote, demote, apply_decay): alice owns a private,
-- a group and a public memory, bob (member of alice's group g) a private one, carol none. Fixed
-- ids: 0000000a-…-000000000001/2/3 for alice's, 0000000b-…-000000000001 for bob's.
CREATE FUNCTION vestige_test.strength_fixture() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    PERFORM vestige_test.group('g', vestige_test.user('alice'), ARRAY[vestige_test.user('bob')]);
    PERFORM vestige_test.user('carol');
    PERFORM vestige_test.act_as(vestige_test.user('alice'));
    PERFORM vestige.insert_memory(p_content => 'alice private', p_id => '0000000a-0000-0000-0000-000000000001');
    PERFORM vestige.insert_memory(p_content => 'alice group', p_visibility => 'group',
                                  p_shared_with_groups => ARRAY[(SELECT id FROM vestige.groups WHERE name = 'g')],
                                  p_id => '0000000a-0000-0000-0000-000000000002');
    PERFORM vestige.insert_memory(p_content => 'alice public', p_visibility => 'public',
                                  p_id => '0000000a-0000-0000-0000-000000000003');
    PERFORM vestige_test.act_as(vestige_test.user('bob'));
    PERFORM vestige.insert_memory(p_content => 'bob private', p_id => '0000000b-0000-0000-0000-000000000001');
    PERFORM vestige_test.act_as(NULL);
END $$;

-- Read a memory or its scheduling row whatever the caller (tests compare before and after).
CREATE FUNCTION vestige_test.node(p_id uuid) RETURNS vestige.knowledge_nodes
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$ SELECT * FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;

CREATE FUNCTION vestige_test.sched(p_id uuid) RETURNS vestige.scheduling
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$ SELECT * FROM vestige.scheduling AS s WHERE s.memory_id = p_id $$;

-- snapshot() records the strengths, counters, last access and scheduling of every memory;
-- changed() counts the memories that differ from the last snapshot (0: a refused call changed nothing).
CREATE TABLE vestige_test.snap (id uuid PRIMARY KEY, state text NOT NULL);

CREATE FUNCTION vestige_test.state() RETURNS TABLE (id uuid, state text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$
    SELECT n.id, concat_ws(' ', n.storage_strength, n.retrieval_strength, n.retention_strength, n.access_count,
                           n.last_accessed, s.stability, s.difficulty, s.retrievability, s.state, s.last_review,
                           s.next_review)
      FROM vestige.knowledge_nodes AS n
      LEFT JOIN vestige.scheduling AS s ON s.memory_id = n.id
$$;

CREATE FUNCTION vestige_test.snapshot() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
BEGIN ATOMIC
    DELETE FROM vestige_test.snap;
    INSERT INTO vestige_test.snap SELECT * FROM vestige_test.state();
END;

CREATE FUNCTION vestige_test.changed() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$
    SELECT count(*)
      FROM vestige_test.state() AS now_
      FULL JOIN vestige_test.snap AS was ON was.id = now_.id
     WHERE now_.state IS DISTINCT FROM was.state
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA vestige_test TO vestige_app;

COMMIT;
