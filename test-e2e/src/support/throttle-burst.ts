import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Plan } from '@campaign/core';
import { createTestDatabase, type TestDatabase } from '@campaign/db/testing';
import { createRuntime, loadConfig, type Runtime } from '@campaign/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, type RedisServer, spawnWorker, startRedis, waitFor } from './processes.ts';
import { SmtpSink } from './smtp-sink.ts';

/*
 * The burst of DESIGN section 11 through real worker processes, on both queue backends: campaigns
 * (BURST below) whose sends all fall due at the end of the quiet hours, about a minute after they were
 * created, through one sender with a 50 ms min gap. Every send goes, at least 50 ms after the one
 * before (claimed_at), in due order, none lost. Beside it, a small sender with a daily cap of 3: the
 * deferred are promised (their `until`) the next day's and the day after's first allowed instants.
 */

/** Campaigns in the burst (issue 12: 1,000); BURST_CAMPAIGNS sets another size. */
const BURST = Number(process.env.BURST_CAMPAIGNS ?? 1000);
/**
 * Seeding allowance before the quiet end (the end is on a whole minute): 11-18 s for 1,000 quiet here, 16-21 s
 * in CI, since each activation plans its send in its line.
 */
const SEED_LEAD_MS = 10_000 + BURST * 40;
/**
 * Drain allowance from the quiet end: the min gap alone takes 50 ms a send; 250 ms a send leaves room
 * for a machine loaded by the other test files.
 */
const DRAIN_MS = 30_000 + BURST * 250;
/**
 * The drain rate asserted, in sends a second (the gap allows 20): a floor against regressions, about half
 * the rate of the slowest machine measured with every tier running at once (as CI runs them). The rate is
 * bound by the machine's Postgres: where pgbench's TPC-B-like run does 5,550 TPS, the burst drained at 16.6
 * to 18.2 a second in all (19.5 to 20 from send 200 on) on both backends, in CI too; where it does 2,190 TPS,
 * quiet: BullMQ 14.1 (18.5 from send 200 on), pg-boss 10.1 (12.3); in CI: BullMQ 11.9, pg-boss 5.4. Where it
 * does 1,710 TPS, quiet: BullMQ 10.5 (11.9), pg-boss 7.0 (8.7); in CI: BullMQ 9.5, pg-boss 8.6 (with the sends
 * ahead counted through an index and deferred lines at their real pace; before, 6.7 and 1.3). Before a
 * waiting job kept its place when the reconcile pass re-queued it (pg-boss), that machine drained at 3.9 a
 * second quiet; before the sends were claimed ahead for their slots and waiting sends gave back their
 * action permits, the fast one at 6.6 to 14.5. Where it does 1,830 TPS, once lines kept their next sends at
 * hand (and retried at the pace's 0.9, assuming half the gap's rate before it had one), quiet: BullMQ 14.9 (19.5
 * from send 200 on), pg-boss 10.2 (16.6; 20 from send 300 on), where the code before drained at 9.6 and
 * 6.1: the rest of the time is the start, where every send far back is deferred once. There (a per-claim
 * trace): the machine is saturated (the workers about 1.1 cores, Postgres 0.9) while about 60 deferrals a
 * second go, and each link of the line, one claim transaction, takes 100 to 300 ms: 5 to 9 sends a second
 * for 20 s. With the line's reads outside transactions and urgent jobs first in a worker: about as before
 * (pg-boss 11.2, 17.4 from send 200 on; single runs vary by a few sends a second). Once a send stored
 * behind its line was deferred as it was stored (`SendLinePlanner`: no backlog to defer at the quiet end),
 * quiet, same machine and session: BullMQ 19.5 (20.0 from send 200 on; 15.5 just before without it),
 * pg-boss 18.7 (19.6); seeding the 1,000 took 18 s instead of 11. In CI there: BullMQ 19.7, pg-boss 18.8
 * (20.0 from send 200 on, both). The floor, 3 before (half the slowest CI rate, 5.4 with the backlog's
 * deferrals at the quiet end), is now 10: the rate is the gap's, no longer the machine's.
 */
const MIN_DRAIN_RATE = Number(process.env.BURST_MIN_DRAIN_RATE ?? 10);
const MINUTE = 60_000;
/** Quiet hours span the 10 minutes before their end. */
const QUIET_SPAN_MIN = 10;

const hhmm = (minuteOfDay: number) =>
  `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;

/**
 * A plan in UTC whose quiet hours end at the first whole minute at least `leadMs` from now, and that
 * instant. Seeding must finish before it: a campaign created after the end would not be held.
 */
function quietPlan(leadMs: number): { plan: Plan; quietEnd: Date } {
  const quietEnd = new Date(Math.ceil((Date.now() + leadMs) / MINUTE) * MINUTE);
  const endMin = quietEnd.getUTCHours() * 60 + quietEnd.getUTCMinutes();
  const startMin = (endMin - QUIET_SPAN_MIN + 1440) % 1440;
  const plan = {
    version: '1.1',
    timezone: 'UTC',
    quietHours: { start: hhmm(startMin), end: hhmm(endMin) },
    startNodeId: 'only',
    nodes: [{ id: 'only', action: 'send', subject: 'Hello', body: '<p>Hi</p>', transitions: [] }],
  } as Plan;
  return { plan, quietEnd };
}

/**
 * The first instant of the UTC day `days` after the day of `at` that the quiet hours allow: midnight,
 * unless midnight falls inside [end - 10 min, end), then the end of the quiet hours that day.
 */
function firstAllowed(at: Date, days: number): number {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + days);
  const endMin = at.getUTCHours() * 60 + at.getUTCMinutes();
  const midnightQuiet = endMin > 0 && endMin <= QUIET_SPAN_MIN;
  return midnightQuiet ? midnight + endMin * MINUTE : midnight;
}

/** The burst on one backend (a file per backend, so the two may run side by side). */
export function throttleBurstSuite(backend: 'bullmq' | 'pgboss'): void {
  describe(`a ${BURST}-campaign burst on ${backend}`, {
    timeout: SEED_LEAD_MS + MINUTE + DRAIN_MS + 60_000,
  }, () => {
    let database: TestDatabase;
    let redis: RedisServer;
    let sink: SmtpSink;
    let env: NodeJS.ProcessEnv;
    let api: Runtime;
    const workers = new Set<NodeProcess>();

    beforeAll(async () => {
      [database, redis] = await Promise.all([createTestDatabase('postgres'), startRedis()]);
      sink = new SmtpSink();
      const smtpUrl = await sink.listen();
      env = {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        QUEUE_BACKEND: backend,
        QUEUE_NAME: `e2e-${randomUUID()}`,
        QUEUE_POLL_SECONDS: '0.5',
        SMTP_URL: smtpUrl,
        MAIL_FROM: 'Campaigns <campaigns@e2e.test>',
        PUBLIC_URL: 'https://engine.e2e.test',
        UNSUBSCRIBE_SECRET: 'e2e-unsubscribe-secret-0123456789',
        MESSAGE_ID_DOMAIN: 'e2e.test',
        // As in production (15 s, 30 s), not the crash tests' 0.5 s and 1.5 s: with a backlog of a
        // thousand due jobs every one of them is overdue by such a grace, and each pass of each process
        // would look up all of them.
        RECONCILE_INTERVAL_MS: '5000',
        RECONCILE_GRACE_MS: '30000',
        WORKER_CONCURRENCY: '4',
        // QUEUE_LOCK_MS and SEND_CLAIM_LEASE_MS as in production (30 s, 300 s): no worker dies here, and
        // pg-boss expires a job held longer than the lock, which a send waiting for its slot may be.
        SEND_RETRY_BASE_DELAY_MS: '300',
        // BURST_LOG_LEVEL=info: each worker logs every action it ran (outcome, ms), kept in test-e2e/artifacts/.
        LOG_LEVEL: process.env.BURST_LOG_LEVEL ?? 'warn',
      };
      api = await createRuntime(loadConfig(env));
    }, 60_000);

    afterAll(async () => {
      await Promise.all([...workers].map((w) => w.stop('SIGKILL')));
      if (process.env.BURST_LOG_LEVEL) {
        // Each worker's log (every action it ran, with its outcome), to see where a drain lost time.
        const dir = new URL('../../artifacts/', import.meta.url);
        mkdirSync(dir, { recursive: true });
        for (const [i, w] of [...workers].entries())
          writeFileSync(new URL(`burst-${backend}-worker-${i}.log`, dir), w.output());
      }
      await api?.close();
      await sink?.close();
      await redis?.stop();
      await database?.dispose();
    });

    it('drains at the 50 ms min gap, in due order, none lost; a daily cap of 3 promises the next days in due order', async () => {
      const { plan, quietEnd } = quietPlan(SEED_LEAD_MS);
      const burstSender = await api.service.senders.create({
        channel: 'email',
        from: 'Burst <burst@e2e.test>',
        timezone: 'UTC',
        caps: { daily: 100_000, minGap: 'PT0.05S' },
        transport: 'smtp',
      });
      const cappedSender = await api.service.senders.create({
        channel: 'email',
        from: 'Capped <capped@e2e.test>',
        timezone: 'UTC',
        caps: { daily: 3 },
        transport: 'smtp',
      });
      // Workers start while the campaigns are seeded: nothing is due before the quiet end.
      for (let i = 0; i < 4; i++) {
        const worker = spawnWorker(env);
        worker.child.stderr?.pipe(process.stderr);
        workers.add(worker);
      }
      const emails = new Set<string>();
      const seed = async (senderId: string, n: number, parallel: number) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i += parallel) {
          const batch = await Promise.all(
            Array.from({ length: Math.min(parallel, n - i) }, () => {
              const email = `${randomUUID()}@e2e.test`;
              emails.add(email);
              return api.service.persistPlan({ contact: { email }, plan, senderIds: { email: senderId } });
            }),
          );
          ids.push(...batch.map((b) => b.campaign.id));
        }
        return ids;
      };
      const seedStarted = Date.now();
      const burstIds = await seed(burstSender.id, BURST, 50);
      console.info(
        `${backend}: ${BURST} campaigns seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`,
      );
      const burstEmails = new Set(emails);
      // One at a time: due order is creation order.
      const cappedIds = await seed(cappedSender.id, 8, 1);
      expect(Date.now(), 'seeding finished before the quiet end').toBeLessThan(quietEnd.getTime());

      const db = database.db;
      const actionsOf = (ids: string[]) =>
        db
          .selectFrom('scheduled_actions')
          .select(['id', 'campaign_id', 'due_at', 'run_at'])
          .where('campaign_id', 'in', ids)
          .orderBy('due_at')
          .orderBy('id')
          .execute();
      const burstActions = await actionsOf(burstIds);
      const cappedActions = await actionsOf(cappedIds);
      expect(burstActions).toHaveLength(BURST);
      expect(cappedActions.map((a) => a.campaign_id)).toEqual(cappedIds);
      // Every send was due before the quiet end and is held until it at least. The capped sender's are held
      // until it; the burst's behind its first were deferred as they were stored (`SendLinePlanner`), each
      // to a slot behind the sends stored before it (at most one min gap for each send ahead of it).
      for (const a of [...burstActions, ...cappedActions])
        expect(a.due_at.getTime()).toBeLessThan(quietEnd.getTime());
      for (const a of cappedActions) expect(a.run_at).toEqual(quietEnd);
      const planned = await db
        .selectFrom('campaign_transitions')
        .select(['action_id', 'until_at'])
        .where('campaign_id', 'in', burstIds)
        .where('kind', '=', 'deferred')
        .where('reason', '=', 'sender_min_gap')
        .execute();
      const plannedUntil = new Map(planned.map((e) => [e.action_id, e.until_at?.getTime()]));
      for (const [i, a] of burstActions.entries()) {
        expect(a.run_at.getTime()).toBeGreaterThanOrEqual(quietEnd.getTime());
        const until = plannedUntil.get(a.id);
        if (until === undefined) expect(a.run_at).toEqual(quietEnd);
        else expect(until - quietEnd.getTime()).toBeLessThanOrEqual(50 * i);
      }
      console.info(
        `${backend}: ${planned.length} of ${BURST} sends deferred in their line as they were stored`,
      );
      // All but the first 20 or so (their slots within THROTTLE_WAIT_MS of the quiet end) and those whose
      // sends ahead were still being stored (50 at a time).
      expect(planned.length).toBeGreaterThanOrEqual(BURST / 2);

      const sentOf = (ids: string[]) =>
        db
          .selectFrom('outbound_messages')
          .select(['action_id', 'campaign_id', 'claimed_at', 'status'])
          .where('campaign_id', 'in', ids)
          .orderBy('claimed_at')
          .execute();
      let sent = 0;
      // The quiet end is at most 80 s after the test began; then the sends go at most one per 50 ms.
      await waitFor(
        async () => {
          sent = sink.received.length;
          return sent >= BURST + 3;
        },
        () => `${sent} received by the SMTP sink, expected ${BURST + 3}`,
        { timeoutMs: quietEnd.getTime() - Date.now() + DRAIN_MS, intervalMs: 500 },
      );

      const messages = await sentOf(burstIds);
      // None lost: every campaign sent once, in due order, each claim at least the min gap after the last.
      expect(messages).toHaveLength(BURST);
      expect(messages.map((m) => m.action_id)).toEqual(burstActions.map((a) => a.id));
      expect(new Set(sink.received.map((m) => m.to).filter((to) => burstEmails.has(to))).size).toBe(BURST);
      const claims = messages.map((m) => m.claimed_at?.getTime() ?? Number.NaN);
      expect(claims[0]).toBeGreaterThanOrEqual(quietEnd.getTime());
      const gaps = claims.slice(1).map((c, i) => c - (claims[i] as number));
      expect(gaps.filter((g) => !(g >= 50))).toEqual([]);
      const drainS = ((claims.at(-1) as number) - (claims[0] as number)) / 1000;
      // Where the drain lost time: the gaps longer than the min gap (a send's claim later than its slot),
      // and the rate once the burst's own backlog (every far send deferred at the quiet end) is behind.
      const late = gaps.filter((g) => g > 50);
      const steadyFrom = Math.min(200, BURST - 1);
      const steadyRate =
        (BURST - 1 - steadyFrom) / (((claims.at(-1) as number) - (claims[steadyFrom] as number)) / 1000);
      console.info(
        `${backend}: ${BURST} sends drained in ${drainS.toFixed(1)} s (${(BURST / drainS).toFixed(1)}/s; the gap allows 20/s); first claim ${(claims[0] as number) - quietEnd.getTime()} ms after the quiet end; ${late.length} gaps over 50 ms, ${late.reduce((a, g) => a + g - 50, 0)} ms over in all, the longest ${Math.max(50, ...late)} ms; from send ${steadyFrom} on ${steadyRate.toFixed(1)}/s`,
        `(the five longest, as send index: gap ms: ${gaps
          .map((g, i) => [i + 1, g] as const)
          .sort((x, y) => y[1] - x[1])
          .slice(0, 5)
          .map(([i, g]) => `${i}: ${g} (${messages[i]?.action_id})`)
          .join(', ')})`,
      );
      expect(BURST / drainS, 'drain rate (sends a second; the gap allows 20)').toBeGreaterThanOrEqual(
        MIN_DRAIN_RATE,
      );

      // The daily cap: the three earliest due go at the quiet end (no min gap: in any order among
      // themselves); the 4th-6th are promised the next day's first allowed instant, the 7th and 8th the
      // day after's, each in its latest deferral.
      const capped = await sentOf(cappedIds);
      expect(capped.map((m) => m.action_id).sort()).toEqual(
        cappedActions
          .slice(0, 3)
          .map((a) => a.id)
          .sort(),
      );
      const rows = await db
        .selectFrom('scheduled_actions')
        .select(['id', 'status', 'run_at'])
        .where('campaign_id', 'in', cappedIds)
        .execute();
      const entries = await db
        .selectFrom('campaign_transitions')
        .select(['campaign_id', 'reason', 'until_at'])
        .where('campaign_id', 'in', cappedIds)
        .where('kind', '=', 'deferred')
        .orderBy('seq')
        .execute();
      for (const [i, a] of cappedActions.entries()) {
        if (i < 3) continue;
        const until = new Date(firstAllowed(quietEnd, i < 6 ? 1 : 2));
        expect(rows.find((r) => r.id === a.id)).toMatchObject({ status: 'pending', run_at: until });
        expect(entries.filter((e) => e.campaign_id === a.campaign_id).at(-1)).toMatchObject({
          reason: 'sender_daily_cap',
          until_at: until,
        });
      }
    });
  });
}
