import { randomUUID } from 'node:crypto';
import { ManualClock } from '@campaign/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { emailPlan, logSmsSender, smsPlan } from './support/fixtures.ts';
import { campaignUuid, eventually, useApi } from './support/start-api.ts';

/*
 * POST /v1/events for an SMS message (DESIGN section 10: an SMS has no opens or clicks): an `opened`
 * or `clicked` item is refused at its position as `channel_event_mismatch` and stored nowhere, while
 * the other items of the batch land as before; the same types for an email message are accepted.
 */

/** Monday noon UTC: inside the SMS window [08:00, 21:00) of the plans' zone, so the sends go at once. */
const T0 = new Date('2026-03-02T12:00:00.000Z');
const AT = new Date(T0.getTime() + 60_000).toISOString();

describe('POST /v1/events: no opens or clicks for an SMS', { timeout: 60_000 }, () => {
  const api = useApi({ QUEUE_POLL_SECONDS: '0.1' }, { clock: new ManualClock(T0), workers: true });
  const { call } = api;

  beforeAll(async () => {
    const sender = await call('POST', '/v1/senders', logSmsSender);
    expect(sender.status).toBe(201);
  });

  /** A campaign of `plan` for `contact`, and the id of the message its one send sent. */
  async function sentMessage(contact: object, plan: object): Promise<string> {
    const created = await call('POST', '/v1/campaigns', { contact, plan });
    expect(created.status).toBe(201);
    return eventually(async () => {
      const row = await api.database.db
        .selectFrom('outbound_messages')
        .select(['id', 'status'])
        .where('campaign_id', '=', campaignUuid(String(created.json.id)))
        .executeTakeFirst();
      return row?.status === 'sent' ? row.id : undefined;
    }, 'the send');
  }

  const storedTypes = async (messageId: string) =>
    (
      await api.database.db
        .selectFrom('message_events')
        .select('type')
        .where('message_id', '=', messageId)
        .orderBy('type')
        .execute()
    ).map((r) => r.type);

  it('refuses each open and click of an SMS by position, stores none, and takes the rest of the batch', async () => {
    const sms = await sentMessage({ phone: '+4915112345678', name: 'Ada' }, smsPlan());
    const email = await sentMessage({ email: `${randomUUID()}@example.com` }, emailPlan);
    const item = (messageId: string, type: string) => ({ id: randomUUID(), messageId, type, occurredAt: AT });
    const batch = [
      item(sms, 'delivered'),
      item(sms, 'opened'),
      item(email, 'opened'),
      item(sms, 'clicked'),
      item(email, 'clicked'),
      item(sms, 'replied'),
    ];

    const answer = await call('POST', '/v1/events', { events: batch });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({
      accepted: 4,
      duplicates: 0,
      rejected: [
        { index: 1, code: 'channel_event_mismatch' },
        { index: 3, code: 'channel_event_mismatch' },
      ],
    });
    expect(await storedTypes(sms)).toEqual(['delivered', 'replied']);
    expect(await storedTypes(email)).toEqual(['clicked', 'opened']);

    // Stored nowhere: sent again, the refused ones are refused again, not counted as duplicates.
    const again = await call('POST', '/v1/events', { events: batch });
    expect(again.json).toEqual({ accepted: 0, duplicates: 4, rejected: answer.json.rejected });
  });
});
