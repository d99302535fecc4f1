import { describe, expect, it } from 'vitest';
import { type RecordEventResult, tallyEvent } from './event-intake.ts';

/*
 * How one event's result counts in a batch (the API's and the webhooks' per-item accounting): the
 * rules the two controllers' loops had, now in one place.
 */

const accepted: RecordEventResult = { status: 'accepted', eventId: 'e1', effect: 'transition' };
const acceptedIgnored: RecordEventResult = { status: 'accepted', eventId: 'e2', effect: 'ignored' };

describe('tallyEvent', () => {
  it('counts a stored engagement event as accepted, whatever its effect on the campaign', () => {
    expect(tallyEvent('opened', accepted)).toBe('accepted');
    expect(tallyEvent('opened', acceptedIgnored)).toBe('accepted');
  });

  it('counts a redelivery as a duplicate and an implausible time as rejected, whatever the type', () => {
    expect(tallyEvent('clicked', { status: 'duplicate' })).toBe('duplicate');
    expect(tallyEvent(null, { status: 'duplicate' })).toBe('duplicate');
    expect(tallyEvent('opened', { status: 'implausible_time' })).toBe('implausible_time');
    expect(tallyEvent(null, { status: 'implausible_time' })).toBe('implausible_time');
  });

  it('counts an event of a type the engine does not act on as ignored, also when it names no message', () => {
    expect(tallyEvent(null, acceptedIgnored)).toBe('ignored');
    expect(tallyEvent(null, { status: 'unknown_message' })).toBe('ignored');
  });

  it('rejects an open or click of an SMS message as channel_event_mismatch, never a duplicate', () => {
    expect(tallyEvent('opened', { status: 'channel_event_mismatch' })).toBe('channel_event_mismatch');
    expect(tallyEvent('clicked', { status: 'channel_event_mismatch' })).toBe('channel_event_mismatch');
  });

  it('rejects an engagement event that names no message we know as unknown_message', () => {
    expect(tallyEvent('opened', { status: 'unknown_message' })).toBe('unknown_message');
  });
});
