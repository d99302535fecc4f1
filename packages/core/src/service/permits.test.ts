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

  it('keeps permits for sleeping sends: one each, at most half the limit; a new action starts only above that, a waking send takes any', async () => {
    const permits = new Permits(4);
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const hold = (name: string) =>
      permits.run(async () => {
        started.push(name);
        await new Promise<void>((resolve) => finish.set(name, resolve));
      });
    const wakes: (() => void)[] = [];
    // Three sends start, then sleep (each gives its permit back): two of the four are kept for them.
    const sleepers = ['s1', 's2', 's3'].map((name) =>
      permits.run(async () => {
        started.push(name);
        await permits.sleep(() => new Promise<void>((resolve) => wakes.push(resolve)));
        started.push(`${name} awake`);
        await new Promise<void>((resolve) => finish.set(name, resolve));
      }),
    );
    await tick();
    expect(permits.reserved).toBe(2);
    const news = ['a', 'b', 'c'].map(hold);
    await tick();
    // Four free, two kept: two new actions start, the third waits.
    expect(started).toEqual(['s1', 's2', 's3', 'a', 'b']);
    // Two sends wake: they take the two kept permits at once.
    wakes.shift()?.();
    wakes.shift()?.();
    await tick();
    await tick();
    expect(started).toEqual(['s1', 's2', 's3', 'a', 'b', 's1 awake', 's2 awake']);
    // One sleeps still (one kept, none free): a finished new action's permit goes to no new action while
    // one is kept, and to the waiting new action once the last send woke and took its own.
    finish.get('a')?.();
    await tick();
    expect(started).not.toContain('c');
    wakes.shift()?.();
    await tick();
    await tick();
    expect(started.slice(-1)).toEqual(['s3 awake']);
    finish.get('s1')?.();
    await tick();
    await tick();
    expect(started.slice(-1)).toEqual(['c']);
    for (const name of ['b', 'c', 's2', 's3']) finish.get(name)?.();
    await Promise.all([...sleepers, ...news]);
  });

  it('keeps none with one permit: the send a sleeping one waits for can still start', async () => {
    const permits = new Permits(1);
    let wake = () => {};
    const sleeper = permits.run(() => permits.sleep(() => new Promise<void>((resolve) => (wake = resolve))));
    await tick();
    expect(permits.reserved).toBe(0);
    expect(await permits.run(async () => 'ran')).toBe('ran');
    wake();
    await sleeper;
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
