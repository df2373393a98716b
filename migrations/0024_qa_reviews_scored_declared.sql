-- 0020 made this index as a custom migration; declaring it in qa/schema.ts lets drizzle-kit know it (no-op where 0020 ran).
CREATE INDEX IF NOT EXISTS "qa_reviews_scored_idx" ON "qa_reviews" USING btree ("scored_at") WHERE score is not null;
