-- A run under a concurrency limit gives its slot back in the statement that ends it: every
-- UPDATE of workflow_runs (applyCommands, the reconciler, anything to come) that leaves a run
-- in a terminal status deletes its admission row and, if it had been admitted, takes one off
-- its key's held count. Same statement, same transaction: a slot is never kept by a run that
-- ended, nor freed by a decision that rolled back. A run cancelled while it waited frees
-- nothing. Statement-level with a transition table, as the notification trigger: a decision
-- that ends nothing costs one scan of its few new rows, and a run with no admission row one
-- primary-key probe.
CREATE FUNCTION release_run_admissions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH ended AS (
    DELETE FROM run_admissions a USING new_runs r
     WHERE a.run_id = r.id AND r.status IN (-1, 1, 4, 7, 8, 10)
    RETURNING a.org_id, a.workflow_name, a.key, a.admitted_at
  ), freed AS (
    SELECT org_id, workflow_name, key, count(*)::int AS n FROM ended WHERE admitted_at IS NOT NULL GROUP BY 1, 2, 3
  )
  UPDATE concurrency_slots s SET held = s.held - f.n
    FROM freed f
   WHERE s.org_id = f.org_id AND s.workflow_name = f.workflow_name AND s.key = f.key;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER workflow_runs_release_admission AFTER UPDATE ON workflow_runs
  REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION release_run_admissions();
