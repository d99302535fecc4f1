import { describe, expect, it } from 'vitest';
import { collect } from './normalize.ts';
import type { NormalizedEvent } from './types.ts';

const event = (payload: unknown, providerEventId = 'evt-1'): NormalizedEvent => ({
  providerEventId,
  echoedMessageId: null,
  providerMessageId: null,
  messageIdHeader: null,
  type: 'opened',
  rawType: 'open',
  occurredAt: new Date('2026-03-06T17:00:00.000Z'),
  email: 'ada@example.com',
  machine: false,
  bot: false,
  autoReply: false,
  payload,
});

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i += 1) value = { a: value };
  return value;
}

describe('collect', () => {
  // regression: a verified payload with a NUL or a lone surrogate reached Postgres (jsonb refuses them) and answered 500
  it('rejects an item that cannot be stored and keeps the others', () => {
    const items = [
      event({ ok: 'fine 😀' }),
      event({ reason: 'bad\u0000' }),
      event({ 'k\u0000': 1 }),
      event({ ua: ['\uD800'] }),
      event({}, 'evt\u0000'),
      event(nested(33)),
      event(nested(32)),
    ];
    const { events, rejected } = collect(items, (item) => item as NormalizedEvent);
    expect(events).toEqual([items[0], items[6]]);
    expect(rejected).toEqual([
      { index: 1, code: 'unstorable_value', message: expect.stringContaining('NUL character (U+0000)') },
      { index: 2, code: 'unstorable_value', message: expect.stringContaining('NUL character (U+0000)') },
      { index: 3, code: 'unstorable_value', message: expect.stringContaining('lone UTF-16 surrogate') },
      { index: 4, code: 'unstorable_value', message: expect.stringContaining('NUL character (U+0000)') },
      { index: 5, code: 'unstorable_value', message: 'the payload is nested more than 32 levels deep' },
    ]);
  });

  it('checks a payload nested thousands of levels deep without a stack overflow', () => {
    const { rejected } = collect([event(nested(100_000))], (item) => item as NormalizedEvent);
    expect(rejected).toEqual([expect.objectContaining({ index: 0, code: 'unstorable_value' })]);
  });
});
