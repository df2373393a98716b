import type { BenchResults, Target } from './results.js';

function bound(t: Target): string {
  return t.op === 'within' ? `${(t.value as number[])[0]}–${(t.value as number[])[1]}` : `${t.op} ${t.value as number}`;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
}

/** The human-readable table printed after a run. */
export function formatReport(r: BenchResults): string {
  const m = r.machine;
  const lines = [
    `feishu-ops bench (${r.mode}) · ${r.startedAt}`,
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.totalMemoryMb} MB, ${m.platform}, Node ${m.node}`,
    `database: ${m.database}`,
    `processes: ${m.processes === 'tsx' ? 'source under tsx (BENCH_TSX=1)' : 'compiled JavaScript, as in production'}`,
    '',
  ];
  const rows: string[][] = [['scenario', 'target', 'actual', 'bound', 'met']];
  for (const s of r.scenarios) {
    for (const t of s.targets)
      rows.push([s.name, t.metric, t.actual === null ? '—' : String(t.actual), bound(t), t.met ? 'yes' : 'NO']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  lines.push(
    pad(rows[0]!, widths),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map((row) => pad(row, widths)),
    '',
  );
  for (const s of r.scenarios) {
    const metrics = Object.entries(s.metrics)
      .map(([k, v]) => `${k}=${v ?? '—'}`)
      .join(' ');
    lines.push(`${s.name}: ${s.description}`, `  ${metrics}`, ...s.notes.map((n) => `  note: ${n}`));
  }
  for (const s of r.skipped) lines.push(`skipped ${s.name}: ${s.reason}`);
  return lines.join('\n');
}
