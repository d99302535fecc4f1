import { describe, expect, it } from 'vitest';
import { ignoredReason } from './ignored.ts';

const plan = {
  nodes: [
    { id: 'hello', action: 'send', transitions: [{ on: 'opened', to: 'wait', within: 'P2D' }] },
    { id: 'wait', action: 'wait', transitions: [{ on: 'replied', to: 'done' }] },
    { id: 'done', action: 'end' },
  ],
};
const at = '2026-01-01T00:00:00.000Z';
const sent = [
  { at, kind: 'enter', node: 'hello' },
  { at, kind: 'send', node: 'hello', message: 'm1' },
];
const event = (type: string, message: string | null, effect = 'ignored') => ({
  at,
  kind: 'event',
  type,
  message,
  effect,
});

describe('ignoredReason', () => {
  it('is empty for an entry that is not an ignored event', () => {
    expect(ignoredReason([...sent, event('opened', 'm1', 'transition')], 2, plan)).toBe('');
    expect(ignoredReason(sent, 1, plan)).toBe('');
    expect(ignoredReason(sent, 7, plan)).toBe('');
  });

  it('names a node that does not wait for that event', () => {
    expect(ignoredReason([...sent, event('clicked', 'm1')], 2, plan)).toBe(
      'node hello has no transition on clicked',
    );
  });

  it('says the time limit passed when every transition on it has `within`', () => {
    expect(ignoredReason([...sent, event('opened', 'm1')], 2, plan)).toBe(
      'node hello takes opened only within P2D, which had passed',
    );
  });

  it('says the event was about another message', () => {
    expect(ignoredReason([...sent, event('opened', 'other')], 2, plan)).toBe(
      'it is not about the message node hello sent',
    );
  });

  it('follows transitions to the node the campaign was at', () => {
    const entries = [
      ...sent,
      { at, kind: 'transition', from: 'hello', to: 'wait' },
      { at, kind: 'send', node: 'wait', message: 'm1' },
      event('replied', 'm1'),
    ];
    expect(ignoredReason(entries, 4, plan)).toBe('a repeat: node wait had already counted this replied');
  });

  it('says a paused, ended or not yet started campaign ignores events', () => {
    expect(ignoredReason([...sent, { at, kind: 'pause' }, event('opened', 'm1')], 3, plan)).toBe(
      'the campaign was paused',
    );
    expect(
      ignoredReason(
        [...sent, { at, kind: 'pause' }, { at, kind: 'resume' }, event('clicked', 'm1')],
        4,
        plan,
      ),
    ).toBe('node hello has no transition on clicked');
    expect(ignoredReason([...sent, { at, kind: 'end' }, event('opened', 'm1')], 3, plan)).toBe(
      'the campaign had already ended',
    );
    expect(ignoredReason([event('opened', null)], 0, plan)).toBe('the campaign had not started yet');
  });
});
