import { describe, expect, it } from 'vitest';
import type { EventIntakeInput, RecordEventsResult } from '../service/event-intake.ts';
import { recordApiEventBatch } from './api-events.ts';

const good = (id: string) => ({
  id,
  messageId: 'msg_1',
  type: 'opened',
  occurredAt: '2026-03-06T17:00:00Z',
});

describe('recordApiEventBatch', () => {
  it('rejects malformed items by their batch position and records the rest as one batch', async () => {
    const batches: (readonly EventIntakeInput[])[] = [];
    const record = async (batch: readonly EventIntakeInput[]): Promise<RecordEventsResult> => {
      batches.push(batch);
      // The store refuses the second valid item (batch position 1 of the valid ones, 3 of the request).
      return { accepted: 1, duplicates: 0, ignored: 0, rejected: [{ index: 1, code: 'unknown_message' }] };
    };
    const result = await recordApiEventBatch(record, [
      good('e1'),
      { ...good('e2'), type: 'opend' },
      'not an object',
      good('e4'),
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((e) => e.providerEventId)).toEqual(['e1', 'e4']);
    expect(batches[0]?.[0]).toMatchObject({
      provider: 'api',
      messageId: 'msg_1',
      type: 'opened',
      occurredAt: new Date('2026-03-06T17:00:00Z'),
      payload: good('e1'),
    });
    expect(result).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 1, code: 'invalid_event' },
        { index: 2, code: 'invalid_event' },
        { index: 3, code: 'unknown_message' },
      ],
    });
  });
});
