CREATE TABLE "run_count_deltas" (
	"org_id" text NOT NULL,
	"definition_id" bigint NOT NULL,
	"workflow_name" text NOT NULL,
	"biz_type" text NOT NULL,
	"status" smallint NOT NULL,
	"cancel_requested" boolean NOT NULL,
	"runs" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_counts" (
	"org_id" text NOT NULL,
	"definition_id" bigint NOT NULL,
	"workflow_name" text NOT NULL,
	"biz_type" text NOT NULL,
	"status" smallint NOT NULL,
	"cancel_requested" boolean NOT NULL,
	"runs" bigint NOT NULL,
	CONSTRAINT "run_counts_pkey" PRIMARY KEY("org_id","definition_id","workflow_name","biz_type","status","cancel_requested")
);
--> statement-breakpoint
DROP INDEX "workflow_runs_org_trigger_time";--> statement-breakpoint
CREATE INDEX "workflow_runs_org_type_trigger_time" ON "workflow_runs" USING btree ("org_id","trigger_type","trigger_time" DESC NULLS LAST,"seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "workflow_runs_org_type_end_time" ON "workflow_runs" USING btree ("org_id","trigger_type","end_time" DESC NULLS LAST,"seq" DESC NULLS LAST) WHERE "workflow_runs"."deleted_at" IS NULL;