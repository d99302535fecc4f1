import { describe, expect, it } from 'vitest';
import { EVENT_TIME_TOLERANCE_MS, implausibleEventTime } from './event-time.ts';

/* The plausibility bounds of an event's time (issue 9 item 9): 5 minutes each way, the bound itself allowed. */

const SENT = new Date('2026-01-05T10:00:00.000Z');
const NOW = new Date('2026-01-05T12:00:00.000Z');
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
const MINUTE = 60_000;

describe('implausibleEventTime', () => {
  it('the tolerance is 5 minutes', () => {
    expect(EVENT_TIME_TOLERANCE_MS).toBe(5 * MINUTE);
  });

  it('regression: an open dated 2000-01-01 for a message sent in 2026 is before_send', () => {
    expect(implausibleEventTime(new Date('2000-01-01T00:00:00Z'), SENT, NOW)).toBe('before_send');
  });

  it('before the send: exactly 5 minutes is plausible, 1 ms more is not', () => {
    expect(implausibleEventTime(at(SENT, -5 * MINUTE), SENT, NOW)).toBeNull();
    expect(implausibleEventTime(at(SENT, -5 * MINUTE - 1), SENT, NOW)).toBe('before_send');
    expect(implausibleEventTime(at(SENT, -4 * MINUTE), SENT, NOW)).toBeNull();
  });

  it('ahead of the clock: exactly 5 minutes is plausible, 1 ms more is not', () => {
    expect(implausibleEventTime(at(NOW, 5 * MINUTE), SENT, NOW)).toBeNull();
    expect(implausibleEventTime(at(NOW, 5 * MINUTE + 1), SENT, NOW)).toBe('future');
    expect(implausibleEventTime(at(NOW, 6 * MINUTE), SENT, NOW)).toBe('future');
  });

  it('any time between the send and now is plausible', () => {
    expect(implausibleEventTime(SENT, SENT, NOW)).toBeNull();
    expect(implausibleEventTime(at(SENT, 90 * MINUTE), SENT, NOW)).toBeNull();
    expect(implausibleEventTime(NOW, SENT, NOW)).toBeNull();
  });

  it('without a send time (an event with no message, or one not sent yet) only the future bound applies', () => {
    expect(implausibleEventTime(new Date('2000-01-01T00:00:00Z'), null, NOW)).toBeNull();
    expect(implausibleEventTime(at(NOW, 6 * MINUTE), null, NOW)).toBe('future');
  });

  it('an event far in the future of a message sent just now is future, not before_send', () => {
    expect(implausibleEventTime(at(NOW, 60 * MINUTE), NOW, NOW)).toBe('future');
  });
});
