CREATE TABLE "directory_people" (
	"open_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"en_name" text,
	"email" text,
	"teams" text[] DEFAULT '{}'::text[] NOT NULL,
	"roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"channel" text,
	"manager_open_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_teams" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"chat_id" text,
	"lead_open_id" text,
	"manager_open_id" text,
	"rotation" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
