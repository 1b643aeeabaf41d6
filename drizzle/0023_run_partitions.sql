-- History partitioned by time (see workflow_runs in schema.ts). Run ids become UUIDv7, so a
-- range of ids is a range of start times: workflow_runs (on id), node_runs and node_attempts
-- (on run_id) are RANGE partitioned by the same bounds, and every primary key already holds
-- the partition key. The existing tables are not copied: each is renamed and attached, as it
-- is, as its new parent's DEFAULT partition (`*_legacy`), where the UUIDv4 runs stay.
--
-- Idempotency keys move to a table of their own: a unique index on a partitioned table must
-- contain the partition key, and (org_id, idempotency_key) must be unique across all runs.
CREATE TABLE "run_idempotency_keys" (
	"org_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"run_id" uuid NOT NULL,
	CONSTRAINT "run_idempotency_keys_pkey" PRIMARY KEY("org_id","idempotency_key")
);
--> statement-breakpoint
INSERT INTO run_idempotency_keys (org_id, idempotency_key, run_id)
SELECT org_id, idempotency_key, id FROM workflow_runs WHERE idempotency_key IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "run_idempotency_keys_run" ON "run_idempotency_keys" USING btree ("run_id");
--> statement-breakpoint
CREATE TABLE "run_partitions" (
	"from_time" timestamp with time zone PRIMARY KEY NOT NULL,
	"to_time" timestamp with time zone NOT NULL
);
--> statement-breakpoint
-- No foreign key may point at workflow_runs: a partition with rows referenced cannot be
-- dropped. Retention deletes signals and child links with their runs instead.
ALTER TABLE "child_runs" DROP CONSTRAINT "child_runs_parent_run_id_workflow_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "child_runs" DROP CONSTRAINT "child_runs_child_run_id_workflow_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "run_signals" DROP CONSTRAINT "run_signals_run_id_workflow_runs_id_fk";
--> statement-breakpoint
CREATE INDEX "run_signals_run" ON "run_signals" USING btree ("run_id");
--> statement-breakpoint
-- seq: Postgres before 17 allows no identity column on a partitioned table. Its identity
-- sequence is dropped with the identity, so the new one (same name) continues where it was.
DO $$
DECLARE
  last bigint;
  called boolean;
BEGIN
  SELECT last_value, is_called INTO last, called FROM workflow_runs_seq_seq;
  ALTER TABLE workflow_runs ALTER COLUMN seq DROP IDENTITY;
  CREATE SEQUENCE workflow_runs_seq_seq;
  PERFORM setval('workflow_runs_seq_seq', last, called);
  ALTER TABLE workflow_runs ALTER COLUMN seq SET DEFAULT nextval('workflow_runs_seq_seq');
END
$$;
--> statement-breakpoint
-- The old tables become the legacy partitions: their triggers move to the parent (a partition
-- may have no transition-table trigger), their unique indexes go (a partitioned index cannot
-- be unique without the partition key), the rest are renamed out of the parents' way and
-- adopted by the parents' indexes when attached.
DROP TRIGGER workflow_runs_count_insert ON workflow_runs;
--> statement-breakpoint
DROP TRIGGER workflow_runs_count_update ON workflow_runs;
--> statement-breakpoint
DROP TRIGGER workflow_runs_count_delete ON workflow_runs;
--> statement-breakpoint
DROP TRIGGER workflow_runs_count_truncate ON workflow_runs;
--> statement-breakpoint
DROP TRIGGER workflow_runs_notify ON workflow_runs;
--> statement-breakpoint
DROP TRIGGER workflow_runs_release_admission ON workflow_runs;
--> statement-breakpoint
DROP INDEX "workflow_runs_org_idempotency";
--> statement-breakpoint
DROP INDEX "workflow_runs_seq";
--> statement-breakpoint
DROP INDEX "workflow_runs_definition_instance_stamp";
--> statement-breakpoint
DO $$
DECLARE
  old text;
  legacy text;
  idx record;
BEGIN
  FOREACH old IN ARRAY ARRAY['workflow_runs', 'node_runs', 'node_attempts'] LOOP
    legacy := old || '_legacy';
    EXECUTE format('ALTER TABLE %I RENAME TO %I', old, legacy);
    FOR idx IN SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = legacy::regclass LOOP
      EXECUTE format('ALTER INDEX %I RENAME TO %I', idx.name, legacy || substr(idx.name, length(old) + 1));
    END LOOP;
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE TABLE workflow_runs (LIKE workflow_runs_legacy INCLUDING DEFAULTS) PARTITION BY RANGE (id);
--> statement-breakpoint
CREATE TABLE node_runs (LIKE node_runs_legacy INCLUDING DEFAULTS) PARTITION BY RANGE (run_id);
--> statement-breakpoint
CREATE TABLE node_attempts (LIKE node_attempts_legacy INCLUDING DEFAULTS) PARTITION BY RANGE (run_id);
--> statement-breakpoint
ALTER SEQUENCE workflow_runs_seq_seq OWNED BY workflow_runs.seq;
--> statement-breakpoint
ALTER TABLE workflow_runs ADD CONSTRAINT workflow_runs_pkey PRIMARY KEY (id);
--> statement-breakpoint
ALTER TABLE workflow_runs ADD CONSTRAINT "workflow_runs_definition_id_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."definitions"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "workflow_runs_seq" ON "workflow_runs" USING btree ("seq");
--> statement-breakpoint
CREATE INDEX "workflow_runs_org_seq" ON "workflow_runs" USING btree ("org_id","seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "workflow_runs_org_workflow_seq" ON "workflow_runs" USING btree ("org_id","workflow_name","seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "workflow_runs_org_status_seq" ON "workflow_runs" USING btree ("org_id","status","seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "workflow_runs_org_biz" ON "workflow_runs" USING btree ("org_id","biz_id");
--> statement-breakpoint
CREATE INDEX "workflow_runs_org_type_trigger_time" ON "workflow_runs" USING btree ("org_id","trigger_type","trigger_time" DESC NULLS LAST,"seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "workflow_runs_org_type_end_time" ON "workflow_runs" USING btree ("org_id","trigger_type","end_time" DESC NULLS LAST,"seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "workflow_runs_definition_instance_stamp" ON "workflow_runs" USING btree ("definition_id","instance_stamp");
--> statement-breakpoint
CREATE INDEX "workflow_runs_live" ON "workflow_runs" USING btree ("updated_at") WHERE "workflow_runs"."status" NOT IN (-1, 1, 4, 7, 8, 10);
--> statement-breakpoint
CREATE INDEX "workflow_runs_ended" ON "workflow_runs" USING btree ("end_time") WHERE "workflow_runs"."status" IN (-1, 1, 4, 7, 8, 10);
--> statement-breakpoint
ALTER TABLE node_runs ADD CONSTRAINT node_runs_pkey PRIMARY KEY (run_id, name);
--> statement-breakpoint
CREATE INDEX "node_runs_live_lease" ON "node_runs" USING btree ("lease_expires_at") WHERE "node_runs"."status" IN (2, 6);
--> statement-breakpoint
CREATE INDEX "node_runs_unsatisfied" ON "node_runs" USING btree ("run_id","position") WHERE "node_runs"."status" NOT IN (1, 10);
--> statement-breakpoint
ALTER TABLE node_attempts ADD CONSTRAINT node_attempts_pkey PRIMARY KEY (run_id, node, attempt);
--> statement-breakpoint
ALTER TABLE workflow_runs ATTACH PARTITION workflow_runs_legacy DEFAULT;
--> statement-breakpoint
ALTER TABLE node_runs ATTACH PARTITION node_runs_legacy DEFAULT;
--> statement-breakpoint
ALTER TABLE node_attempts ATTACH PARTITION node_attempts_legacy DEFAULT;
--> statement-breakpoint
CREATE TRIGGER workflow_runs_count_insert AFTER INSERT ON workflow_runs
  REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION count_run_changes();
--> statement-breakpoint
CREATE TRIGGER workflow_runs_count_update AFTER UPDATE ON workflow_runs
  REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION count_run_changes();
--> statement-breakpoint
CREATE TRIGGER workflow_runs_count_delete AFTER DELETE ON workflow_runs
  REFERENCING OLD TABLE AS old_runs FOR EACH STATEMENT EXECUTE FUNCTION count_run_changes();
--> statement-breakpoint
CREATE TRIGGER workflow_runs_count_truncate AFTER TRUNCATE ON workflow_runs
  FOR EACH STATEMENT EXECUTE FUNCTION clear_run_counts();
--> statement-breakpoint
CREATE TRIGGER workflow_runs_notify AFTER UPDATE ON workflow_runs
  REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION enqueue_run_notifications();
--> statement-breakpoint
CREATE TRIGGER workflow_runs_release_admission AFTER UPDATE ON workflow_runs
  REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION release_run_admissions();
--> statement-breakpoint
-- The lowest UUIDv7 of an instant: its first 48 bits are the Unix time in milliseconds, the
-- rest zero. A partition [from, to) holds the ids in [flowline_run_id_floor(from), flowline_run_id_floor(to)).
CREATE FUNCTION flowline_run_id_floor(at timestamptz) RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') || '00000000000000000000')::uuid
$$;
--> statement-breakpoint
-- Creates the partitions of every period from the one holding `since` to the one holding
-- `upto` that has none yet, each `period` long (aligned on Mondays 00:00 UTC; cut short where
-- it meets an existing one, so a change of period leaves no gap). The three tables get one
-- partition each per period, named by its first day. Rows the default partition holds in a
-- new period's range — UUIDv4 ids that happen to fall in it (about 1 in 100,000 legacy runs
-- per week of range), or UUIDv7 runs started before their period had a partition — move into
-- it first: Postgres refuses to create a partition whose rows sit in the default one (and
-- reads the default one through to check; it holds only the runs from before partitioning).
-- One caller at a time (advisory lock); returns the end of the last period with partitions.
CREATE FUNCTION flowline_ensure_run_partitions(since timestamptz, upto timestamptz, period interval) RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
  start timestamptz := date_bin(period, since, timestamptz '2000-01-03 00:00:00+00');
  covered timestamptz;
  finish timestamptz;
  lo uuid;
  hi uuid;
  suffix text;
  parent text;
  key text;
  part text;
  columns text;
BEGIN
  PERFORM pg_advisory_xact_lock(22352, 0);
  WHILE start <= upto LOOP
    SELECT to_time INTO covered FROM run_partitions WHERE from_time <= start AND to_time > start;
    IF covered IS NOT NULL THEN
      start := covered;
      CONTINUE;
    END IF;
    SELECT least(start + period, min(from_time)) INTO finish FROM run_partitions WHERE from_time > start;
    lo := flowline_run_id_floor(start);
    hi := flowline_run_id_floor(finish);
    suffix := to_char(start AT TIME ZONE 'UTC', 'YYYYMMDD');
    FOREACH parent IN ARRAY ARRAY['workflow_runs', 'node_runs', 'node_attempts'] LOOP
      key := CASE parent WHEN 'workflow_runs' THEN 'id' ELSE 'run_id' END;
      part := parent || '_p' || suffix;
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, parent);
      SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
        FROM pg_attribute WHERE attrelid = parent::regclass AND attnum > 0 AND NOT attisdropped;
      EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING %s) INSERT INTO %I (%s) SELECT %s FROM moved',
                     parent || '_legacy', key, key, columns, part, columns, columns) USING lo, hi;
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
    END LOOP;
    INSERT INTO run_partitions (from_time, to_time) VALUES (start, finish);
    start := finish;
  END LOOP;
  RETURN (SELECT max(to_time) FROM run_partitions);
END
$$;
--> statement-breakpoint
-- Drops the period starting at `from_time` (its three partitions) if every run in it is past
-- retention: ended (a terminal status) before the cutoff of its workflow (`cutoffs`, by
-- `workflows`) or, for any other workflow, before `default_cutoff` (NULL: kept). Returns how
-- many runs it dropped, or -1 when some run must be kept (nothing is changed).
--
-- Locks, in an order no reader or writer can deadlock with: first SHARE on the period's
-- partitions — readers go on, only writers of these old runs wait — while it checks the runs,
-- takes them out of the kept counts (the DELETE trigger a drop does not fire would have) and
-- deletes what belongs to them elsewhere (idempotency keys, signals, child links,
-- notifications, SLA misses; none has a foreign key). Then ACCESS EXCLUSIVE on the parents,
-- which dropping a partition needs, held only for the drops; waited for at most 2 s.
CREATE FUNCTION flowline_drop_run_partition(period_start timestamptz, workflows text[], cutoffs timestamptz[], default_cutoff timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  period_end timestamptz;
  lo uuid;
  hi uuid;
  suffix text;
  dropped bigint;
BEGIN
  SELECT to_time INTO period_end FROM run_partitions WHERE from_time = period_start FOR UPDATE;
  IF period_end IS NULL THEN
    RETURN 0;
  END IF;
  lo := flowline_run_id_floor(period_start);
  hi := flowline_run_id_floor(period_end);
  suffix := to_char(period_start AT TIME ZONE 'UTC', 'YYYYMMDD');
  SET LOCAL lock_timeout = '2s';
  EXECUTE format('LOCK TABLE %I, %I, %I IN SHARE MODE', 'workflow_runs_p' || suffix, 'node_runs_p' || suffix, 'node_attempts_p' || suffix);
  EXECUTE format(
    'SELECT CASE WHEN bool_and(coalesce(r.status IN (-1, 1, 4, 7, 8, 10) AND r.end_time < coalesce(c.cutoff, $1), false)) IS FALSE THEN -1 ELSE count(*) END
       FROM %I r LEFT JOIN unnest($2::text[], $3::timestamptz[]) AS c(workflow, cutoff) ON c.workflow = r.workflow_name',
    'workflow_runs_p' || suffix) INTO dropped USING default_cutoff, workflows, cutoffs;
  IF dropped < 0 THEN
    RETURN -1;
  END IF;
  EXECUTE format(
    'INSERT INTO run_count_deltas (org_id, definition_id, workflow_name, biz_type, status, cancel_requested, runs)
     SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, -count(*)
       FROM %I WHERE deleted_at IS NULL
      GROUP BY org_id, definition_id, workflow_name, biz_type, status, cancel_requested',
    'workflow_runs_p' || suffix);
  DELETE FROM run_idempotency_keys WHERE run_id >= lo AND run_id < hi;
  DELETE FROM run_signals WHERE run_id >= lo AND run_id < hi;
  DELETE FROM child_runs WHERE (parent_run_id >= lo AND parent_run_id < hi) OR (child_run_id >= lo AND child_run_id < hi);
  DELETE FROM notification_attempts WHERE delivery_id IN
    (SELECT id FROM notification_deliveries WHERE run_id >= lo AND run_id < hi);
  DELETE FROM notification_deliveries WHERE run_id >= lo AND run_id < hi;
  DELETE FROM sla_misses WHERE run_id >= lo AND run_id < hi;
  DELETE FROM run_admissions WHERE run_id >= lo AND run_id < hi;
  LOCK TABLE workflow_runs, node_runs, node_attempts IN ACCESS EXCLUSIVE MODE;
  EXECUTE format('DROP TABLE %I, %I, %I', 'workflow_runs_p' || suffix, 'node_runs_p' || suffix, 'node_attempts_p' || suffix);
  DELETE FROM run_partitions WHERE from_time = period_start;
  RETURN dropped;
END
$$;
--> statement-breakpoint
-- The current period and the next: runs started from now on land in a partition of their own.
SELECT flowline_ensure_run_partitions(now(), now() + interval '7 days', interval '28 days');
