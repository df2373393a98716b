CREATE TABLE "qa_rollup_dirty" (
	"review_id" bigint PRIMARY KEY NOT NULL
);
