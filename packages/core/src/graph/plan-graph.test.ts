import { describe, expect, it } from 'vitest';
import { type Plan, planSchema } from '../plan/plan-schema.ts';

const parsePlan = (raw: unknown): Plan => planSchema.parse(raw);

import { mermaidText, planGraph } from './plan-graph.ts';

/*
 * Mermaid renders a label as HTML and decodes `#name;` / `#digits;` entities, so text from the plan must
 * reach it with `#`, `&`, `<`, `>`, `"` and the backtick written as entities. The expected strings are
 * written by hand from Mermaid's entity syntax (`#35;` is `#`, `#60;` is `<`, ...).
 */

function plan(subject: string, id = 'intro') {
  return parsePlan({
    version: '1.0',
    startNodeId: id,
    nodes: [
      { id, action: 'send', subject, body: 'Hi', transitions: [{ on: 'replied', to: 'done' }] },
      { id: 'done', action: 'end' },
    ],
  });
}

describe('campaign graph labels', () => {
  it('regression (a subject holding <b> was drawn bold): HTML in a subject renders as text', () => {
    const graph = planGraph(plan('<b>Big</b> news'));
    expect(graph).toContain('n0["intro<br/>send: #60;b#62;Big#60;/b#62; news"]');
    expect(graph).not.toContain('<b>');
  });

  it('regression (a subject holding #1; was read as an entity): # is escaped before anything else', () => {
    const graph = planGraph(plan('Offer #1; & "more"'));
    expect(graph).toContain('send: Offer #35;1; #38; #quot;more#quot;"]');
  });

  it('escapes node ids too, and keeps its own <br/> as markup', () => {
    const graph = planGraph(plan('Hello', 'a<i>'));
    expect(graph).toContain('n0["a#60;i#62;<br/>send: Hello"]');
    expect(graph).toContain('start --> n0');
    expect(graph).toContain('n0 -- "replied" --> n1');
  });

  it('escapes a backtick (a Mermaid markdown string) and leaves plain text alone', () => {
    expect(mermaidText('`x`')).toBe('#96;x#96;');
    expect(mermaidText('Plain text, 20% off')).toBe('Plain text, 20% off');
  });

  it('edge labels of a branch are escaped (its "when #1" would otherwise start an entity)', () => {
    const graph = planGraph(
      parsePlan({
        version: '1.1',
        startNodeId: 'b',
        nodes: [
          {
            id: 'b',
            action: 'branch',
            branches: [{ when: { attribute: 'employees', gte: 200 }, to: 'done' }],
            otherwise: 'done',
          },
          { id: 'done', action: 'end' },
        ],
      }),
    );
    expect(graph).toContain('n0 -- "when #35;1" --> n1');
  });
});
