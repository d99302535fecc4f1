import { parseArgs } from 'node:util';

/*
 * `campaign stats <view>` (issue 14 item 4): the analytics of GET /v1/analytics/<view> over a time range,
 * as a table or (`--json`) the API's answer. The API is at --url, else CAMPAIGN_API_URL, else
 * http://127.0.0.1:3000; the key is CAMPAIGN_API_KEY. Exit 0; 1 for an API problem (the problem's code
 * and detail on stderr); 2 for a usage error or an unreachable server.
 */

interface StatsIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env?: Readonly<Record<string, string | undefined>>;
}

export const STATS_VIEWS = ['nodes', 'experiments', 'senders', 'shapes', 'lateness'] as const;
type View = (typeof STATS_VIEWS)[number];

export const STATS_USAGE = `usage: campaign stats <${STATS_VIEWS.join('|')}> [--from ISO] [--to ISO] [--url URL] [--json]
  nodes        sent, delivered, genuine opens, clicks, replies, bounces... and conversions per plan node
  experiments  each variant's reply and open rates, tested against the first (z, p)
  senders      the same counts per sender
  shapes       plan shapes ranked by conversion rate, then reply rate
  lateness     timer lateness percentiles (execution minus due time)
  --from, --to the range (ISO 8601 instants; default the 7 days before now; at most 366 days)
  --url        the API (default CAMPAIGN_API_URL, else http://127.0.0.1:3000); key in CAMPAIGN_API_KEY
  --json       print the API's answer as JSON
`;

const DAY_MS = 86_400_000;

// biome-ignore lint/suspicious/noExplicitAny: the API's answer, printed field by field
type Json = any;

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`;
const num = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? '-' : v.toFixed(digits);

/** Rows as aligned columns, the first row the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

const COUNT_HEADER = [
  'sent',
  'deliv',
  'opens',
  'clicks',
  'replies',
  'bounce',
  'compl',
  'unsub',
  'open%',
  'reply%',
];
function countCells(counts: Json, rates: Json): string[] {
  return [
    ...['sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced', 'complained', 'unsubscribed'].map(
      (k) => String(counts[k]),
    ),
    pct(rates.opened.overDelivered),
    pct(rates.replied.overDelivered),
  ];
}

/** The answer of one view as a text table (rates over delivered). */
export function render(view: View, answer: Json): string {
  switch (view) {
    case 'nodes':
      return table([
        ['node', 'channel', ...COUNT_HEADER, 'conv', 'open p50 s', 'reply p50 s'],
        ...answer.nodes.map((n: Json) => [
          n.nodeId,
          n.channel,
          ...countCells(n.counts, n.rates),
          String(n.conversions),
          num(n.timeToFirstOpenSeconds.p50),
          num(n.timeToFirstReplySeconds.p50),
        ]),
      ]);
    case 'senders':
      return table([
        ['sender', 'channel', ...COUNT_HEADER],
        ...answer.senders.map((s: Json) => [
          s.senderId ?? '(default)',
          s.channel,
          ...countCells(s.counts, s.rates),
        ]),
      ]);
    case 'shapes':
      return table([
        ['shape', 'campaigns', 'conv', 'conv%', 'replied', 'reply%'],
        ...answer.shapes.map((s: Json) => [
          s.shape.slice(0, 12),
          String(s.campaigns),
          String(s.conversions),
          pct(s.conversionRate),
          String(s.campaignsReplied),
          pct(s.replyRate),
        ]),
      ]);
    case 'experiments':
      return answer.experiments
        .map(
          (e: Json) =>
            `${e.experiment}\n${table([
              [
                'variant',
                'campaigns',
                'replied',
                'reply%',
                'reply z',
                'reply p',
                'opened',
                'open%',
                'open p',
                'conv',
              ],
              ...e.variants.map((v: Json) => [
                v.variant,
                String(v.campaigns),
                String(v.campaignsReplied),
                pct(v.replyRate),
                num(v.replyTest?.z, 3),
                num(v.replyTest?.p, 4),
                String(v.campaignsOpened),
                pct(v.openRate),
                num(v.openTest?.p, 4),
                String(v.conversions),
              ]),
            ])}`,
        )
        .join('\n');
    case 'lateness':
      return table([
        ['bucket', 'timers', 'p50 ms', 'p90 ms', 'p99 ms'],
        [
          'all',
          String(answer.timers.count),
          num(answer.timers.p50),
          num(answer.timers.p90),
          num(answer.timers.p99),
        ],
        ...answer.buckets.map((b: Json) => [
          b.start,
          String(b.latenessMs.count),
          num(b.latenessMs.p50),
          num(b.latenessMs.p90),
          num(b.latenessMs.p99),
        ]),
      ]);
  }
}

/** `campaign stats ...`; returns the exit code. `now` is the default range's end (the wall clock). */
export async function statsCommand(
  args: readonly string[],
  io: StatsIo,
  now: Date = new Date(),
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr.write(`campaign stats: ${(error as Error).message}\n${STATS_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(STATS_USAGE);
    return 0;
  }
  const [view, ...extra] = parsed.positionals;
  if (!view || !(STATS_VIEWS as readonly string[]).includes(view) || extra.length > 0) {
    io.stderr.write(
      `campaign stats: ${view ? `unknown view "${[view, ...extra].join(' ')}"` : 'which view?'}\n${STATS_USAGE}`,
    );
    return 2;
  }
  const env = io.env ?? process.env;
  const base = (parsed.values.url ?? env.CAMPAIGN_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const to = parsed.values.to ?? now.toISOString();
  const from = parsed.values.from ?? new Date(Date.parse(to) - 7 * DAY_MS).toISOString();
  if (Number.isNaN(Date.parse(to))) {
    io.stderr.write(`campaign stats: --to "${to}" is not an ISO 8601 instant\n`);
    return 2;
  }
  const url = `${base}/v1/analytics/${view}?${new URLSearchParams({ from, to })}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: env.CAMPAIGN_API_KEY ? { authorization: `Bearer ${env.CAMPAIGN_API_KEY}` } : {},
    });
  } catch (error) {
    io.stderr.write(
      `campaign stats: cannot reach ${base}: ${(error as Error).cause ?? (error as Error).message}\n`,
    );
    return 2;
  }
  const text = await response.text();
  let answer: Json;
  try {
    answer = JSON.parse(text);
  } catch {
    io.stderr.write(`campaign stats: ${response.status} from ${base}, not JSON\n`);
    return 1;
  }
  if (!response.ok) {
    io.stderr.write(
      `campaign stats: ${response.status} ${answer.code ?? ''}: ${answer.detail ?? answer.title ?? ''}\n`,
    );
    return 1;
  }
  io.stdout.write(
    parsed.values.json
      ? `${JSON.stringify(answer, null, 2)}\n`
      : `${from} .. ${to}\n${render(view as View, answer)}`,
  );
  return 0;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
