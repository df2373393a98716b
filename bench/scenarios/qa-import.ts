// Issue 10 "Numbers": `feishu-ops import qa-conversations FILE` of 1,000,000 messages at ≥ 20,000
// messages/s with peak RSS under 300 MB. The file is generated (CSV, one message per line, ~120
// agents, 10 messages per conversation, a few bad conversations), then the real CLI imports it in
// its own process with the heap cap `npm start` uses; its peak RSS is read from /proc (VmHWM).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/db/client.js';
import { DEFAULT_SCORECARD } from '../../src/domains/qa/logic/scorecard.js';
import { createDirectory } from '../../src/domains/directory/service.js';
import { entryOf } from '../compiled.js';
import type { BenchContext } from '../context.js';
import { target, type ScenarioResult } from '../results.js';

const AGENTS = 120;
const PER_CONVERSATION = 10;
/** One conversation in this many has a line with an impossible time: reported, the rest imported. */
const BAD_EVERY = 1000;
const CHANNELS = ['tmall', 'jd', 'douyin', 'pinduoduo', 'wecom', 'offline_store'];
const TEXTS = [
  '在吗',
  '您好，请问有什么可以帮您',
  '我的快递到哪了',
  '已为您催促，请耐心等待',
  '好的谢谢',
  '感谢您的耐心',
];

interface Generated {
  file: string;
  messages: number;
  conversations: number;
  bad: number;
  bytes: number;
  ms: number;
}

async function generate(file: string, messages: number): Promise<Generated> {
  const started = performance.now();
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('channel,external_id,shop,agent,csat,order_ids,time,role,text\n');
  const conversations = Math.ceil(messages / PER_CONVERSATION);
  const base = Date.parse('2026-11-01T00:00:00Z');
  let written = 0;
  let bad = 0;
  let chunk = '';
  for (let c = 0; c < conversations; c++) {
    const channel = CHANNELS[c % CHANNELS.length]!;
    const id = `QA-${String(c).padStart(8, '0')}`;
    const agent = `ou_bench_agent_${c % AGENTS}`;
    const t0 = base + c * 37_000;
    const isBad = c % BAD_EVERY === BAD_EVERY - 1;
    if (isBad) bad++;
    for (let m = 0; m < PER_CONVERSATION && written < messages; m++, written++) {
      const at = isBad && m === 3 ? 'yesterday' : new Date(t0 + m * 25_000).toISOString();
      const head = m === 0 ? `${channel},${id},店铺${c % 7},${agent},${(c % 5) + 1},O-${c}` : `${channel},${id},,,,`;
      chunk += `${head},${at},${m % 2 === 0 ? 'customer' : 'agent'},"${TEXTS[(c + m) % TEXTS.length]} #${m}"\n`;
    }
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
  return { file, messages: written, conversations, bad, bytes: statSync(file).size, ms: performance.now() - started };
}

interface CliRun {
  code: number | null;
  ms: number;
  peakRssMb: number | null;
  /** CPU time of the process (user + system), from /proc: a figure the machine's load does not inflate. */
  cpuMs: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI in its own process; peak RSS polled from /proc every 50 ms (VmHWM only rises). */
export async function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  // The CLI as the Docker image runs it (compiled); under tsx with BENCH_TSX=1 (bench/compiled.ts).
  const cli = entryOf('src/cli.ts');
  const flags = (process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=256').split(' ').filter(Boolean);
  const started = performance.now();
  const child = spawn(process.execPath, [...flags, ...cli.execArgv, cli.file, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let peak: number | null = null;
  let cpuMs: number | null = null;
  const poll = setInterval(() => {
    try {
      const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb) peak = Math.max(peak ?? 0, Math.round(Number(kb) / 1024));
      // Fields 14 and 15 (utime, stime) in clock ticks (100 per second), after the command's closing paren.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuMs = (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // gone already
    }
  }, 50);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(poll);
  return { code, ms: performance.now() - started, peakRssMb: peak, cpuMs, stdout, stderr };
}

export async function qaImportScenario(ctx: BenchContext): Promise<ScenarioResult[]> {
  const total = ctx.short ? 50_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'fo-bench-qa-'));
  const env = ctx.database.appEnv;
  try {
    // The agents the file names (open_id), in 人员与角色 as the import resolves them.
    const database = await openDatabase({ url: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR });
    try {
      await createDirectory({ db: database.db }).upsertPeople(
        Array.from({ length: AGENTS }, (_, i) => ({
          openId: `ou_bench_agent_${i}`,
          name: `客服${i}`,
          teams: [],
          roles: ['agent'],
        })),
      );
      // A published scorecard, as in production after the first plan: ingest then stores each conversation's
      // pre-check hits for the sampling plan (service/precheck-store.ts), part of what is timed.
      await database.query(
        `insert into qa_scorecard_versions (version, criteria, published_by, published_at)
         values (1, $1::jsonb, 'bench', now()) on conflict do nothing`,
        [JSON.stringify(DEFAULT_SCORECARD.criteria)],
      );
    } finally {
      await database.close();
    }
    ctx.print(`qa-import: generating ${total} messages…`);
    const g = await generate(join(dir, 'conversations.csv'), total);
    // Start-up alone (config, migrations check, settings): a header-only file.
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, 'channel,external_id,agent,time,role,text\n');
    const startup = await runCli(['import', 'qa-conversations', empty], env);
    ctx.print(`qa-import: importing ${g.messages} messages (${Math.round(g.bytes / 2 ** 20)} MB)…`);
    const load = loadavg()[0]!;
    const run = await runCli(['import', 'qa-conversations', g.file], env);
    const loadAfter = loadavg()[0]!;
    const summary = /(\d+) messages in (\d+) conversations: (\d+) new, (\d+) already there, (\d+) rejected/.exec(
      run.stdout,
    );
    const [messages, conversations, created, , rejected] = summary
      ? summary.slice(1).map(Number)
      : [null, null, null, null, null];
    const counted = await countStored(env);
    const importMs = Math.max(1, run.ms - startup.ms);
    const perSecond = messages === null ? null : Math.round((messages / importMs) * 1000);
    const perSecondWall = messages === null ? null : Math.round((messages / run.ms) * 1000);
    const importCpuMs = run.cpuMs === null || startup.cpuMs === null ? null : Math.max(1, run.cpuMs - startup.cpuMs);
    const expectedStored = g.messages - g.bad * PER_CONVERSATION;
    return [
      {
        name: 'qa.import',
        description:
          `feishu-ops import qa-conversations of a generated ${Math.round(g.bytes / 2 ** 20)} MB CSV (` +
          `${g.messages} messages, ${g.conversations} conversations of ` +
          `${PER_CONVERSATION}, ${AGENTS} agents, ${g.bad} bad conversations), ` +
          `its own process with the npm start heap cap; messages/s over the run ` +
          `minus the start-up of the same command on an empty file`,
        metrics: {
          messages,
          conversations,
          created,
          rejected,
          storedMessages: counted.messages,
          storedConversations: counted.conversations,
          storedPrechecks: counted.prechecks,
          messagesPerSecond: perSecond,
          messagesPerSecondWithStartup: perSecondWall,
          importMs: Math.round(importMs),
          startupMs: Math.round(startup.ms),
          importerCpuMs: importCpuMs,
          messagesPerImporterCpuSecond:
            messages === null || importCpuMs === null ? null : Math.round((messages / importCpuMs) * 1000),
          peakRssMb: run.peakRssMb,
          startupPeakRssMb: startup.peakRssMb,
          generateMs: Math.round(g.ms),
          loadAverage1mBefore: Math.round(load * 100) / 100,
          loadAverage1mAfter: Math.round(loadAfter * 100) / 100,
        },
        targets: [
          target('messages/s', '>=', 20_000, perSecond),
          target('peak RSS MB', '<', 300, run.peakRssMb),
          target('messages stored', 'within', [expectedStored, expectedStored], counted.messages),
          target('conversations rejected', 'within', [g.bad, g.bad], rejected),
        ],
        notes: [
          ...(run.code !== 0 && run.code !== 2 ? [`exit ${run.code}: ${run.stderr.slice(-500)}`] : []),
          ...(summary ? [] : [`no summary line in the output: ${run.stdout.slice(-300)}`]),
        ],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function countStored(
  env: Record<string, string>,
): Promise<{ messages: number; conversations: number; prechecks: number }> {
  const database = await openDatabase({ url: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR });
  try {
    const { rows } = await database.query<{ m: number; c: number; p: number }>(
      `select (select count(*)::int from qa_messages) as m, (select count(*)::int from qa_conversations) as c,
              (select count(*)::int from qa_conversation_prechecks) as p`,
    );
    return { messages: rows[0]?.m ?? 0, conversations: rows[0]?.c ?? 0, prechecks: rows[0]?.p ?? 0 };
  } finally {
    await database.close();
  }
}
