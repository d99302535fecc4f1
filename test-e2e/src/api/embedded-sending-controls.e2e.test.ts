import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCaller, freePort, type Json, sleep, waitForCampaign } from '../support/api.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

/*
 * Sending controls (issue 12, DESIGN section 11) in the embedded start, as `pnpm start` runs it: no
 * DATABASE_URL, no REDIS_URL (PGlite, pg-boss on PGlite, the workers in the process), over HTTP only.
 * SMTP_URL points the default transport at a local SMTP server, so every transport call is seen.
 * A sender with a daily cap of 3 and 5 campaigns due at once: exactly 3 go (the first 3 due), the other
 * 2 are deferred to the sender's next local midnight with reason `sender_daily_cap`. A shadow campaign
 * records its send and the SMTP server receives nothing. The emergency stop holds a due send
 * (`emergency_stop`, `until` null) and enabling releases it.
 */

const MAIN = fileURLToPath(new URL('../../../apps/nest-service/dist/main.js', import.meta.url));

const plan = {
  version: '1.1',
  timezone: 'UTC',
  startNodeId: 'hello',
  nodes: [{ id: 'hello', action: 'send', subject: 'Hello {{name}}', body: '<p>Hi</p>', transitions: [] }],
};

/** Kolkata is UTC+05:30 all year (no DST): its next local midnight after `t`, derived by hand. */
function nextKolkataMidnight(t: number): number {
  const offset = (5 * 60 + 30) * 60_000;
  const local = new Date(t + offset);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1) - offset;
}

describe('sending controls in the embedded start', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'campaign-embedded-sending-'));
  const sink = new SmtpSink();
  let child: ChildProcess | undefined;
  let base = '';
  let key = '';
  const call = apiCaller(
    {
      get base() {
        return base;
      },
    },
    // the key is printed at start: `api` below passes it in each call's headers
    '',
  );
  const api = (method: string, path: string, body?: unknown) =>
    call(method, path, body, { authorization: `Bearer ${key}` });

  beforeAll(async () => {
    const smtpUrl = await sink.listen();
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      PGLITE_DIR: join(dataDir, 'pglite'),
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'warn',
    };
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'REDIS_CLUSTER_NODES',
      'API_KEY',
      'QUEUE_BACKEND',
      'EXECUTION_MODE',
      'RUN_WORKERS',
    ])
      delete env[name];
    child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    for (let i = 0; i < 300 && !out.includes('API key:'); i += 1) {
      if (child.exitCode !== null) break;
      await sleep(100);
    }
    key = /API key: (\S+)/.exec(out)?.[1] ?? '';
    if (!key) throw new Error(`embedded start did not come up: ${out}`);
    base = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function createCampaign(senderId: string, extra: Record<string, unknown> = {}) {
    const email = `${randomUUID()}@example.com`;
    const res = await api('POST', '/v1/campaigns', {
      contact: { email, name: 'Ada' },
      plan,
      senderIds: { email: senderId },
      ...extra,
    });
    expect(res.status).toBe(201);
    return { id: res.json.id as string, email };
  }

  it('a daily cap of 3 and 5 campaigns due at once: 3 sent that day, 2 deferred to the next local midnight', async () => {
    const created = await api('POST', '/v1/senders', {
      id: 'capped',
      channel: 'email',
      from: 'Capped <capped@acme.example>',
      timezone: 'Asia/Kolkata',
      caps: { daily: 3 },
    });
    expect(created.status).toBe(201);
    // The shape of a sender as returned (issue 12), exactly: no credentials, rates 0 with no sends.
    expect(created.json).toEqual({
      id: 'capped',
      channel: 'email',
      from: 'Capped <capped@acme.example>',
      timezone: 'Asia/Kolkata',
      caps: { daily: 3 },
      warmup: null,
      enabled: true,
      effectiveDailyCap: 3,
      usage: { today: 0, lastHour: 0 },
      health: { complaintRate: 0, hardBounceRate: 0, pausedAt: null, pausedReason: null },
    });

    const startedAt = Date.now();
    const campaigns: { id: string; email: string }[] = [];
    for (let i = 0; i < 5; i += 1) campaigns.push(await createCampaign('capped'));
    const until = new Date(nextKolkataMidnight(startedAt)).toISOString();

    // Poll (with a deadline) for the final state: 3 sent (and ended), 2 deferred for the daily cap.
    const views = new Map<string, Json>();
    const capDeferred = (v: Json) =>
      v.timeline.some((e: Json) => e.kind === 'deferred' && e.reason === 'sender_daily_cap');
    const sent = (v: Json) => v.status === 'completed';
    const deadline = Date.now() + 45_000;
    for (;;) {
      for (const c of campaigns) views.set(c.id, (await api('GET', `/v1/campaigns/${c.id}`)).json);
      const all = [...views.values()];
      if (all.filter(sent).length === 3 && all.filter(capDeferred).length === 2) break;
      if (Date.now() > deadline)
        throw new Error(`never 3 sent and 2 deferred: ${JSON.stringify(all.map((v) => v.timeline))}`);
      await sleep(300);
    }
    // Due order kept: the first 3 created went, the last 2 wait.
    for (const view of views.values()) expect(view.senderIds).toEqual({ email: 'capped', sms: null });
    for (const c of campaigns.slice(0, 3)) {
      const view = views.get(c.id);
      expect(view.status).toBe('completed');
      expect(view.timeline.map((e: Json) => e.kind)).toEqual(['enter', 'send', 'end']);
    }
    for (const c of campaigns.slice(3)) {
      const view = views.get(c.id);
      expect(view.status).toBe('active');
      expect(view.timeline.filter((e: Json) => e.kind === 'deferred')).toEqual([
        { at: expect.any(String), kind: 'deferred', node: 'hello', until, reason: 'sender_daily_cap' },
      ]);
      expect(view.timeline.some((e: Json) => e.kind === 'send')).toBe(false);
      expect(view.pendingActions).toEqual([expect.objectContaining({ kind: 'send' })]);
    }
    // Exactly 3 messages reached the SMTP server, one to each of the first 3 contacts.
    const received = () =>
      sink.received.filter((m) => campaigns.some((c) => c.email === m.to)).map((m) => m.to);
    expect(received().sort()).toEqual(
      campaigns
        .slice(0, 3)
        .map((c) => c.email)
        .sort(),
    );
    const sender = await api('GET', '/v1/senders/capped');
    expect(sender.json.usage).toEqual({ today: 3, lastHour: 3 });

    // A shadow campaign on the same (full) sender: throttled against its own counters, so it runs to its
    // end, records its send, and the SMTP server receives nothing for it.
    const shadow = await createCampaign('capped', { mode: 'shadow' });
    const done = await waitForCampaign(api, shadow.id, (v) => v.status === 'completed', 45_000);
    expect(done.timeline.map((e: Json) => e.kind)).toEqual(['enter', 'send', 'end']);
    expect(sink.received.filter((m) => m.to === shadow.email)).toEqual([]);
    // Still exactly 3 live messages for the capped sender.
    expect(received()).toHaveLength(3);
    expect((await api('GET', '/v1/senders/capped')).json.usage).toEqual({ today: 3, lastHour: 3 });
  });

  it('the emergency stop holds a due send and enabling releases it', async () => {
    const roomy = await api('POST', '/v1/senders', {
      id: 'roomy',
      channel: 'email',
      from: 'Roomy <roomy@acme.example>',
      timezone: 'UTC',
      caps: { daily: 100 },
    });
    expect(roomy.status).toBe(201);
    expect((await api('GET', '/v1/admin/sending')).json).toEqual({ enabled: true, since: null });

    const stopped = await api('POST', '/v1/admin/sending', { enabled: false });
    expect(stopped.status).toBe(200);
    expect(stopped.json).toEqual({ enabled: false, since: expect.any(String) });
    expect((await api('GET', '/v1/admin/sending')).json).toEqual(stopped.json);

    const held = await createCampaign('roomy');
    const view = await waitForCampaign(
      api,
      held.id,
      (v) => v.timeline.some((e: Json) => e.kind === 'deferred'),
      45_000,
    );
    expect(view.timeline.filter((e: Json) => e.kind === 'deferred')).toEqual([
      { at: expect.any(String), kind: 'deferred', node: 'hello', until: null, reason: 'emergency_stop' },
    ]);
    expect(view.status).toBe('active');
    expect(view.pendingActions).toEqual([expect.objectContaining({ kind: 'send' })]);
    expect(sink.received.filter((m) => m.to === held.email)).toEqual([]);

    const enabled = await api('POST', '/v1/admin/sending', { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.json).toEqual({ enabled: true, since: expect.any(String) });
    const done = await waitForCampaign(api, held.id, (v) => v.status === 'completed', 45_000);
    expect(done.timeline.filter((e: Json) => e.kind === 'send')).toHaveLength(1);
    expect(await sink.waitFor((m) => m.to === held.email)).toHaveLength(1);
  });
});
