CREATE TABLE "node_attempts" (
	"run_id" uuid NOT NULL,
	"node" text NOT NULL,
	"attempt" integer NOT NULL,
	"status" smallint NOT NULL,
	"lost" boolean DEFAULT false NOT NULL,
	"error" text,
	"result" text DEFAULT '' NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"worker" text,
	CONSTRAINT "node_attempts_pkey" PRIMARY KEY("run_id","node","attempt")
);
--> statement-breakpoint
ALTER TABLE "node_runs" ADD COLUMN "lost_attempts" smallint DEFAULT 0 NOT NULL;