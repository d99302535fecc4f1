import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan-schema.ts';
import { canonicalPlanShape, planShape } from './plan-shape.ts';

/*
 * The plan shape fingerprint (issue 14 item 4): the same for plans that differ only in ids, texts and
 * durations; different when an action, a channel, a transition event or a target changes.
 */

const EVENTS = ['opened', 'clicked', 'replied', 'no_open', 'no_click', 'no_reply', 'delivered'] as const;

/** A graph skeleton: per node an action, a channel and edges (event, target index). */
interface Skeleton {
  kind: 'send' | 'wait' | 'end' | 'branch' | 'split';
  channel: 'email' | 'sms';
  edges: { on: (typeof EVENTS)[number]; to: number }[];
}

const skeletons = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.array(
    fc.record({
      kind: fc.constantFrom('send', 'wait', 'end', 'branch', 'split'),
      channel: fc.constantFrom('email', 'sms'),
      edges: fc.array(fc.record({ on: fc.constantFrom(...EVENTS), to: fc.integer({ min: 0, max: n - 1 }) }), {
        minLength: 2,
        maxLength: 4,
      }),
    }) as fc.Arbitrary<Skeleton>,
    { minLength: n, maxLength: n },
  ),
);

const texts = fc.string({ minLength: 1, maxLength: 12 });
const durations = fc.constantFrom('PT1H', 'PT48H', 'P3D', 'PT15M');

/** A plan of the skeleton, with `ids[i]` as node i's id and texts and durations drawn from `pick`. */
function planOf(
  skeleton: Skeleton[],
  ids: string[],
  pick: (i: number) => { text: string; duration: string },
): Plan {
  const nodes = skeleton.map((s, i) => {
    const id = ids[i] as string;
    const { text, duration } = pick(i);
    const to = (k: number) => ids[(s.edges[k] as { to: number }).to] as string;
    switch (s.kind) {
      case 'send':
        return {
          id,
          action: 'send',
          channel: s.channel,
          subject: text,
          body: `${text} body`,
          transitions: s.edges.map((e) => ({ on: e.on, to: ids[e.to], after: duration })),
        };
      case 'wait':
        return {
          id,
          action: 'wait',
          transitions: s.edges.map((e) => ({ on: e.on, to: ids[e.to], within: duration })),
        };
      case 'branch':
        return {
          id,
          action: 'branch',
          branches: [{ when: { attribute: text, equals: text }, to: to(0) }],
          otherwise: to(1),
        };
      case 'split':
        return {
          id,
          action: 'split',
          experiment: text,
          variants: s.edges.map((e, k) => ({ id: `${text}${k}`, weight: text.length + k, to: ids[e.to] })),
        };
      default:
        return { id, action: 'end' };
    }
  });
  return { version: '1.1', timezone: 'UTC', startNodeId: ids[0] as string, nodes } as unknown as Plan;
}

const idsFor = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('planShape', () => {
  it('canonical form: BFS order from the start, targets as indexes, sends default to email', () => {
    const plan = {
      startNodeId: 'a',
      nodes: [
        { id: 'z', action: 'end' },
        { id: 'unreachable', action: 'send', subject: 's', body: 'b', transitions: [] },
        {
          id: 'a',
          action: 'send',
          subject: 's',
          body: 'b',
          transitions: [
            { on: 'opened', to: 'w' },
            { on: 'no_open', to: 'z', after: 'PT1H' },
          ],
        },
        { id: 'w', action: 'wait', transitions: [{ on: 'clicked', to: 'z' }] },
      ],
    } as unknown as Plan;
    expect(canonicalPlanShape(plan)).toEqual([
      [
        'send',
        'email',
        [
          ['opened', 1],
          ['no_open', 2],
        ],
      ],
      ['wait', null, [['clicked', 2]]],
      ['end', null, []],
    ]);
    expect(planShape(plan)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is invariant to ids, texts and durations, and to the order nodes are listed in', () => {
    fc.assert(
      fc.property(
        skeletons,
        fc.array(fc.tuple(texts, durations), { minLength: 16, maxLength: 16 }),
        fc.array(fc.tuple(texts, durations), { minLength: 16, maxLength: 16 }),
        fc.integer(),
        (skeleton, draws1, draws2, seed) => {
          const n = skeleton.length;
          const pick = (draws: [string, string][]) => (i: number) => {
            const [text, duration] = draws[i] as [string, string];
            return { text, duration };
          };
          const one = planOf(skeleton, idsFor(n, 'n'), pick(draws1));
          const other = planOf(skeleton, idsFor(n, 'renamed_').reverse(), pick(draws2));
          // List the nodes in another order (the start node is named, not first).
          const shuffled = [...other.nodes].sort(
            (a, b) => ((a.id.length * 31 + seed) % 7) - ((b.id.length * 31 + seed) % 7),
          );
          expect(planShape({ ...other, nodes: shuffled })).toBe(planShape(one));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('changes with the start node action or channel, a transition event, or an added edge', () => {
    fc.assert(
      fc.property(skeletons, fc.constantFrom('kind', 'channel', 'on', 'edge'), (skeleton, change) => {
        const first = skeleton[0] as Skeleton;
        const ids = idsFor(skeleton.length, 'n');
        const pick = () => ({ text: 't', duration: 'PT1H' });
        const before = planShape(planOf(skeleton, ids, pick));
        const changed = structuredClone(skeleton);
        const start = changed[0] as Skeleton;
        if (change === 'kind') start.kind = first.kind === 'send' ? 'wait' : 'send';
        else if (change === 'channel') {
          start.kind = 'send';
          (skeleton[0] as Skeleton).kind = 'send';
          start.channel = first.channel === 'email' ? 'sms' : 'email';
        } else if (change === 'on') {
          start.kind = 'wait';
          (skeleton[0] as Skeleton).kind = 'wait';
          const edge = start.edges[0] as Skeleton['edges'][number];
          edge.on = edge.on === 'opened' ? 'clicked' : 'opened';
        } else {
          start.kind = 'wait';
          (skeleton[0] as Skeleton).kind = 'wait';
          start.edges.push({ on: 'replied', to: 0 });
        }
        const reference = change === 'kind' ? before : planShape(planOf(skeleton, ids, pick));
        expect(planShape(planOf(changed, ids, pick))).not.toBe(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('changes with a target: a send to a wait versus to an end', () => {
    const base = (target: string) =>
      ({
        startNodeId: 'a',
        nodes: [
          { id: 'a', action: 'send', subject: 's', body: 'b', transitions: [{ on: 'opened', to: target }] },
          { id: 'w', action: 'wait', transitions: [] },
          { id: 'e', action: 'end' },
        ],
      }) as unknown as Plan;
    expect(planShape(base('w'))).not.toBe(planShape(base('e')));
  });
});
