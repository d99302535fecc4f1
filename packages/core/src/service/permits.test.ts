import { describe, expect, it } from 'vitest';
import { Permits } from './permits.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Permits', () => {
  it('lets at most the limit run at once and serves the waiters in the order they asked', async () => {
    const permits = new Permits(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const runs = [1, 2, 3, 4].map((n) =>
      permits.run(async () => {
        started.push(n);
        await new Promise<void>((resolve) => finish.push(resolve));
      }),
    );
    await tick();
    expect(started).toEqual([1, 2]);
    finish.shift()?.();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    finish.shift()?.();
    finish.shift()?.();
    await tick();
    expect(started).toEqual([1, 2, 3, 4]);
    finish.shift()?.();
    await Promise.all(runs);
  });

  it('serves one that asks to be first ahead of those already waiting', async () => {
    const permits = new Permits(1);
    await permits.acquire();
    const order: string[] = [];
    const queued = permits.acquire().then(() => order.push('queued'));
    const first = permits.acquire(true).then(() => order.push('first'));
    permits.release();
    await first;
    permits.release();
    await queued;
    expect(order).toEqual(['first', 'queued']);
  });

  it('a sleeping holder frees its permit for another meanwhile, then takes one again ahead of new actions', async () => {
    const permits = new Permits(1);
    const order: string[] = [];
    let wake = () => {};
    const sleeper = permits.run(async () => {
      order.push('sleeper starts');
      await permits.sleep(() => new Promise<void>((resolve) => (wake = resolve)));
      order.push('sleeper awake');
    });
    await tick();
    let finishOther = () => {};
    const other = permits.run(async () => {
      order.push('other runs');
      await new Promise<void>((resolve) => (finishOther = resolve));
    });
    await tick();
    const later = permits.run(async () => order.push('later runs'));
    wake();
    await tick();
    // Awake, it waits for the one permit, ahead of the new action that asked before it woke.
    expect(order).toEqual(['sleeper starts', 'other runs']);
    finishOther();
    await Promise.all([sleeper, other, later]);
    expect(order).toEqual(['sleeper starts', 'other runs', 'sleeper awake', 'later runs']);
  });

  it('starts an urgent new action ahead of the other new actions waiting, behind a waking send', async () => {
    const permits = new Permits(1);
    await permits.acquire();
    const order: string[] = [];
    const plain = permits.run(async () => order.push('plain'));
    const urgent = permits.run(async () => order.push('urgent'), true);
    const waking = permits.acquire(true).then(() => order.push('waking'));
    permits.release();
    await waking;
    permits.release();
    await Promise.all([plain, urgent]);
    expect(order).toEqual(['waking', 'urgent', 'plain']);
  });

  it('gives the permit back when the work throws', async () => {
    const permits = new Permits(1);
    await expect(permits.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await permits.run(async () => 'ran')).toBe('ran');
  });

  it('refuses a limit below one', () => {
    expect(() => new Permits(0)).toThrow('at least 1');
  });
});
