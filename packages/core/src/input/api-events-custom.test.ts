import { describe, expect, it } from 'vitest';
import type { CustomEventInput, RecordCustomEventResult } from '../service/custom-event-intake.ts';
import type { EventIntakeInput, RecordEventsResult } from '../service/event-intake.ts';
import { recordApiEventBatch } from './api-events.ts';

/* POST /v1/events with custom items (DESIGN section 14): routing, order and per-position results. */

const at = '2026-03-02T10:00:00Z';
const engagement = (id: string) => ({ id, messageId: 'm1', type: 'opened', occurredAt: at });
const custom = (id: string, more: Record<string, unknown> = { contactId: 'c1' }) => ({
  id,
  type: 'custom',
  name: 'signed_up',
  occurredAt: at,
  ...more,
});

function recorder(customResults: RecordCustomEventResult[]) {
  const calls: string[] = [];
  const record = async (batch: readonly EventIntakeInput[]): Promise<RecordEventsResult> => {
    calls.push(`batch ${batch.map((e) => e.providerEventId).join(',')}`);
    return { accepted: batch.length, duplicates: 0, ignored: 0, rejected: [] };
  };
  const recordCustom = async (input: CustomEventInput): Promise<RecordCustomEventResult> => {
    calls.push(`custom ${input.id} ${input.name} ${input.contactId ?? input.email}`);
    return customResults.shift() ?? { status: 'accepted', stopped: 0 };
  };
  return { calls, record, recordCustom };
}

describe('recordApiEventBatch with custom items', () => {
  it('records in batch order: engagement runs before and after each custom item', async () => {
    const r = recorder([]);
    const items = [engagement('e1'), engagement('e2'), custom('g1'), engagement('e3')];
    const result = await recordApiEventBatch(r.record, items, r.recordCustom);
    expect(r.calls).toEqual(['batch e1,e2', 'custom g1 signed_up c1', 'batch e3']);
    expect(result).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
  });

  it('counts duplicates and reports unknown_contact and implausible_time at their position', async () => {
    const r = recorder([
      { status: 'duplicate' },
      { status: 'unknown_contact' },
      { status: 'implausible_time' },
    ]);
    const items = [custom('g1'), engagement('e1'), custom('g2', { email: 'x@example.com' }), custom('g3')];
    const result = await recordApiEventBatch(r.record, items, r.recordCustom);
    expect(result).toEqual({
      accepted: 1,
      duplicates: 1,
      rejected: [
        { index: 2, code: 'unknown_contact' },
        { index: 3, code: 'implausible_time' },
      ],
    });
  });

  it('refuses as invalid_event: both or neither of contactId and email, a bad name, no id', async () => {
    const r = recorder([]);
    const items = [
      custom('g1', { contactId: 'c1', email: 'a@example.com' }),
      custom('g2', {}),
      { ...custom('g3'), name: 'no spaces allowed' },
      { ...custom('g4'), id: undefined },
    ];
    const result = await recordApiEventBatch(r.record, items, r.recordCustom);
    expect(r.calls).toEqual([]);
    expect(result.rejected).toEqual([0, 1, 2, 3].map((index) => ({ index, code: 'invalid_event' })));
  });

  it('without a custom recorder a custom item is invalid_event, never dropped silently', async () => {
    const r = recorder([]);
    const result = await recordApiEventBatch(r.record, [custom('g1'), engagement('e1')]);
    expect(result).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 0, code: 'invalid_event' }] });
  });
});
