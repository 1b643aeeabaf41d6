CREATE TABLE "definition_versions" (
	"definition_id" bigint NOT NULL,
	"version" integer NOT NULL,
	"spec" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "definition_versions_definition_id_version_pk" PRIMARY KEY("definition_id","version")
);
--> statement-breakpoint
CREATE TABLE "definitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "definitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1),
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"latest_version" integer NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "node_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"position" integer NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"status" smallint NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"output" jsonb,
	"result" text DEFAULT '' NOT NULL,
	"error" text,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workflow_runs_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"definition_id" bigint NOT NULL,
	"definition_version" integer NOT NULL,
	"workflow_name" text NOT NULL,
	"org_id" text NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"biz_id" text NOT NULL,
	"biz_type" text DEFAULT '' NOT NULL,
	"trigger_type" smallint DEFAULT 0 NOT NULL,
	"status" smallint NOT NULL,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"input" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"idempotency_key" text,
	"trigger_time" timestamp with time zone NOT NULL,
	"start_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "definition_versions" ADD CONSTRAINT "definition_versions_definition_id_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_runs" ADD CONSTRAINT "node_runs_run_id_workflow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_definition_id_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "definitions_org_name_live" ON "definitions" USING btree ("org_id","name") WHERE "definitions"."deleted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "node_runs_run_name" ON "node_runs" USING btree ("run_id","name");--> statement-breakpoint
CREATE INDEX "node_runs_live_lease" ON "node_runs" USING btree ("lease_expires_at") WHERE "node_runs"."status" IN (2, 6);--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_runs_seq" ON "workflow_runs" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "workflow_runs_org_seq" ON "workflow_runs" USING btree ("org_id","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "workflow_runs_org_workflow_seq" ON "workflow_runs" USING btree ("org_id","workflow_name","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "workflow_runs_org_status_seq" ON "workflow_runs" USING btree ("org_id","status","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "workflow_runs_org_biz" ON "workflow_runs" USING btree ("org_id","biz_id");--> statement-breakpoint
CREATE INDEX "workflow_runs_org_trigger_time" ON "workflow_runs" USING btree ("org_id","trigger_time" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_runs_org_idempotency" ON "workflow_runs" USING btree ("org_id","idempotency_key") WHERE "workflow_runs"."idempotency_key" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "workflow_runs_live" ON "workflow_runs" USING btree ("updated_at") WHERE "workflow_runs"."status" NOT IN (-1, 1, 4, 7, 8, 10);