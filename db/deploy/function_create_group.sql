-- Deploy vestige:function_create_group
-- Create a group; the caller becomes its first admin.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so groups and memberships change only through these checks.
CREATE FUNCTION vestige.create_group(p_name text)
RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user uuid := vestige.current_user_id();
    v_id   uuid;
BEGIN
    IF p_name IS NULL OR p_name !~ '^\S(.{0,126}\S)?$' THEN
        RAISE EXCEPTION 'invalid group name %', coalesce(quote_literal(p_name), 'NULL')
            USING ERRCODE = 'VS006',
                  HINT = 'Use 1 to 128 characters that neither start nor end with a space.';
    END IF;

    INSERT INTO vestige.groups (name, created_by)
    VALUES (p_name, v_user)
    ON CONFLICT (name) DO NOTHING
    RETURNING id INTO v_id;

    IF v_id IS NULL THEN
        RAISE EXCEPTION 'a group named % already exists', quote_literal(p_name)
            USING ERRCODE = 'VS013', HINT = 'Choose another name, or ask an admin of that group to add you.';
    END IF;

    INSERT INTO vestige.group_memberships (group_id, user_id, role) VALUES (v_id, v_user, 'admin');
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION vestige.create_group(text) IS
'Create a group and return its id; the caller becomes its admin. Errors: VS001 no caller identity, VS006 bad name (1-128 characters, no leading or trailing space), VS013 name already taken.';

GRANT EXECUTE ON FUNCTION vestige.create_group(text) TO vestige_app;

COMMIT;
