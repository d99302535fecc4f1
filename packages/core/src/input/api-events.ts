import { z } from 'zod';
import { ENGAGEMENT_EVENTS, goalNameSchema } from '../plan/plan-schema.ts';
import type { CustomEventInput, RecordCustomEventResult } from '../service/custom-event-intake.ts';
import type { EventIntakeInput, RecordEventsResult } from '../service/event-intake.ts';

/** An engagement item of `POST /v1/events`: a normalized event of a message, from the caller's own pipeline. */
export const apiEngagementItemSchema = z.strictObject({
  id: z.string().min(1).max(500).describe('Your event id; the same id twice is stored once.'),
  messageId: z.string().min(1).describe('The `message` of a send in the campaign timeline.'),
  type: z.enum(ENGAGEMENT_EVENTS),
  occurredAt: z.iso.datetime({ offset: true }),
  machine: z.boolean().optional(),
  bot: z.boolean().optional(),
  autoReply: z.boolean().optional(),
});

/**
 * A custom item of `POST /v1/events` (DESIGN section 14): a contact event that is not about a message
 * (from the team's CRM or app), for `contactId` or else every contact with `email`. A plan's `goals`
 * name such events; `event` branch conditions read them.
 */
export const apiCustomItemSchema = z
  .strictObject({
    id: z.string().min(1).max(500).describe('Your event id; the same id twice for a contact is stored once.'),
    type: z.literal('custom'),
    name: goalNameSchema,
    contactId: z
      .string()
      .min(1)
      .optional()
      .describe('The contact, by the id its campaigns were created with.'),
    email: z.string().min(1).optional().describe('Else the contact(s) with this address.'),
    occurredAt: z.iso.datetime({ offset: true }),
  })
  .refine((item) => (item.contactId === undefined) !== (item.email === undefined), {
    message: 'give exactly one of "contactId" and "email"',
  });

/** One item of `POST /v1/events`: an engagement event of a message, or a custom event of a contact. */
export const apiEventItemSchema = z.union([apiEngagementItemSchema, apiCustomItemSchema]);

/** The answer to a batch of API events: every item counted once, rejected ones by batch position. */
export interface ApiEventBatchResult {
  accepted: number;
  duplicates: number;
  rejected: {
    index: number;
    code: 'invalid_event' | 'unknown_contact' | RecordEventsResult['rejected'][number]['code'];
  }[];
}

/** Records one custom event (CustomEventIntake.record). */
export type RecordCustomEvent = (input: CustomEventInput) => Promise<RecordCustomEventResult>;

/**
 * Records a batch of API events: items that match no item schema are rejected as `invalid_event` (the
 * others are still stored), and every rejection is reported at its position in the batch as given.
 * Engagement items go to `record` in batches, custom items to `recordCustom` one by one, in batch
 * order (the engagement items before a custom item are recorded before it).
 */
export async function recordApiEventBatch(
  record: (batch: readonly EventIntakeInput[]) => Promise<RecordEventsResult>,
  items: readonly unknown[],
  recordCustom?: RecordCustomEvent,
): Promise<ApiEventBatchResult> {
  const result: ApiEventBatchResult = { accepted: 0, duplicates: 0, rejected: [] };
  let run: { index: number; input: EventIntakeInput }[] = [];
  const flush = async (): Promise<void> => {
    if (run.length === 0) return;
    const batch = run;
    run = [];
    const counted = await record(batch.map((v) => v.input));
    result.accepted += counted.accepted;
    result.duplicates += counted.duplicates;
    for (const r of counted.rejected) {
      result.rejected.push({ index: batch[r.index]?.index ?? r.index, code: r.code });
    }
  };
  for (const [index, raw] of items.entries()) {
    const item = apiEventItemSchema.safeParse(raw);
    if (!item.success || (item.data.type === 'custom' && recordCustom === undefined)) {
      result.rejected.push({ index, code: 'invalid_event' });
      continue;
    }
    const e = item.data;
    if (e.type === 'custom') {
      await flush();
      const custom = await (recordCustom as RecordCustomEvent)({
        id: e.id,
        name: e.name,
        occurredAt: new Date(e.occurredAt),
        contactId: e.contactId,
        email: e.email,
        payload: raw,
      });
      if (custom.status === 'accepted') result.accepted += 1;
      else if (custom.status === 'duplicate') result.duplicates += 1;
      else result.rejected.push({ index, code: custom.status });
      continue;
    }
    run.push({
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
  await flush();
  result.rejected.sort((a, b) => a.index - b.index);
  return result;
}
