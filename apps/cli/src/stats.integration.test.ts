import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statsCommand } from './stats.ts';

/*
 * `campaign stats` over HTTP against a stand-in server that records what it was asked (the real API's
 * answers are tested in apps/nest-service/test/analytics.integration.test.ts): the route, the range, the
 * key; the table; exit 1 with the problem for a 400; exit 2 for usage and an unreachable server.
 */

const requests: IncomingMessage[] = [];
let server: Server;
let base: string;

const nodesAnswer = {
  range: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' },
  nodes: [
    {
      nodeId: 'intro',
      channel: 'email',
      counts: {
        sent: 4,
        delivered: 4,
        opened: 2,
        clicked: 1,
        replied: 1,
        bounced: 0,
        complained: 0,
        unsubscribed: 0,
      },
      rates: Object.fromEntries(
        ['opened', 'clicked', 'replied', 'bounced', 'complained', 'unsubscribed'].map((k) => [
          k,
          { overDelivered: k === 'opened' ? 0.5 : 0.25, overSent: 0.25 },
        ]),
      ),
      conversions: 1,
      timeToFirstOpenSeconds: { count: 2, p50: 2700, p90: 3420, p99: 3582 },
      timeToFirstReplySeconds: { count: 1, p50: 7200, p90: 7200, p99: 7200 },
    },
  ],
};

function io(env: Record<string, string | undefined> = {}) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (c: string) => (out.stdout += c) },
      stderr: { write: (c: string) => (out.stderr += c) },
      env,
    },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    if (req.url?.includes('to=2026-01-01')) {
      res.writeHead(400, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ status: 400, code: 'invalid_range', detail: 'to is before from' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(nodesAnswer));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('campaign stats', () => {
  it('asks /v1/analytics/<view> with the range and the key, and prints a table', async () => {
    const { out, io: streams } = io({ CAMPAIGN_API_URL: base, CAMPAIGN_API_KEY: 'k-123' });
    const code = await statsCommand(
      ['nodes', '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-08T00:00:00Z'],
      streams,
    );
    expect(code).toBe(0);
    const req = requests.at(-1) as IncomingMessage;
    const url = new URL(req.url ?? '', base);
    expect(url.pathname).toBe('/v1/analytics/nodes');
    expect(url.searchParams.get('from')).toBe('2026-03-01T00:00:00Z');
    expect(url.searchParams.get('to')).toBe('2026-03-08T00:00:00Z');
    expect(req.headers.authorization).toBe('Bearer k-123');
    const lines = out.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^node\s+channel\s+sent\s+deliv\s+opens/);
    expect(lines[2]?.split(/\s+/)).toEqual([
      'intro',
      'email',
      '4',
      '4',
      '2',
      '1',
      '1',
      '0',
      '0',
      '0',
      '50.0%',
      '25.0%',
      '1',
      '2700',
      '7200',
    ]);
  });

  it('--url wins over CAMPAIGN_API_URL; --json prints the answer; the default range is the 7 days before now', async () => {
    const { out, io: streams } = io({ CAMPAIGN_API_URL: 'http://127.0.0.1:1' });
    const code = await statsCommand(
      ['nodes', '--url', base, '--json'],
      streams,
      new Date('2026-03-08T00:00:00Z'),
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(nodesAnswer);
    const url = new URL(requests.at(-1)?.url ?? '', base);
    expect(url.searchParams.get('from')).toBe('2026-03-01T00:00:00.000Z');
    expect(url.searchParams.get('to')).toBe('2026-03-08T00:00:00.000Z');
    expect(requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('exit 1 with the problem for an API refusal', async () => {
    const { out, io: streams } = io({ CAMPAIGN_API_URL: base });
    const code = await statsCommand(
      ['shapes', '--from', '2026-03-01T00:00:00Z', '--to', '2026-01-01T00:00:00Z'],
      streams,
    );
    expect(code).toBe(1);
    expect(out.stderr).toContain('400 invalid_range: to is before from');
  });

  it('exit 2 for an unknown view, a missing one, or an unreachable server', async () => {
    for (const args of [['bogus'], [], ['nodes', 'extra']]) {
      const { out, io: streams } = io({ CAMPAIGN_API_URL: base });
      expect(await statsCommand(args, streams)).toBe(2);
      expect(out.stderr).toContain('usage: campaign stats');
    }
    const { out, io: streams } = io({ CAMPAIGN_API_URL: 'http://127.0.0.1:1' });
    expect(await statsCommand(['nodes'], streams)).toBe(2);
    expect(out.stderr).toContain('cannot reach http://127.0.0.1:1');
  });

  it('--help prints the usage, exit 0', async () => {
    const { out, io: streams } = io();
    expect(await statsCommand(['--help'], streams)).toBe(0);
    expect(out.stdout).toContain('plan shapes ranked by conversion rate');
  });
});
