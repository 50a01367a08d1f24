"""The statements the deployer sends to Sqitch's registry (schema `sqitch`), as constants.

The rows are the ones Sqitch 1.3.1 writes; `deploy.py`'s docstring says where that is documented.
Nothing here is assembled at run time.
"""

from __future__ import annotations

from typing import LiteralString

# Sqitch's own lock number: holding it keeps a concurrent `sqitch deploy` (or vestige) out.
ADVISORY_LOCK: LiteralString = "SELECT pg_catalog.pg_advisory_lock(75474063)"
SET_LOCK_TIMEOUT: LiteralString = "SELECT pg_catalog.set_config('lock_timeout', %(timeout)s, false)"
RESET_LOCK_TIMEOUT: LiteralString = "RESET lock_timeout"

# Sqitch calls the registry initialized when this table exists.
REGISTRY_EXISTS: LiteralString = """
SELECT EXISTS (
    SELECT FROM pg_catalog.pg_tables WHERE schemaname = 'sqitch' AND tablename = 'changes'
)
"""
REGISTRY_VERSION: LiteralString = "SELECT max(version)::text FROM sqitch.releases"

INSERT_RELEASE: LiteralString = """
INSERT INTO sqitch.releases (version, installed_at, installer_name, installer_email)
VALUES (%(version)s, clock_timestamp(), %(name)s, %(email)s)
"""

PROJECT_URI: LiteralString = "SELECT uri FROM sqitch.projects WHERE project = %(project)s"
INSERT_PROJECT: LiteralString = """
INSERT INTO sqitch.projects (project, uri, creator_name, creator_email, created_at)
VALUES (%(project)s, %(uri)s, %(name)s, %(email)s, clock_timestamp())
"""

# The project's deployed changes, oldest first: the last one is the current position.
DEPLOYED_CHANGES: LiteralString = """
SELECT change_id, change FROM sqitch.changes WHERE project = %(project)s ORDER BY committed_at
"""
CHANGE_IS_DEPLOYED: LiteralString = (
    "SELECT EXISTS (SELECT FROM sqitch.changes WHERE change_id = %(change_id)s)"
)
# Another project's change named in a dependency: its earliest deployed instance.
EXTERNAL_CHANGE_ID: LiteralString = """
SELECT change_id FROM sqitch.changes
 WHERE project = %(project)s AND change = %(change)s
 ORDER BY committed_at
 LIMIT 1
"""
ALREADY_DEPLOYED: LiteralString = "SELECT change FROM sqitch.changes WHERE change_id = ANY (%(change_ids)s)"

LOCK_CHANGES: LiteralString = "LOCK TABLE sqitch.changes IN EXCLUSIVE MODE"

INSERT_CHANGE: LiteralString = """
INSERT INTO sqitch.changes (
    change_id, script_hash, change, project, note, committer_name, committer_email,
    planned_at, planner_name, planner_email, committed_at
) VALUES (
    %(change_id)s, %(script_hash)s, %(change)s, %(project)s, %(note)s, %(committer_name)s,
    %(committer_email)s, %(planned_at)s, %(planner_name)s, %(planner_email)s, clock_timestamp()
)
"""

INSERT_DEPENDENCY: LiteralString = """
INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id)
VALUES (%(change_id)s, %(type)s, %(dependency)s, %(dependency_id)s)
"""

# Also used for late tags: a tag already recorded (same tag_id) is left alone.
INSERT_TAG: LiteralString = """
INSERT INTO sqitch.tags (
    tag_id, tag, project, change_id, note, committer_name, committer_email,
    planned_at, planner_name, planner_email, committed_at
)
SELECT %(tag_id)s, %(tag)s, %(project)s, %(change_id)s, %(note)s, %(committer_name)s,
       %(committer_email)s, %(planned_at)s, %(planner_name)s, %(planner_email)s, clock_timestamp()
WHERE NOT EXISTS (SELECT FROM sqitch.tags WHERE tag_id = %(tag_id)s)
"""

# A deploy or fail event, with the change as planned.
INSERT_EVENT: LiteralString = """
INSERT INTO sqitch.events (
    event, change_id, change, project, note, tags, requires, conflicts,
    committer_name, committer_email, planned_at, planner_name, planner_email, committed_at
) VALUES (
    %(event)s, %(change_id)s, %(change)s, %(project)s, %(note)s, %(tags)s::text[], %(requires)s::text[],
    %(conflicts)s::text[], %(committer_name)s, %(committer_email)s, %(planned_at)s, %(planner_name)s,
    %(planner_email)s, clock_timestamp()
)
"""

# Forget a deployed change and log its revert event, with the change as the registry recorded it.
# The DELETE on changes takes its dependencies rows along (ON DELETE CASCADE).
REVERT_CHANGE: LiteralString = """
WITH deleted_tags AS (
    DELETE FROM sqitch.tags WHERE change_id = %(change_id)s RETURNING tag
), deleted AS (
    DELETE FROM sqitch.changes WHERE change_id = %(change_id)s
    RETURNING change_id, change, project, note, planned_at, planner_name, planner_email
)
INSERT INTO sqitch.events (
    event, change_id, change, project, note, tags, requires, conflicts,
    committer_name, committer_email, planned_at, planner_name, planner_email, committed_at
)
SELECT 'revert', d.change_id, d.change, d.project, d.note,
       ARRAY(SELECT tag FROM deleted_tags),
       ARRAY(SELECT dependency FROM sqitch.dependencies
              WHERE change_id = d.change_id AND type = 'require'),
       ARRAY(SELECT dependency FROM sqitch.dependencies
              WHERE change_id = d.change_id AND type = 'conflict'),
       %(committer_name)s, %(committer_email)s, d.planned_at, d.planner_name, d.planner_email,
       clock_timestamp()
  FROM deleted AS d
"""
