ALTER TABLE "community_communities" ADD COLUMN "team_key" text;--> statement-breakpoint
CREATE INDEX "community_communities_team_idx" ON "community_communities" USING btree ("team_key");