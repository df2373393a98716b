CREATE TABLE "core_sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"open_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "core_sessions_expires_idx" ON "core_sessions" USING btree ("expires_at");