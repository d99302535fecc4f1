import { describe, expect, it } from 'vitest';
import { validatePlan } from '../plan/validate-plan.ts';
import {
  clickOrTimeoutPlan,
  noOpenBumpPlan,
  noOpenEndPlan,
  oneSendPlan,
  openClickBumpPlan,
  openedOrNotPlan,
  openOrTimeoutPlan,
  openThenClickPlan,
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
    openThenClickPlan,
    openClickBumpPlan,
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

  // Each literal below is the one a test file wrote by hand before taking the fixture (copied from it).
  it('noOpenBumpPlan({ delay }) is the address-suppression test plan: intro an hour after activation', () => {
    expect(noOpenBumpPlan({ delay: 'PT1H' })).toStrictEqual({
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 'intro',
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: 'Hello',
          body: 'Hi',
          schedule: { delay: 'PT1H' },
          transitions: [{ on: 'no_open', to: 'bump', after: 'PT72H' }],
        },
        { id: 'bump', action: 'send', subject: 'Bump', body: 'Still there?', transitions: [] },
      ],
    });
    expect(noOpenBumpPlan().nodes[0]).not.toHaveProperty('schedule');
  });

  it('openThenClickPlan is the plan-update, plan-dry-run and webhooks test plans', () => {
    const literal = (window: string, clickAfter: string, body: string, clicked: boolean) => ({
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 'intro',
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: 'Hello',
          body,
          transitions: [
            { on: 'opened', to: 'wait', within: window },
            { on: 'no_open', to: 'done', after: window },
          ],
        },
        {
          id: 'wait',
          action: 'wait',
          transitions: clicked
            ? [
                { on: 'clicked', to: 'done' },
                { on: 'no_click', to: 'done', after: clickAfter },
              ]
            : [{ on: 'no_click', to: 'done', after: clickAfter }],
        },
        { id: 'done', action: 'end' },
      ],
    });
    expect(openThenClickPlan()).toStrictEqual(literal('PT72H', 'PT48H', 'Hi', false));
    expect(openThenClickPlan({ window: 'P3D', clickAfter: 'P3D', body: '<p>Hi</p>' })).toStrictEqual(
      literal('P3D', 'P3D', '<p>Hi</p>', false),
    );
    expect(
      openThenClickPlan({ window: 'PT1H', clickAfter: 'PT1H', body: '<p>Hi</p>', endOnClick: true }),
    ).toStrictEqual(literal('PT1H', 'PT1H', '<p>Hi</p>', true));
  });

  it('openClickBumpPlan is the api e2e plan by default and the workers e2e plan with its options', () => {
    expect(openClickBumpPlan()).toStrictEqual({
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 'intro',
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: 'Hello {{name|there}}',
          body: '<p>Hi {{name|there}}</p>',
          transitions: [
            { on: 'opened', to: 'wait', within: 'PT2S' },
            { on: 'no_open', to: 'bump', after: 'PT2S' },
          ],
        },
        {
          id: 'wait',
          action: 'wait',
          transitions: [
            { on: 'clicked', to: 'done' },
            { on: 'no_click', to: 'done', after: 'PT1S' },
          ],
        },
        { id: 'bump', action: 'send', subject: 'Bump', body: '<p>Still there?</p>', transitions: [] },
        { id: 'done', action: 'end' },
      ],
    });
    expect(
      openClickBumpPlan({
        subject: 'Hello {{name}}',
        body: '<p>Hi {{name}}, a note for {{company|your team}}.</p>',
        openWithin: 'PT3S',
        noOpenAfter: 'PT2S',
        clickAfter: 'PT1S',
        bumpSubject: 'Bump for {{name}}',
        bumpDelay: 'PT1S',
      }),
    ).toStrictEqual({
      version: '1.0',
      timezone: 'UTC',
      startNodeId: 'intro',
      nodes: [
        {
          id: 'intro',
          action: 'send',
          subject: 'Hello {{name}}',
          body: '<p>Hi {{name}}, a note for {{company|your team}}.</p>',
          transitions: [
            { on: 'opened', to: 'wait', within: 'PT3S' },
            { on: 'no_open', to: 'bump', after: 'PT2S' },
          ],
        },
        {
          id: 'wait',
          action: 'wait',
          transitions: [
            { on: 'clicked', to: 'done' },
            { on: 'no_click', to: 'done', after: 'PT1S' },
          ],
        },
        {
          id: 'bump',
          action: 'send',
          subject: 'Bump for {{name}}',
          body: '<p>Still there?</p>',
          schedule: { delay: 'PT1S' },
          transitions: [],
        },
        { id: 'done', action: 'end' },
      ],
    });
  });
});
