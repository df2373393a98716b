ALTER TABLE "directory_people" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "directory_teams" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "directory_teams" ADD COLUMN "source" text;