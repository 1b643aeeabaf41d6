-- Kept run counts (run_counts + run_count_deltas, see schema.ts): every statement on
-- workflow_runs appends what it changed, per group, to run_count_deltas. Statement-level
-- with transition tables, so a bulk INSERT … SELECT or a retention batch of 500 deletes
-- adds a few grouped rows, not one per run; a single-run write adds one or two rows, and
-- an UPDATE that moves no run between groups (lease, instance stamp, updated_at) adds none.
-- An UPDATE nets before against after by group instead of joining them by id: linear in
-- the rows touched whatever plan plpgsql cached for the function.
CREATE FUNCTION count_run_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO run_count_deltas (org_id, definition_id, workflow_name, biz_type, status, cancel_requested, runs)
    SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, count(*)
      FROM new_runs WHERE deleted_at IS NULL
     GROUP BY org_id, definition_id, workflow_name, biz_type, status, cancel_requested;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO run_count_deltas (org_id, definition_id, workflow_name, biz_type, status, cancel_requested, runs)
    SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, -count(*)
      FROM old_runs WHERE deleted_at IS NULL
     GROUP BY org_id, definition_id, workflow_name, biz_type, status, cancel_requested;
  ELSE
    INSERT INTO run_count_deltas (org_id, definition_id, workflow_name, biz_type, status, cancel_requested, runs)
    SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, sum(runs)
      FROM (SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, -1 AS runs
              FROM old_runs WHERE deleted_at IS NULL
            UNION ALL
            SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, 1
              FROM new_runs WHERE deleted_at IS NULL) AS moved
     GROUP BY org_id, definition_id, workflow_name, biz_type, status, cancel_requested
    HAVING sum(runs) <> 0;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Transition tables allow one event per trigger: three triggers, one function.
CREATE TRIGGER workflow_runs_count_insert AFTER INSERT ON workflow_runs
  REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION count_run_changes();
--> statement-breakpoint
CREATE TRIGGER workflow_runs_count_update AFTER UPDATE ON workflow_runs
  REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION count_run_changes();
--> statement-breakpoint
CREATE TRIGGER workflow_runs_count_delete AFTER DELETE ON workflow_runs
  REFERENCING OLD TABLE AS old_runs FOR EACH STATEMENT EXECUTE FUNCTION count_run_changes();
--> statement-breakpoint
-- TRUNCATE passes no transition table: it empties the counts with the runs.
CREATE FUNCTION clear_run_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM run_count_deltas;
  DELETE FROM run_counts;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER workflow_runs_count_truncate AFTER TRUNCATE ON workflow_runs
  FOR EACH STATEMENT EXECUTE FUNCTION clear_run_counts();
--> statement-breakpoint
-- The runs already there. After the triggers, in the same transaction: creating them locked
-- workflow_runs against writers until commit, so no write falls between this count and them.
INSERT INTO run_counts (org_id, definition_id, workflow_name, biz_type, status, cancel_requested, runs)
SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, count(*)
  FROM workflow_runs WHERE deleted_at IS NULL
 GROUP BY org_id, definition_id, workflow_name, biz_type, status, cancel_requested;
