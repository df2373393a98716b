-- The QA tab's rollups (src/domains/qa/rollup-repository.ts) select scored reviews by scored_at range; with no index
-- on it every dashboard call read the whole qa_reviews table (at 1M reviews, 30 days: plan cost 61,848 -> 33,682, the
-- reviews side an index scan of the period's rows instead of a sequential scan; bench/RESULTS.md, docs/scaling.md).
-- Written as a custom migration because src/domains/qa/schema.ts belonged to another change in flight: if that file
-- later declares this index, name it qa_reviews_scored_idx and make the generated statement IF NOT EXISTS.
CREATE INDEX IF NOT EXISTS "qa_reviews_scored_idx" ON "qa_reviews" USING btree ("scored_at") WHERE score is not null;
