import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduledJob, Scheduler } from '../ports/scheduler.ts';

/**
 * How the conformance suite drives one Scheduler implementation. `wait` lets time pass: real time for a
 * real queue, a ManualClock step for the in-memory one.
 */
export interface SchedulerHarness {
  scheduler: Scheduler;
  /** The instant the scheduler compares `runAt` with. */
  now(): Date;
  /** Lets `ms` milliseconds pass and the scheduler deliver what fell due. */
  wait(ms: number): Promise<void>;
  /** A fresh scheduler on the same backend, as after a worker restart (the old one is closed). */
  restart(): Promise<Scheduler>;
  /** Tears the backend down. */
  dispose(): Promise<void>;
}

export interface SchedulerContractOptions {
  /** A due job reaches the handler within this many milliseconds after its runAt. Default 1000. */
  maxLatenessMs?: number;
}

/** A handler that throws on its first call only (the queue must deliver that job again). */
function failingOnce(): () => Promise<void> {
  let failures = 1;
  return async () => {
    if (failures > 0) {
      failures -= 1;
      throw new Error('handler failed once');
    }
  };
}

/**
 * The Scheduler contract as tests (see the port's doc comment). Every adapter runs it against its real
 * backend, and the in-memory scheduler runs it too, which keeps the fake honest.
 */
export function schedulerContractSuite(
  name: string,
  makeHarness: () => Promise<SchedulerHarness>,
  options: SchedulerContractOptions = {},
): void {
  const lateness = options.maxLatenessMs ?? 1000;

  describe(`Scheduler contract: ${name}`, { timeout: 30_000 }, () => {
    let harness: SchedulerHarness | undefined;

    async function setup(handler?: (id: string) => Promise<void>) {
      harness = await makeHarness();
      const delivered: { id: string; at: Date; contactId?: string | undefined; urgent?: boolean }[] = [];
      const h = harness;
      await h.scheduler.start(async (id, contactId, job) => {
        delivered.push({ id, at: h.now(), contactId, ...(job ? { urgent: job.urgent } : {}) });
        await handler?.(id);
      });
      // Action ids are scheduled_actions ids: UUIDs (pg-boss requires them as job ids).
      const id = (_label: string) => randomUUID();
      const at = (offsetMs: number) => new Date(h.now().getTime() + offsetMs);
      return { h, delivered, id, at };
    }

    afterEach(async () => {
      await harness?.scheduler.close();
      await harness?.dispose();
      harness = undefined;
    });

    it('delivers a job due in the past at once', async () => {
      const { h, delivered, id, at } = await setup();
      const job: ScheduledJob = { actionId: id('past'), runAt: at(-60_000) };
      await h.scheduler.schedule([job]);
      await h.wait(lateness);
      expect(delivered.map((d) => d.id)).toEqual([job.actionId]);
    });

    it('never delivers before runAt, and delivers within the lateness bound after it', async () => {
      const { h, delivered, id, at } = await setup();
      const job = { actionId: id('future'), runAt: at(1500) };
      await h.scheduler.schedule([job]);
      await h.wait(700);
      expect(delivered).toEqual([]);
      await h.wait(800 + lateness);
      expect(delivered.map((d) => d.id)).toEqual([job.actionId]);
      const late = (delivered[0]?.at.getTime() ?? 0) - job.runAt.getTime();
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThanOrEqual(lateness);
    });

    it('is idempotent per action id', async () => {
      const { h, delivered, id, at } = await setup();
      const job = { actionId: id('twice'), runAt: at(300) };
      await h.scheduler.schedule([job]);
      await h.scheduler.schedule([job]);
      await h.scheduler.schedule([{ ...job }]);
      await h.wait(300 + lateness);
      expect(delivered.map((d) => d.id)).toEqual([job.actionId]);
    });

    it('moves a job scheduled again with a later runAt instead of doubling it', async () => {
      const { h, delivered, id, at } = await setup();
      const actionId = id('moved');
      await h.scheduler.schedule([{ actionId, runAt: at(400) }]);
      await h.scheduler.schedule([{ actionId, runAt: at(1600) }]);
      await h.wait(1000);
      expect(delivered).toEqual([]);
      await h.wait(600 + lateness);
      expect(delivered.map((d) => d.id)).toEqual([actionId]);
    });

    it('does not deliver a cancelled job', async () => {
      const { h, delivered, id, at } = await setup();
      const kept = { actionId: id('kept'), runAt: at(400) };
      const dropped = { actionId: id('dropped'), runAt: at(400) };
      await h.scheduler.schedule([kept, dropped]);
      await h.scheduler.cancel([dropped.actionId]);
      await h.wait(400 + lateness);
      expect(delivered.map((d) => d.id)).toEqual([kept.actionId]);
    });

    it('delivers due jobs in runAt order', async () => {
      const { h, delivered, id, at } = await setup();
      const jobs = [
        { actionId: id('third'), runAt: at(900) },
        { actionId: id('first'), runAt: at(300) },
        { actionId: id('second'), runAt: at(600) },
      ];
      await h.scheduler.schedule(jobs);
      await h.wait(900 + lateness);
      expect(delivered.map((d) => d.id)).toEqual([jobs[1]?.actionId, jobs[2]?.actionId, jobs[0]?.actionId]);
    });

    it('delivers again a job whose handler threw', async () => {
      const { h, delivered, id, at } = await setup(failingOnce());
      const job = { actionId: id('retried'), runAt: at(0) };
      await h.scheduler.schedule([job]);
      for (let waited = 0; delivered.length < 2 && waited < 10_000; waited += 500) await h.wait(500);
      expect(delivered.map((d) => d.id)).toEqual([job.actionId, job.actionId]);
    });

    it('delivers again a job that its own handler scheduled again (a retry, an early arrival)', async () => {
      let h: SchedulerHarness | undefined;
      let first = true;
      const ctx = await setup(async (actionId) => {
        if (!first || !h) return;
        first = false;
        await h.scheduler.schedule([{ actionId, runAt: new Date(h.now().getTime() + 2000) }]);
      });
      h = ctx.h;
      const job = { actionId: ctx.id('again'), runAt: ctx.at(0) };
      await ctx.h.scheduler.schedule([job]);
      for (let waited = 0; ctx.delivered.length === 0 && waited < 10_000; waited += 100)
        await ctx.h.wait(100);
      expect(ctx.delivered.map((d) => d.id)).toEqual([job.actionId]);
      await ctx.h.wait(2000 + lateness);
      expect(ctx.delivered.map((d) => d.id)).toEqual([job.actionId, job.actionId]);
    });

    it('hands the handler the contact id its job carries, after a move and a retry too', async () => {
      const { h, delivered, id, at } = await setup(failingOnce());
      // Contact ids are the caller's: any dot-atom (DESIGN section 9), not only UUIDs.
      const carried = { actionId: id('carried'), contactId: `crm.${randomUUID()}`, runAt: at(0) };
      const moved = { actionId: id('moved'), contactId: randomUUID(), runAt: at(100) };
      const bare = { actionId: id('bare'), runAt: at(0) };
      await h.scheduler.schedule([carried, moved, bare]);
      await h.scheduler.schedule([{ ...moved, runAt: at(500) }]);
      for (let waited = 0; delivered.length < 4 && waited < 10_000; waited += 250) await h.wait(250);
      const expected = new Map<string, string | undefined>([
        [carried.actionId, carried.contactId],
        [moved.actionId, moved.contactId],
        [bare.actionId, undefined],
      ]);
      expect(delivered).toHaveLength(4); // three jobs, one of them twice (its first delivery threw)
      for (const d of delivered) expect([d.id, d.contactId]).toEqual([d.id, expected.get(d.id)]);
      expect(new Set(delivered.map((d) => d.id))).toEqual(new Set(expected.keys()));
    });

    it('hands the handler whether its job was scheduled urgent, after a move too (a worker starts it ahead of the others)', async () => {
      const { h, delivered, id, at } = await setup();
      const urgent = { actionId: id('urgent'), runAt: at(0), urgent: true };
      const plain = { actionId: id('plain'), runAt: at(0) };
      const madeUrgent = { actionId: id('made urgent'), runAt: at(100) };
      await h.scheduler.schedule([urgent, plain, madeUrgent]);
      await h.scheduler.schedule([{ ...madeUrgent, runAt: at(300), urgent: true }]);
      for (let waited = 0; delivered.length < 3 && waited < 10_000; waited += 250) await h.wait(250);
      expect(new Map(delivered.map((d) => [d.id, d.urgent]))).toEqual(
        new Map([
          [urgent.actionId, true],
          [plain.actionId, false],
          [madeUrgent.actionId, true],
        ]),
      );
    });

    it('a restarted scheduler delivers what the old one left', async () => {
      const { h, id, at } = await setup();
      const job = { actionId: id('survivor'), runAt: at(800) };
      await h.scheduler.schedule([job]);
      await h.scheduler.close();
      const fresh = await h.restart();
      const delivered: string[] = [];
      await fresh.start(async (actionId) => {
        delivered.push(actionId);
      });
      await h.wait(800 + lateness);
      expect(delivered).toEqual([job.actionId]);
    });
  });
}
