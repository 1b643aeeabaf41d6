CREATE TABLE "concurrency_slots" (
	"org_id" text NOT NULL,
	"workflow_name" text NOT NULL,
	"key" text NOT NULL,
	"limit" integer NOT NULL,
	"held" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "concurrency_slots_pkey" PRIMARY KEY("org_id","workflow_name","key")
);
--> statement-breakpoint
CREATE TABLE "run_admissions" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"workflow_name" text NOT NULL,
	"key" text NOT NULL,
	"seq" bigint NOT NULL,
	"admitted_at" timestamp with time zone,
	"roots" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD COLUMN "priority" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "run_admissions_waiting" ON "run_admissions" USING btree ("org_id","workflow_name","key","seq") WHERE "run_admissions"."admitted_at" IS NULL;