/** The shape of bench/results.json; other benches (bench/mirror.ts) return ScenarioResult too. */
export interface Target {
  /** What is compared, e.g. "p99 ms" or "ratio to baseline". */
  metric: string;
  op: '<' | '<=' | '>=' | '>' | 'within';
  /** A bound, or [low, high] for `within`. */
  value: number | [number, number];
  actual: number | null;
  met: boolean;
}

export interface ScenarioResult {
  name: string;
  /** One line saying what was measured and how. */
  description: string;
  metrics: Record<string, number | string | null>;
  targets: Target[];
  notes: string[];
}

export interface Machine {
  cores: number;
  cpuModel: string;
  totalMemoryMb: number;
  platform: string;
  node: string;
  database: string;
  /** How the measured processes ran: compiled JavaScript as in production, or the source under tsx (BENCH_TSX=1). */
  processes: 'compiled' | 'tsx';
}

export interface BenchResults {
  version: 1;
  mode: 'full' | 'short';
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  scenarios: ScenarioResult[];
  skipped: Array<{ name: string; reason: string }>;
}

export function target(
  metric: string,
  op: Target['op'],
  value: Target['value'],
  actual: number | null | undefined,
): Target {
  const a = actual ?? null;
  let met = false;
  if (a !== null && Number.isFinite(a)) {
    if (op === 'within') {
      const [low, high] = value as [number, number];
      met = a >= low && a <= high;
    } else {
      const v = value as number;
      met = op === '<' ? a < v : op === '<=' ? a <= v : op === '>=' ? a >= v : a > v;
    }
  }
  return { metric, op, value, actual: a, met };
}

export interface LatencySummary {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles of latencies in ms, rounded to 0.1 ms. */
export function summarise(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const round = (v: number | undefined) => (v === undefined ? null : Math.round(v * 10) / 10);
  const at = (p: number) =>
    n === 0 ? null : round(sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: n,
    mean: n ? round(sum / n) : null,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    max: n ? round(sorted[n - 1]) : null,
  };
}
