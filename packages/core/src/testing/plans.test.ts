import { describe, expect, it } from 'vitest';
import { validatePlan } from '../plan/validate-plan.ts';
import {
  clickOrTimeoutPlan,
  noOpenBumpPlan,
  noOpenEndPlan,
  oneSendPlan,
  openedOrNotPlan,
  openOrTimeoutPlan,
  seedPlan,
} from './plans.ts';

describe('shared plan fixtures', () => {
  const builders = {
    oneSendPlan,
    openOrTimeoutPlan,
    noOpenEndPlan,
    noOpenBumpPlan,
    seedPlan,
    clickOrTimeoutPlan,
    openedOrNotPlan,
  };

  it.each(Object.entries(builders))(
    '%s builds a valid plan (no error; warnings allowed), a fresh object each call',
    (_, build) => {
      const result = validatePlan(build());
      expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
      expect(result.valid).toBe(true);
      expect(build()).not.toBe(build());
      expect(build()).toEqual(build());
    },
  );

  it('the options change only what they name', () => {
    expect(openOrTimeoutPlan({ window: 'P1D' }).nodes[0]).toEqual({
      id: 'intro',
      action: 'send',
      subject: 'Hello',
      body: '<p>Hi</p>',
      transitions: [
        { on: 'opened', to: 'done', within: 'P1D' },
        { on: 'no_open', to: 'done', after: 'P1D' },
      ],
    });
    expect(noOpenBumpPlan({ after: 'PT1H', body: '<p>Hi</p>', bumpBody: '<p>B</p>' }).nodes).toEqual([
      {
        id: 'intro',
        action: 'send',
        subject: 'Hello',
        body: '<p>Hi</p>',
        transitions: [{ on: 'no_open', to: 'bump', after: 'PT1H' }],
      },
      { id: 'bump', action: 'send', subject: 'Bump', body: '<p>B</p>', transitions: [] },
    ]);
    expect(seedPlan({ subject: 'Hello {{name|there}}' }).nodes[0]).toMatchObject({
      subject: 'Hello {{name|there}}',
      body: 'Hi',
    });
    expect(noOpenEndPlan({ subject: 'S', body: 'B' }).nodes[0]).toMatchObject({ subject: 'S', body: 'B' });
    expect(oneSendPlan({ body: 'B' }).nodes).toEqual([
      { id: 'intro', action: 'send', subject: 'Hello', body: 'B', transitions: [] },
    ]);
  });
});
