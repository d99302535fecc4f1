import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { planReads } from './plan-reads.ts';

const send = { id: 's', action: 'send', subject: 'x', body: 'y', transitions: [] };
const end = { id: 'e', action: 'end' };
const plan = (nodes: unknown[]): Plan => ({ version: '1.1', startNodeId: 's', nodes }) as unknown as Plan;

describe('planReads: only plans that branch or split read the contact, only engaged conditions the engagements', () => {
  it('a plan of sends reads neither', () => {
    expect(planReads(plan([send, end]))).toEqual({ contact: false, engagements: false, customEvents: false });
  });

  it('a split reads the contact only', () => {
    const split = {
      id: 'ab',
      action: 'split',
      variants: [
        { id: 'A', weight: 1, to: 's' },
        { id: 'B', weight: 1, to: 'e' },
      ],
    };
    expect(planReads(plan([split, send, end]))).toEqual({
      contact: true,
      engagements: false,
      customEvents: false,
    });
  });

  it('a branch on an attribute reads the contact; an engaged condition nested in all/any/not reads engagements', () => {
    const onAttribute = {
      id: 'b',
      action: 'branch',
      branches: [{ when: { attribute: 'x', exists: true }, to: 'e' }],
      otherwise: 's',
    };
    expect(planReads(plan([onAttribute, send, end]))).toEqual({
      contact: true,
      engagements: false,
      customEvents: false,
    });
    const nested = {
      ...onAttribute,
      branches: [
        {
          when: { all: [{ attribute: 'x', exists: true }, { any: [{ not: { engaged: 'clicked' } }] }] },
          to: 'e',
        },
      ],
    };
    expect(planReads(plan([nested, send, end]))).toEqual({
      contact: true,
      engagements: true,
      customEvents: false,
    });
  });

  it('an event condition, however nested, reads the custom events, and only that (DESIGN section 14)', () => {
    const onEvent = {
      id: 'b',
      action: 'branch',
      branches: [
        { when: { any: [{ attribute: 'x', exists: true }, { not: { event: 'demo_booked' } }] }, to: 'e' },
      ],
      otherwise: 's',
    };
    expect(planReads(plan([onEvent, send, end]))).toEqual({
      contact: true,
      engagements: false,
      customEvents: true,
    });
  });
});
