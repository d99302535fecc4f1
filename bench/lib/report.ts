import type { QueueBaseline } from './baselines.ts';
import type { HttpRows } from './http-rows.ts';
import type { ServiceRows } from './service-rows.ts';
import type { WorkerRun } from './worker-runs.ts';

/* The rows of `pnpm bench`, each with its baseline and the ratio, as JSON rows and a Markdown report. */

export interface Row {
  section: string;
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  ratio: number;
}

export interface ReportInput {
  cfg: {
    timers: number;
    pending: number;
    campaigns: number;
    httpMessages: number;
    concurrency: number;
    pollSeconds: number;
    quick: boolean;
    pgbenchSeconds: number;
    pgbenchScale: number;
    rawJobs: number;
    steadySeconds: number;
  };
  started: Date;
  pgbench: number;
  bull: QueueBaseline;
  boss: QueueBaseline;
  service: ServiceRows;
  runs: WorkerRun[];
  http: HttpRows;
  /** Wall time of each section of the run (its progress line), in seconds. */
  sections?: { name: string; seconds: number }[];
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

export function render(i: ReportInput): { rows: Row[]; md: string } {
  const rows: Row[] = [];
  const add = (
    section: string,
    name: string,
    value: number,
    unit: string,
    baseline: string,
    baselineValue: number,
  ) =>
    rows.push({
      section,
      name,
      value: r3(value),
      unit,
      baseline,
      baselineValue: r3(baselineValue),
      ratio: r3(value / baselineValue),
    });
  const PG = 'pgbench TPC-B-like TPS';
  add('baseline', 'pgbench TPC-B-like transaction', i.pgbench, '/s', PG, i.pgbench);
  add('baseline', 'raw BullMQ: delayed jobs added (addBulk)', i.bull.addedPerSecond, '/s', PG, i.pgbench);
  add('baseline', 'raw BullMQ: no-op jobs processed', i.bull.processedPerSecond, '/s', PG, i.pgbench);
  add('baseline', 'raw pg-boss: jobs sent', i.boss.addedPerSecond, '/s', PG, i.pgbench);
  add('baseline', 'raw pg-boss: no-op jobs processed', i.boss.processedPerSecond, '/s', PG, i.pgbench);
  const s = i.service;
  add('service', 'campaign created and activated', s.activations, '/s', PG, i.pgbench);
  add('service', 'send executed (recording transport)', s.sends, '/s', PG, i.pgbench);
  add('service', 'throttled send (sender, caps not reached)', s.throttled, '/s', 'unthrottled send', s.sends);
  add('service', 'event that moves a campaign', s.transitions, '/s', PG, i.pgbench);
  add('service', 'event that changes nothing', s.ignored, '/s', PG, i.pgbench);
  add('service', 'duplicate event', s.duplicates, '/s', PG, i.pgbench);
  const h = i.http;
  add('http', 'POST /v1/events (100/batch): moves a campaign', h.transitions, 'events/s', PG, i.pgbench);
  add('http', 'POST /v1/events (100/batch): changes nothing', h.ignored, 'events/s', PG, i.pgbench);
  add('http', 'POST /v1/events (100/batch): duplicate', h.duplicates, 'events/s', PG, i.pgbench);
  add('http', 'signed SendGrid webhook (100 opens/batch)', h.webhookOpens, 'events/s', PG, i.pgbench);
  add('memory', 'API RSS idle', h.apiRssMiB.idle, 'MiB', 'API RSS idle', h.apiRssMiB.idle);
  add(
    'memory',
    'API RSS under the HTTP event load',
    h.apiRssMiB.load,
    'MiB',
    'API RSS idle',
    h.apiRssMiB.idle,
  );
  for (const backend of ['bullmq', 'pgboss'] as const) {
    const raw = backend === 'bullmq' ? i.bull : i.boss;
    const mine = i.runs.filter((r) => r.backend === backend);
    const one = mine.find((r) => r.workers === 1 && r.pending === 0);
    const loaded = mine.find((r) => r.pending > 0);
    if (!one || !loaded) continue;
    const b = backend === 'bullmq' ? 'BullMQ' : 'pg-boss';
    add(
      `worker ${b}`,
      `${b}: activation (scheduler of the backend)`,
      one.activationsPerSecond,
      '/s',
      PG,
      i.pgbench,
    );
    add(
      `worker ${b}`,
      `${b}: send executed by 1 worker process (log transport)`,
      one.drainPerSecond,
      '/s',
      'send on the service',
      s.sends,
    );
    add(`worker ${b}`, `${b}: the same against pgbench`, one.drainPerSecond, '/s', PG, i.pgbench);
    add(
      `worker ${b}`,
      `${b}: the same against the raw queue`,
      one.drainPerSecond,
      '/s',
      `raw ${b} processed`,
      raw.processedPerSecond,
    );
    for (const r of mine.filter((x) => x.pending === 0 && x.workers > 1))
      add(
        `scale ${b}`,
        `${b}: sends with ${r.workers} worker processes`,
        r.drainPerSecond,
        '/s',
        '1 worker process',
        one.drainPerSecond,
      );
    // The issue-15 goal for lateness at half the drain rate: p99 <= 100 ms (BullMQ), <= poll + 100 ms (pg-boss).
    const goalMs = backend === 'bullmq' ? 100 : i.cfg.pollSeconds * 1000 + 100;
    const goal = `goal p99 <= ${backend === 'bullmq' ? '' : 'poll + '}100 ms`;
    for (const [label, run] of [
      ['', one],
      [` with ${loaded.pending} pending`, loaded],
    ] as const) {
      add(
        `timers ${b}`,
        `${b}: ${run.sends} due at once${label}: drain rate`,
        run.drainPerSecond,
        '/s',
        'no pending timers',
        one.drainPerSecond,
      );
      for (const q of ['p50', 'p99', 'max'] as const)
        add(
          `timers ${b}`,
          `${b}: ${run.sends} due at once${label}: lateness ${q}`,
          run.latenessMs[q],
          'ms',
          'no pending timers',
          one.latenessMs[q],
        );
    }
    for (const [label, run] of [
      ['', one],
      [` with ${loaded.pending} pending`, loaded],
    ] as const) {
      const st = run.steady;
      const base = one.steady;
      if (!st || !base) continue;
      const what = `${b}: ${st.sends} due at half the drain rate${label}`;
      add(
        `timers ${b}`,
        `${what}: falling due`,
        st.duePerSecond,
        '/s',
        'burst drain rate',
        run.drainPerSecond,
      );
      for (const q of ['p50', 'p99', 'max'] as const)
        add(
          `timers ${b}`,
          `${what}: lateness ${q} (claimed - due)`,
          st.latenessMs[q],
          'ms',
          'no pending timers',
          base.latenessMs[q],
        );
      add(`timers ${b}`, `${what}: lateness p99 against the goal`, st.latenessMs.p99, 'ms', goal, goalMs);
    }
    add(
      'memory',
      `${b}: worker RSS idle`,
      one.workerRssMiB.idle,
      'MiB',
      'worker RSS idle',
      one.workerRssMiB.idle,
    );
    add(
      'memory',
      `${b}: worker RSS draining`,
      one.workerRssMiB.load,
      'MiB',
      'worker RSS idle',
      one.workerRssMiB.idle,
    );
  }
  const overran = i.runs.filter((r) => r.activationOverranDue);
  const lateSchedule = i.runs.filter((r) => r.steady?.schedulingOverranDue);
  const sections = i.sections ?? [];
  const c = i.cfg;
  const md = [
    `# pnpm bench${c.quick ? ' --quick' : ''}, ${i.started.toISOString()}`,
    '',
    `Concurrency ${c.concurrency} (pgbench clients, service callers, WORKER_CONCURRENCY, raw queue workers); pgbench -s ${c.pgbenchScale} -T ${c.pgbenchSeconds};`,
    `service rows over ${c.campaigns} campaigns; HTTP rows over ${c.httpMessages} messages; timers: ${c.timers} sends due at one instant, ${c.pending} pending;`,
    `raw queue baselines over ${c.rawJobs} jobs; pg-boss polling ${c.pollSeconds} s. Ratio = value / baseline value, same run.`,
    `Steady state: after each 1-worker burst, sends falling due one by one at half the drain rate that burst measured, over ${c.steadySeconds} s;`,
    'their lateness is claimed_at (the worker claiming the send) - due_at; the goal rows compare p99 with the issue-15 goal (ratio <= 1: met).',
    ...(overran.length > 0
      ? [
          '',
          `WARNING: activation ran past the due instant in ${overran.length} run(s): their lateness includes activation.`,
        ]
      : []),
    ...(lateSchedule.length > 0
      ? [
          '',
          `WARNING: scheduling the steady-state sends ran past the first one's due instant in ${lateSchedule.length} run(s): their first sends' lateness includes scheduling.`,
        ]
      : []),
    '',
    '| section | row | value | unit | baseline | baseline value | ratio |',
    '|---|---|---:|---|---|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.section} | ${r.name} | ${r.value} | ${r.unit} | ${r.baseline} | ${r.baselineValue} | ${r.ratio} |`,
    ),
    '',
    ...(sections.length > 0
      ? [
          `Time per section (total ${Math.round(sections.reduce((t, s) => t + (Number.isFinite(s.seconds) ? s.seconds : 0), 0))} s):`,
          '',
          '| section | seconds |',
          '|---|---:|',
          ...sections.map((s) => `| ${s.name} | ${s.seconds} |`),
          '',
        ]
      : []),
  ].join('\n');
  return { rows, md };
}
