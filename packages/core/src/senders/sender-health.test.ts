import { describe, expect, it } from 'vitest';
import { healthVerdict } from './sender-health.ts';

/*
 * The sender health rule (issue 12): judged from 200 live sends on; paused strictly above 0.3 %
 * complaints or 5 % hard bounces. Edges worked out by hand: 0.3 % of 1,000 is 3, of 200 is 0.6; 5 % of
 * 200 is 10, of 1,000 is 50.
 */

describe('healthVerdict', () => {
  it('judges nothing under 200 sends, however bad', () => {
    expect(healthVerdict({ sent: 199, complaints: 199, hardBounces: 199 })).toEqual({ pause: false });
    expect(healthVerdict({ sent: 0, complaints: 0, hardBounces: 0 })).toEqual({ pause: false });
  });

  it('at 200 sends one complaint (0.5 %) pauses; none does not', () => {
    expect(healthVerdict({ sent: 200, complaints: 1, hardBounces: 0 })).toMatchObject({
      pause: true,
      reason: 'complaint_rate',
      figures: { sent: 200, complaints: 1, complaintRate: 0.005 },
    });
    expect(healthVerdict({ sent: 200, complaints: 0, hardBounces: 0 })).toEqual({ pause: false });
  });

  it('exactly 0.3 % complaints is not above the line; one more is', () => {
    expect(healthVerdict({ sent: 1000, complaints: 3, hardBounces: 0 })).toEqual({ pause: false });
    expect(healthVerdict({ sent: 1000, complaints: 4, hardBounces: 0 })).toMatchObject({
      pause: true,
      reason: 'complaint_rate',
    });
  });

  it('exactly 5 % hard bounces is not above the line; one more is', () => {
    expect(healthVerdict({ sent: 200, complaints: 0, hardBounces: 10 })).toEqual({ pause: false });
    expect(healthVerdict({ sent: 200, complaints: 0, hardBounces: 11 })).toMatchObject({
      pause: true,
      reason: 'hard_bounce_rate',
      figures: { hardBounces: 11, hardBounceRate: 0.055 },
    });
    expect(healthVerdict({ sent: 1000, complaints: 0, hardBounces: 50 })).toEqual({ pause: false });
    expect(healthVerdict({ sent: 1000, complaints: 0, hardBounces: 51 }).pause).toBe(true);
  });

  it('names complaints when both lines are crossed', () => {
    expect(healthVerdict({ sent: 400, complaints: 2, hardBounces: 40 })).toMatchObject({
      pause: true,
      reason: 'complaint_rate',
      figures: { complaints: 2, hardBounces: 40 },
    });
  });
});
