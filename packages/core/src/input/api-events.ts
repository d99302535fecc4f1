import { z } from 'zod';
import { ENGAGEMENT_EVENTS } from '../plan/plan-schema.ts';
import type { EventIntakeInput, RecordEventsResult } from '../service/event-intake.ts';

/** One item of `POST /v1/events`: a normalized engagement event from the caller's own pipeline. */
export const apiEventItemSchema = z.strictObject({
  id: z.string().min(1).max(500).describe('Your event id; the same id twice is stored once.'),
  messageId: z.string().min(1).describe('The `message` of a send in the campaign timeline.'),
  type: z.enum(ENGAGEMENT_EVENTS),
  occurredAt: z.iso.datetime({ offset: true }),
  machine: z.boolean().optional(),
  bot: z.boolean().optional(),
  autoReply: z.boolean().optional(),
});

/** The answer to a batch of API events: every item counted once, rejected ones by batch position. */
export interface ApiEventBatchResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; code: 'invalid_event' | RecordEventsResult['rejected'][number]['code'] }[];
}

/**
 * Records a batch of API events: items that do not match `apiEventItemSchema` are rejected as
 * `invalid_event` (the others are still stored), the rest go to `record` as one batch, and every
 * rejection is reported at its position in the batch as given.
 */
export async function recordApiEventBatch(
  record: (batch: readonly EventIntakeInput[]) => Promise<RecordEventsResult>,
  items: readonly unknown[],
): Promise<ApiEventBatchResult> {
  const rejected: ApiEventBatchResult['rejected'] = [];
  const valid: { index: number; input: EventIntakeInput }[] = [];
  for (const [index, raw] of items.entries()) {
    const item = apiEventItemSchema.safeParse(raw);
    if (!item.success) {
      rejected.push({ index, code: 'invalid_event' });
      continue;
    }
    const e = item.data;
    valid.push({
      index,
      input: {
        provider: 'api',
        providerEventId: e.id,
        messageId: e.messageId,
        type: e.type,
        occurredAt: new Date(e.occurredAt),
        machine: e.machine,
        bot: e.bot,
        autoReply: e.autoReply,
        payload: raw,
      },
    });
  }
  const counted = await record(valid.map((v) => v.input));
  for (const r of counted.rejected) rejected.push({ index: valid[r.index]?.index ?? r.index, code: r.code });
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: counted.accepted, duplicates: counted.duplicates, rejected };
}
