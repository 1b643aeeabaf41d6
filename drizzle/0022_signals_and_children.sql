CREATE TABLE "child_runs" (
	"parent_run_id" uuid NOT NULL,
	"parent_node" text NOT NULL,
	"parent_attempt" integer NOT NULL,
	"child_run_id" uuid NOT NULL,
	CONSTRAINT "child_runs_pkey" PRIMARY KEY("parent_run_id","parent_node","parent_attempt")
);
--> statement-breakpoint
CREATE TABLE "run_signals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "run_signals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"name" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sent_by" text DEFAULT '' NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"consumed_by" text,
	"consumed_attempt" integer,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "child_runs" ADD CONSTRAINT "child_runs_parent_run_id_workflow_runs_id_fk" FOREIGN KEY ("parent_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "child_runs" ADD CONSTRAINT "child_runs_child_run_id_workflow_runs_id_fk" FOREIGN KEY ("child_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_signals" ADD CONSTRAINT "run_signals_run_id_workflow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "child_runs_child" ON "child_runs" USING btree ("child_run_id");--> statement-breakpoint
CREATE INDEX "run_signals_pending" ON "run_signals" USING btree ("run_id","name","id") WHERE "run_signals"."consumed_by" IS NULL;