ALTER TABLE "qa_reviews" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "qa_reviews" ADD COLUMN "team_key" text;--> statement-breakpoint
-- Every writer of qa_reviews (sampling, a review opened by hand, calibration, imports, a hand-written INSERT) gets its
-- conversation's channel and team from here; a conversation's own are never updated (ingest inserts or skips).
CREATE FUNCTION qa_reviews_conversation_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT c.channel, c.team_key INTO NEW.channel, NEW.team_key FROM qa_conversations c WHERE c.id = NEW.conversation_id;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER qa_reviews_conversation_keys BEFORE INSERT ON qa_reviews
  FOR EACH ROW EXECUTE FUNCTION qa_reviews_conversation_keys();--> statement-breakpoint
UPDATE qa_reviews r SET channel = c.channel, team_key = c.team_key FROM qa_conversations c
 WHERE c.id = r.conversation_id;--> statement-breakpoint
-- The queue (src/domains/qa/dashboard-queue.ts) reads every waiting review's inspector, age, channel, team and round
-- from this index alone; 0045's lookup of each conversation is no longer needed.
DROP INDEX IF EXISTS "qa_reviews_waiting_idx";--> statement-breakpoint
CREATE INDEX "qa_reviews_waiting_idx" ON "qa_reviews" USING btree ("inspector_open_id","created_at") INCLUDE ("channel","team_key","calibration_round_id") WHERE state = 'to_score';--> statement-breakpoint
DROP INDEX IF EXISTS "qa_conversations_lookup_idx";
