export type FileFormat = 'csv' | 'jsonl';

/** `csv` or `jsonl` from the option, else from the file name (`.jsonl`, `.ndjson`, `.json` → JSON lines). */
export function formatOf(file: string, option?: string): FileFormat {
  if (option === 'csv' || option === 'jsonl') return option;
  return /\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : 'csv';
}
