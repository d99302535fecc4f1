import { describe, expect, it } from 'vitest';
import { atHand, PACE_CLAIMS, pacedRetry, senderPace } from './send-pace.ts';

const NOW = new Date('2026-03-02T08:00:10.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const always = { allowed: () => true };

describe('a sender’s recent pace', () => {
  it('is the mean interval over its last PACE_CLAIMS claims', () => {
    // The latest claim 50 ms ago, the one PACE_CLAIMS before it a second before that: 100 ms apart.
    expect(senderPace(at(-50), at(-50 - PACE_CLAIMS * 100), NOW)).toEqual({ intervalMs: 100 });
  });

  it('is slower while the line stalls: as if the next claim were now', () => {
    // Ten claims 100 ms apart, the latest 1,200 ms ago: 11 intervals in 2,200 ms.
    expect(senderPace(at(-1_200), at(-1_200 - PACE_CLAIMS * 100), NOW)).toEqual({ intervalMs: 200 });
  });

  it('is unknown with fewer claims, or when they did not all fall within the last minute', () => {
    expect(senderPace(null, null, NOW)).toBeNull();
    expect(senderPace(at(-50), null, NOW)).toBeNull();
    expect(senderPace(at(-50), at(-60_001), NOW)).toBeNull();
    expect(senderPace(at(-50), at(-60_000), NOW)).not.toBeNull();
  });
});

describe('when a deferred send is tried again (pacedRetry)', () => {
  // Behind a 50 ms gap with 100 sends ahead, the caps' instant is 5 s away.
  const until = at(5_000);

  it('at the caps’ instant without a pace, with nobody ahead, or when the pace is at least half the gap’s', () => {
    expect(pacedRetry(until, NOW, 100, null, null)).toEqual(until);
    expect(pacedRetry(until, NOW, 0, { intervalMs: 200, ...always }, null)).toEqual(until);
    expect(pacedRetry(until, NOW, 100, { intervalMs: 100, ...always }, null)).toEqual(until);
  });

  it('later when the sender goes slower: at half the time its pace gives the sends ahead', () => {
    expect(pacedRetry(until, NOW, 100, { intervalMs: 120, ...always }, null)).toEqual(at(6_000));
  });

  it('at most twice as far as the caps’ instant (a pace measured while the line stalled)', () => {
    expect(pacedRetry(until, NOW, 100, { intervalMs: 300, ...always }, null)).toEqual(at(10_000));
  });

  it('never on an instant the plan forbids, nor after the send expires: then at the caps’ instant', () => {
    const forbidden = { intervalMs: 120, allowed: (t: Date) => t.getTime() !== at(6_000).getTime() };
    expect(pacedRetry(until, NOW, 100, forbidden, null)).toEqual(until);
    expect(pacedRetry(until, NOW, 100, { intervalMs: 120, ...always }, at(5_999))).toEqual(until);
    expect(pacedRetry(until, NOW, 100, { intervalMs: 120, ...always }, at(6_000))).toEqual(at(6_000));
  });
});

describe('the sends a line keeps at hand behind a claimed one', () => {
  const line = { senderId: 's', mode: 'live' as const, actionId: 'a', dueAt: at(-60_000) };

  it('are those the line reaches within the wait at the min gap’s pace, at most 16', () => {
    expect(atHand(line, NOW, 50, null, 1_000)).toEqual({ line, at: NOW, intervalMs: 50, count: 16 });
    expect(atHand(line, NOW, 200, null, 1_000)).toEqual({ line, at: NOW, intervalMs: 200, count: 5 });
  });

  it('are fewer when the sender’s recent pace is slower than its gap (a faster one does not count)', () => {
    expect(atHand(line, NOW, 50, { intervalMs: 125 }, 1_000)).toMatchObject({ intervalMs: 125, count: 8 });
    expect(atHand(line, NOW, 50, { intervalMs: 10 }, 1_000)).toMatchObject({ intervalMs: 50, count: 16 });
  });

  it('are none without a wait, without a fixed min gap, or with a gap longer than the wait', () => {
    expect(atHand(line, NOW, 50, null, 0)).toBeNull();
    expect(atHand(line, NOW, null, null, 1_000)).toBeNull();
    expect(atHand(line, NOW, 2_000, null, 1_000)).toBeNull();
  });
});
