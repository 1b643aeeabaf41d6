CREATE TABLE "handler_types" (
	"name" text PRIMARY KEY NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"input_schema" jsonb,
	"registered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "worker_handler_types" (
	"worker_id" text NOT NULL,
	"handler_type" text NOT NULL,
	CONSTRAINT "worker_handler_types_pkey" PRIMARY KEY("worker_id","handler_type")
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"lease_ms" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"heartbeat_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "worker_handler_types" ADD CONSTRAINT "worker_handler_types_worker_id_workers_id_fk" FOREIGN KEY ("worker_id") REFERENCES "public"."workers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "worker_handler_types" ADD CONSTRAINT "worker_handler_types_handler_type_handler_types_name_fk" FOREIGN KEY ("handler_type") REFERENCES "public"."handler_types"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "worker_handler_types_handler" ON "worker_handler_types" USING btree ("handler_type");--> statement-breakpoint
CREATE INDEX "workers_heartbeat_at" ON "workers" USING btree ("heartbeat_at");