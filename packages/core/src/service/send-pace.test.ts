import { describe, expect, it } from 'vitest';
import { assumedPace, atHand, PACE_CLAIMS, pacedRetry, senderPace } from './send-pace.ts';

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

  it('at the caps’ instant without a pace, with nobody ahead, or when 0.9 of the time its pace gives the sends ahead is no later', () => {
    expect(pacedRetry(until, NOW, 100, null, null)).toEqual(until);
    expect(pacedRetry(until, NOW, 0, { intervalMs: 200, ...always }, null)).toEqual(until);
    // 100 sends 55 ms apart: 5.5 s, of which 0.9 is 4.95 s.
    expect(pacedRetry(until, NOW, 100, { intervalMs: 55, ...always }, null)).toEqual(until);
  });

  it('later when the sender goes slower: at 0.9 of the time its pace gives the sends ahead', () => {
    // 100 sends 60 ms apart: 6 s, of which 0.9 is 5.4 s.
    expect(pacedRetry(until, NOW, 100, { intervalMs: 60, ...always }, null)).toEqual(at(5_400));
  });

  it('before the sender has a pace, a line that keeps its sends at hand assumes half its gap’s rate; a send a daily cap holds keeps the caps’ instant', () => {
    // 100 sends 100 ms apart (half the 50 ms gap's rate): 10 s, of which 0.9 is 9 s.
    expect(pacedRetry(until, NOW, 100, { ...assumedPace(50), ...always }, null)).toEqual(at(9_000));
    // Held by a daily cap until the next local midnight, 15 hours away: the sends ahead take far less.
    const midnight = at(15 * 3_600_000);
    expect(pacedRetry(midnight, NOW, 100, { ...assumedPace(50), ...always }, null)).toEqual(midnight);
  });

  it('at most twice as far as the caps’ instant (a pace measured while the line stalled)', () => {
    expect(pacedRetry(until, NOW, 100, { intervalMs: 300, ...always }, null)).toEqual(at(10_000));
  });

  it('never on an instant the plan forbids, nor after the send expires: then at the caps’ instant', () => {
    const forbidden = { intervalMs: 60, allowed: (t: Date) => t.getTime() !== at(5_400).getTime() };
    expect(pacedRetry(until, NOW, 100, forbidden, null)).toEqual(until);
    expect(pacedRetry(until, NOW, 100, { intervalMs: 60, ...always }, at(5_399))).toEqual(until);
    expect(pacedRetry(until, NOW, 100, { intervalMs: 60, ...always }, at(5_400))).toEqual(at(5_400));
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
