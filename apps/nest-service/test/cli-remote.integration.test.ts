import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@campaign/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCampaignClient } from '../../../packages/client/src/index.ts';
import { main } from '../../cli/src/main.ts';
import { useApi } from './support/start-api.ts';

/*
 * The CLI's remote commands (issue 14) against the real API on Postgres, through @campaign/client. The
 * clock is fixed at 2026-03-06T17:00:00Z, a Friday: 09:00 in Los Angeles (PST, UTC-8, DST starts on
 * March 8), inside the seed plan's hours, so its first send is due at once.
 */

const KEY = 'cli-remote-test-api-key-0123456789abcdef';
const T0 = new Date('2026-03-06T17:00:00.000Z');
const seed = JSON.parse(
  readFileSync(new URL('../../../examples/seed-campaign.json', import.meta.url), 'utf8'),
);

async function run(argv: string[], env: Record<string, string | undefined>) {
  let stdout = '';
  let stderr = '';
  const dir = mkdtempSync(join(tmpdir(), 'cli-remote-'));
  const code = await main(argv, {
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
    cwd: dir,
    env,
  });
  return { code, stdout, stderr, dir };
}

describe('campaign list / get / events post against the API', { timeout: 60_000 }, () => {
  const api = useApi({ API_KEY: KEY }, { clock: new ManualClock(T0) });
  let id: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = { CAMPAIGN_API_URL: api.url, CAMPAIGN_API_KEY: KEY };
    const client = createCampaignClient({ baseUrl: api.url, apiKey: KEY });
    const { data, response } = await client.POST('/v1/campaigns', {
      body: {
        contact: { email: 'ada@example.com', name: 'Ada', timezone: 'America/Los_Angeles' },
        plan: seed,
      },
    });
    expect(response.status).toBe(201);
    id = data?.id ?? '';
  });

  it('get prints the state and the timeline with local (PST) and UTC times', async () => {
    const { code, stdout, stderr } = await run(['get', id], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`campaign ${id}  active  node email_intro  plan v1`);
    expect(stdout).toContain('LOCAL (America/Los_Angeles)');
    expect(stdout).toMatch(/2026-03-06 09:00:00 PST\s+2026-03-06 17:00:00Z/);
    expect(stdout).toContain('send email_intro at 2026-03-06T17:00:00.000Z');
  });

  it("get shows the plan's zone, not the contact's, when the plan has one", async () => {
    const client = createCampaignClient({ baseUrl: api.url, apiKey: KEY });
    const { data } = await client.POST('/v1/campaigns', {
      body: { contact: { email: 'bob@example.com', timezone: 'Europe/Berlin' }, plan: seed },
    });
    const { code, stdout } = await run(['get', data?.id ?? ''], env);
    expect(code).toBe(0);
    expect(stdout).toContain('LOCAL (America/Los_Angeles)');
    expect(stdout).toMatch(/2026-03-06 09:00:00 PST\s+2026-03-06 17:00:00Z/);
  });

  it('list prints a table, filters by status, and refuses a bad --limit', async () => {
    const active = await run(['list', '--status', 'active'], env);
    expect(active.code).toBe(0);
    expect(active.stdout).toMatch(new RegExp(`^${id}\\s+active\\s+email_intro\\s+1\\s`, 'm'));
    const paused = await run(['list', '--status', 'paused', '--json'], env);
    expect(JSON.parse(paused.stdout)).toEqual({ items: [], nextCursor: null });
    const bad = await run(['list', '--limit', 'ten'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('campaign: --limit must be a whole number\n');
  });

  it('get --json prints the API answer', async () => {
    const { code, stdout } = await run(['get', id, '--json'], env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ id, status: 'active', planVersion: 1 });
  });

  it('--url wins over CAMPAIGN_API_URL', async () => {
    const { code } = await run(['get', id, '--url', api.url], {
      ...env,
      CAMPAIGN_API_URL: 'http://127.0.0.1:1',
    });
    expect(code).toBe(0);
  });

  it('an API problem exits 1 with its status and code: unknown campaign, missing key', async () => {
    const missing = await run(['get', randomUUID()], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^campaign: 404 not_found/);
    const noKey = await run(['get', id], { CAMPAIGN_API_URL: api.url });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/^campaign: 401 unauthorized/);
  });

  it('an unreachable server exits 2 with one line (a port just closed: connection refused)', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    await new Promise((done) => server.close(done));
    const { code, stderr } = await run(['get', id, '--url', `http://127.0.0.1:${port}`], env);
    expect(code).toBe(2);
    expect(stderr).toBe(`campaign: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it('events post sends the file as POST /v1/events and prints each rejection', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-events-')), 'events.json');
    writeFileSync(
      file,
      JSON.stringify({
        events: [
          { id: 'e1', type: 'opened', messageId: randomUUID(), occurredAt: '2026-03-06T17:00:00Z' },
          { nope: 1 },
        ],
      }),
    );
    const { code, stdout } = await run(['events', 'post', file], env);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'accepted 0, duplicates 0, rejected 2\n  item 0: unknown_message\n  item 1: invalid_event\n',
    );
  });

  it('events post: a missing file and a non-JSON file are one-line usage errors (exit 2)', async () => {
    const missing = await run(['events', 'post', 'nope.json'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('campaign: cannot read events file "nope.json": ENOENT\n');
    const dir = mkdtempSync(join(tmpdir(), 'cli-bad-'));
    writeFileSync(join(dir, 'bad.json'), '{');
    const bad = await run(['events', 'post', join(dir, 'bad.json')], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')).toHaveLength(2);
  });

  it('list shows the campaign', async () => {
    const { code, stdout } = await run(['list', '--json'], env);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { items: { id: string }[] }).items.map((c) => c.id)).toContain(id);
  });

  it('per-command --help and --version exit 0', async () => {
    expect((await run(['get', '--help'], {})).stdout).toMatch(/^usage: campaign get <id>/);
    expect((await run(['events', 'post', '--help'], {})).stdout).toMatch(/^usage: campaign events post/);
    expect((await run(['--version'], {})).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
