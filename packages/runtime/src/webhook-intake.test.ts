import type { EventIntakeInput, RecordEventsResult } from '@campaign/core';
import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from './metrics.ts';
import { type VerifiedWebhook, type VerifiedWebhookEvent, WebhookIntake } from './webhook-intake.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const MESSAGE = '0b6f1c9e-5a2d-4c3b-9e8f-7a6b5c4d3e2f';

function event(id: string, overrides: Partial<VerifiedWebhookEvent> = {}): VerifiedWebhookEvent {
  return {
    providerEventId: id,
    echoedMessageId: null,
    providerMessageId: null,
    messageIdHeader: null,
    type: 'opened',
    rawType: 'open',
    occurredAt: new Date('2026-03-01T11:59:00.000Z'),
    email: null,
    machine: false,
    bot: false,
    autoReply: false,
    payload: { id },
    ...overrides,
  };
}

/** An intake on a verifier that answers `verified`, recording into `recorded` and answering `counted`. */
function intakeOf(
  verified: VerifiedWebhook,
  counted: RecordEventsResult = { accepted: 0, duplicates: 0, ignored: 0, rejected: [] },
  confirmSubscription?: (url: string) => Promise<unknown>,
) {
  const metrics = new PrometheusMetrics();
  const calls: { provider: string; rawBody: string; now: Date }[] = [];
  const recorded: (readonly EventIntakeInput[])[] = [];
  const errors: string[] = [];
  const intake = new WebhookIntake({
    providers: ['sendgrid', 'ses'] as const,
    verifier: {
      handle: async (provider, request, now) => {
        calls.push({ provider, rawBody: request.rawBody.toString(), now });
        return verified;
      },
    },
    recordEvents: async (batch) => {
      recorded.push(batch);
      return counted;
    },
    metrics,
    clock: { now: () => NOW },
    logger: { error: (_obj: unknown, message?: string) => void errors.push(message ?? '') },
    ...(confirmSubscription ? { confirmSubscription } : {}),
  });
  const series = async () =>
    Object.fromEntries(
      (await metrics.webhookEvents.get()).values
        .filter((v) => v.value !== 0)
        .map((v) => [`${v.labels.provider}/${v.labels.result}`, v.value]),
    );
  return { intake, calls, recorded, errors, series };
}

const headers = { 'content-type': 'application/json' };

describe('WebhookIntake', () => {
  it('an unknown provider name is a 404 naming the routes; nothing is verified, recorded or counted', async () => {
    const t = intakeOf({ ok: true, events: [event('e1')], rejected: [] });
    const answer = await t.intake.receive('constructor', { rawBody: Buffer.from('{}'), headers });
    expect(answer).toEqual({
      ok: false,
      status: 404,
      code: 'not_found',
      title: 'Unknown webhook provider',
      detail: 'webhooks are received at /v1/webhooks/{sendgrid,ses}',
    });
    expect(t.calls).toEqual([]);
    expect(t.recorded).toEqual([]);
    expect(await t.series()).toEqual({});
  });

  it('a request the verifier refuses is answered with its status and code, counted unauthorized (401) or malformed (400), and records nothing', async () => {
    const unauthorized = intakeOf({ ok: false, status: 401, code: 'bad_signature', message: 'no match' });
    expect(await unauthorized.intake.receive('sendgrid', { rawBody: undefined, headers })).toEqual({
      ok: false,
      status: 401,
      code: 'bad_signature',
      title: 'Unauthorized',
      detail: 'no match',
    });
    expect(unauthorized.recorded).toEqual([]);
    expect(await unauthorized.series()).toEqual({ 'sendgrid/unauthorized': 1 });
    // No raw body (a parser that kept none) is verified as an empty body, never skipped.
    expect(unauthorized.calls).toEqual([{ provider: 'sendgrid', rawBody: '', now: NOW }]);

    const malformed = intakeOf({ ok: false, status: 400, code: 'invalid_json', message: 'not JSON' });
    expect(await malformed.intake.receive('ses', { rawBody: Buffer.from('{'), headers })).toMatchObject({
      ok: false,
      status: 400,
      code: 'invalid_json',
      title: 'Malformed webhook',
    });
    expect(malformed.recorded).toEqual([]);
    expect(await malformed.series()).toEqual({ 'ses/malformed': 1 });
  });

  it('verified events are recorded as one batch under the provider name, our message id read from the Message-ID header', async () => {
    const t = intakeOf({
      ok: true,
      events: [
        event('e1', { messageIdHeader: `<${MESSAGE}@mail.example.com>`, providerMessageId: 'sg-1' }),
        event('e2', { echoedMessageId: MESSAGE, email: 'a@example.com', type: null, rawType: 'deferred' }),
        event('e3', { messageIdHeader: '<not-ours@elsewhere.example>' }),
      ],
      rejected: [],
    });
    await t.intake.receive('sendgrid', { rawBody: Buffer.from('[1]'), headers });
    expect(t.calls).toEqual([{ provider: 'sendgrid', rawBody: '[1]', now: NOW }]);
    expect(t.recorded).toHaveLength(1);
    const [first, second, third] = t.recorded[0] ?? [];
    expect(first).toEqual({
      provider: 'sendgrid',
      providerEventId: 'e1',
      echoedMessageId: undefined,
      messageId: MESSAGE,
      providerMessageId: 'sg-1',
      email: undefined,
      type: 'opened',
      rawType: 'open',
      occurredAt: new Date('2026-03-01T11:59:00.000Z'),
      machine: false,
      bot: false,
      autoReply: false,
      payload: { id: 'e1' },
    });
    expect(second).toMatchObject({
      echoedMessageId: MESSAGE,
      messageId: undefined,
      email: 'a@example.com',
      type: null,
      rawType: 'deferred',
    });
    // A Message-ID that is not ours names no message: the event still goes in, to be matched otherwise.
    expect(third).toMatchObject({ providerEventId: 'e3', messageId: undefined });
  });

  it('answers the counts: items the verifier could not read by index, events the engine refused by provider event id; every outcome counted once', async () => {
    const t = intakeOf(
      {
        ok: true,
        events: [event('e0'), event('e1'), event('e2'), event('e3'), event('e4'), event('e5')],
        rejected: [{ index: 6, code: 'invalid_item' }],
      },
      {
        accepted: 2,
        duplicates: 1,
        ignored: 0,
        rejected: [
          { index: 3, code: 'unknown_message' },
          { index: 4, code: 'implausible_time' },
          { index: 5, code: 'implausible_time' },
        ],
      },
    );
    const answer = await t.intake.receive('sendgrid', { rawBody: Buffer.from('[]'), headers });
    expect(answer).toEqual({
      ok: true,
      body: {
        accepted: 2,
        duplicates: 1,
        ignored: 0,
        rejected: [
          { index: 6, code: 'invalid_item' },
          { id: 'e3', code: 'unknown_message' },
          { id: 'e4', code: 'implausible_time' },
          { id: 'e5', code: 'implausible_time' },
        ],
      },
    });
    // Implausible times are counted apart from the other rejections: 4 rejected items, 2 of them implausible.
    expect(await t.series()).toEqual({
      'sendgrid/accepted': 2,
      'sendgrid/duplicate': 1,
      'sendgrid/implausible_time': 2,
      'sendgrid/rejected': 2,
    });
  });

  it('an SNS subscription confirmation visits the SubscribeURL before the events are recorded', async () => {
    const order: string[] = [];
    const url = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t';
    const t = intakeOf(
      {
        ok: true,
        events: [],
        rejected: [],
        reply: { kind: 'sns_subscription_confirmation', subscribeUrl: url },
      },
      undefined,
      async (visited) => void order.push(`confirm ${visited}`),
    );
    const answer = await t.intake.receive('ses', { rawBody: Buffer.from('{}'), headers });
    order.push(`recorded ${t.recorded.length}`);
    expect(order).toEqual([`confirm ${url}`, 'recorded 1']);
    expect(answer).toEqual({ ok: true, body: { accepted: 0, duplicates: 0, ignored: 0, rejected: [] } });
  });

  it('a failed SNS confirmation is logged and the request still answered 200 with its events recorded', async () => {
    const t = intakeOf(
      {
        ok: true,
        events: [event('e1')],
        rejected: [],
        reply: { kind: 'sns_subscription_confirmation', subscribeUrl: 'https://sns.example/confirm' },
      },
      { accepted: 1, duplicates: 0, ignored: 0, rejected: [] },
      async () => {
        throw new Error('ECONNREFUSED');
      },
    );
    const answer = await t.intake.receive('ses', { rawBody: Buffer.from('{}'), headers });
    expect(answer).toMatchObject({ ok: true, body: { accepted: 1 } });
    expect(t.errors).toEqual(['SNS subscription confirmation failed']);
    expect(t.recorded[0]).toHaveLength(1);
  });
});
