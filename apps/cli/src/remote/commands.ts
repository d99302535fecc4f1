import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CampaignClient, Schema } from '@campaign/client';
import {
  ApiProblemError,
  call,
  connect,
  EXIT_API_PROBLEM,
  EXIT_USAGE_OR_UNREACHABLE,
  type RemoteIo,
  RemoteUsageError,
  UnreachableError,
} from './connection.ts';
import { type TimelineRow, timelineTable } from './timeline-table.ts';

const CONNECTION_HELP = `
  --url <url>   the API (default: CAMPAIGN_API_URL, else http://127.0.0.1:3000)
  --json        print the API's JSON answer
  the API key comes from CAMPAIGN_API_KEY
exit: 0 ok, 1 the API answered a problem, 2 usage error or the server cannot be reached
`;

export const REMOTE_HELP: Record<string, string> = {
  list: `usage: campaign list [--status <status>] [--email <address>] [--limit <n>] [--cursor <c>] [--url <url>] [--json]
  list campaigns, newest first
${CONNECTION_HELP}`,
  get: `usage: campaign get <id> [--url <url>] [--json]
  a campaign's state, pending actions and timeline (a table in the plan's local time and UTC)
${CONNECTION_HELP}`,
  events: `usage: campaign events post <events.json> [--url <url>] [--json]
  post the file as the body of POST /v1/events ({"events": [...]}) and print what was accepted
${CONNECTION_HELP}`,
};

type Status = Schema<'CampaignSummary'>['status'];

/** Runs a remote command (`list`, `get`, `events`) and returns its exit code. */
export async function remoteCommand(command: string, args: readonly string[], io: RemoteIo): Promise<number> {
  try {
    switch (command) {
      case 'list':
        return await list(args, io);
      case 'get':
        return await get(args, io);
      default:
        return await events(args, io);
    }
  } catch (error) {
    if (error instanceof ApiProblemError) {
      io.stderr.write(`campaign: ${error.message}\n`);
      if (args.includes('--json')) io.stdout.write(`${JSON.stringify(error.problem, null, 2)}\n`);
      return EXIT_API_PROBLEM;
    }
    if (error instanceof RemoteUsageError || error instanceof UnreachableError) {
      io.stderr.write(`campaign: ${error.message}\n`);
      return EXIT_USAGE_OR_UNREACHABLE;
    }
    throw error;
  }
}

function help(io: RemoteIo, command: string): number {
  io.stdout.write(REMOTE_HELP[command] ?? '');
  return 0;
}

async function list(args: readonly string[], io: RemoteIo): Promise<number> {
  const r = connect(args, io, {
    status: { type: 'string' },
    email: { type: 'string' },
    sender: { type: 'string' },
    experiment: { type: 'string' },
    planShape: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  if (r === 'help') return help(io, 'list');
  if (r.positionals.length > 0) throw new RemoteUsageError(`unexpected argument "${r.positionals[0]}"`);
  const text = (k: string) => (typeof r.values[k] === 'string' ? (r.values[k] as string) : undefined);
  const limit = text('limit');
  if (limit !== undefined && !/^[0-9]+$/.test(limit))
    throw new RemoteUsageError('--limit must be a whole number');
  const query = {
    status: text('status') as Status | undefined,
    email: text('email'),
    sender: text('sender'),
    experiment: text('experiment'),
    planShape: text('planShape'),
    cursor: text('cursor'),
    limit: limit === undefined ? undefined : Number(limit),
  };
  const page = await call(r.url, () => r.client.GET('/v1/campaigns', { params: { query } }));
  if (r.json) {
    io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  // Campaign ids carry their contact's id (`<uuid>.<contact id>`): as wide as the widest, at least the header's.
  const idWidth = Math.max(38, ...page.items.map((c) => c.id.length + 2));
  io.stdout.write(`${'ID'.padEnd(idWidth)}STATUS     NODE                  VERSION  CREATED\n`);
  for (const c of page.items)
    io.stdout.write(
      `${c.id.padEnd(idWidth)}${c.status.padEnd(11)}${(c.currentNodeId ?? '-').padEnd(22)}${String(c.planVersion).padEnd(9)}${c.createdAt ?? ''}\n`,
    );
  if (page.nextCursor) io.stdout.write(`next page: --cursor ${page.nextCursor}\n`);
  return 0;
}

async function get(args: readonly string[], io: RemoteIo): Promise<number> {
  const r = connect(args, io);
  if (r === 'help') return help(io, 'get');
  const [id, extra] = r.positionals;
  if (id === undefined) throw new RemoteUsageError('missing campaign id');
  if (extra !== undefined) throw new RemoteUsageError(`unexpected argument "${extra}"`);
  const campaign = await call(r.url, () => r.client.GET('/v1/campaigns/{id}', { params: { path: { id } } }));
  if (r.json) {
    io.stdout.write(`${JSON.stringify(campaign, null, 2)}\n`);
    return 0;
  }
  const zone = await planZone(r.url, r.client, id, campaign.contact.timezone);
  io.stdout.write(
    `campaign ${campaign.id}  ${campaign.status}  node ${campaign.currentNodeId ?? '-'}  plan v${campaign.planVersion}\n`,
  );
  io.stdout.write(
    `contact ${campaign.contact.email ?? campaign.contact.phone ?? campaign.contact.id ?? ''}\n`,
  );
  io.stdout.write(`\npending actions (${campaign.pendingActions.length})\n`);
  for (const a of campaign.pendingActions)
    io.stdout.write(`  ${a.kind} ${a.node}${a.event ? ` ${a.event}` : ''} at ${a.runAt}\n`);
  io.stdout.write(`\ntimeline\n${timelineTable(campaign.timeline as unknown as TimelineRow[], zone)}`);
  if (campaign.timelineNextCursor) io.stdout.write('(more entries: GET /v1/campaigns/{id}/timeline)\n');
  return 0;
}

/** The plan's own zone (GET /v1/campaigns/{id}/plan), else the contact's, else UTC. */
async function planZone(
  url: string,
  client: CampaignClient,
  id: string,
  contactZone: string | null | undefined,
) {
  try {
    const stored = await call(url, () => client.GET('/v1/campaigns/{id}/plan', { params: { path: { id } } }));
    if (stored.plan.timezone) return stored.plan.timezone;
  } catch (error) {
    if (error instanceof UnreachableError) throw error;
  }
  return contactZone ?? 'UTC';
}

async function events(args: readonly string[], io: RemoteIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') return help(io, 'events');
  if (sub !== 'post')
    throw new RemoteUsageError(sub === undefined ? 'missing "post"' : `unknown events command "${sub}"`);
  const r = connect(rest, io);
  if (r === 'help') return help(io, 'events');
  const [file, extra] = r.positionals;
  if (file === undefined) throw new RemoteUsageError('missing events file');
  if (extra !== undefined) throw new RemoteUsageError(`unexpected argument "${extra}"`);
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new RemoteUsageError(
      `cannot read events file "${file}": ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new RemoteUsageError(`events file "${file}" is not JSON: ${(error as Error).message}`);
  }
  const result = await call(r.url, () => r.client.POST('/v1/events', { body: body as { events: [] } }));
  if (r.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    io.stdout.write(
      `accepted ${result.accepted}, duplicates ${result.duplicates}, rejected ${result.rejected.length}\n`,
    );
    for (const x of result.rejected) io.stdout.write(`  item ${x.index}: ${x.code}\n`);
  }
  return 0;
}
