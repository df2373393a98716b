-- Calibration rounds' blind scores no longer count in the QA rollups (rollup-schema.ts COUNTED). The rows already
-- stored still include them: mark every scored calibration review stale, so the rollup follow-up job
-- (rollup-store.ts refreshDirtyRollup, run after the next scored review) recomputes their cells without them.
-- `feishu-ops qa-rollup rebuild` does the same at once. No rollups kept (no qa_rollup_state): nothing to mark.
insert into qa_rollup_dirty (review_id)
  select r.id from qa_reviews r
   where r.sample_reason = 'calibration' and r.score is not null and exists (select 1 from qa_rollup_state)
  on conflict do nothing;
