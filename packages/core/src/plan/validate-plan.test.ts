import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TemplateContact } from '../template/template.ts';
import {
  assertValidPlan,
  PLAN_ISSUE_CODES,
  PlanValidationError,
  type PlanValidationOptions,
  type PlanValidationResult,
  validatePlan,
} from './validate-plan.ts';

type Json = Record<string, unknown>;

const t = (on: string, to: string, extra: Json = {}): Json => ({ on, to, ...extra });
const send = (id: string, transitions: Json[] = [], extra: Json = {}): Json => ({
  id,
  action: 'send',
  subject: 'Hello {{name|there}}',
  body: 'Hi {{name|there}}, a short note.',
  ...extra,
  transitions,
});
const wait = (id: string, transitions: Json[]): Json => ({ id, action: 'wait', transitions });
const end = (id: string): Json => ({ id, action: 'end' });
const plan = (nodes: Json[], extra: Json = {}): Json => ({
  version: '1.0',
  timezone: 'Europe/Paris',
  startNodeId: nodes[0]?.id,
  nodes,
  ...extra,
});

/** `severity code path` of every issue, in result order. */
function summary(result: PlanValidationResult): string[] {
  return result.issues.map((issue) => `${issue.severity} ${issue.code} ${issue.path}`);
}

function expectIssues(
  input: unknown,
  expected: string[],
  options?: PlanValidationOptions,
): PlanValidationResult {
  const result = validatePlan(input, options);
  expect(summary(result)).toEqual(expected);
  expect(result.valid).toBe(!expected.some((line) => line.startsWith('error')));
  return result;
}

function expectValid(input: unknown, options?: PlanValidationOptions): void {
  const result = validatePlan(input, options);
  expect(summary(result)).toEqual([]);
  expect(result.valid).toBe(true);
}

function messageAt(result: PlanValidationResult, path: string): string {
  return result.issues.find((issue) => issue.path === path)?.message ?? '';
}

/** The example of DESIGN section 3, verbatim. */
const designExample = (): Json => ({
  version: '1.0',
  timezone: 'America/Los_Angeles',
  quietHours: { start: '21:00', end: '07:30' },
  startNodeId: 'email_intro',
  exitOn: ['replied', 'bounced', 'complained', 'unsubscribed'],
  nodes: [
    {
      id: 'email_intro',
      action: 'send',
      subject: 'Introduction to our solution',
      body: 'Hi {{name}}, ...',
      schedule: { delay: 'PT0S' },
      transitions: [
        { on: 'opened', to: 'wait_click', within: 'PT72H' },
        { on: 'no_open', to: 'email_bump_1', after: 'PT72H' },
      ],
    },
    {
      id: 'wait_click',
      action: 'wait',
      transitions: [
        { on: 'clicked', to: 'done' },
        { on: 'no_click', to: 'email_bump_1', after: 'PT48H' },
      ],
    },
    {
      id: 'email_bump_1',
      action: 'send',
      subject: '...',
      body: '...',
      schedule: { delay: 'P1D' },
      transitions: [],
    },
    { id: 'done', action: 'end' },
  ],
});

describe('validatePlan: valid plans', () => {
  it('accepts the DESIGN section 3 example and returns the parsed plan', () => {
    const result = validatePlan(designExample());
    expect(result.valid).toBe(true);
    expect(result.issues).toEqual([]);
    expect(result.plan?.startNodeId).toBe('email_intro');
    expect(result.plan?.nodes.map((node) => node.id)).toEqual([
      'email_intro',
      'wait_click',
      'email_bump_1',
      'done',
    ]);
  });

  it('accepts the example for a contact whose name is known', () => {
    expectValid(designExample(), {
      contact: { email: 'ann@example.com', name: 'Ann' },
      contactTimezone: null,
    });
  });

  it('keeps a plan with only warnings valid and returns it', () => {
    const result = expectIssues(plan([send('intro'), end('orphan')]), ['warning unreachable_node /nodes/1']);
    expect(result.plan?.nodes).toHaveLength(2);
  });

  it('returns no plan when there is an error', () => {
    expect(validatePlan(plan([send('intro')], { version: '2.0' })).plan).toBeUndefined();
  });
});

describe('validatePlan: one test per code', () => {
  it('schema: a delay written on the node instead of in schedule', () => {
    expectValid(plan([send('intro', [], { schedule: { delay: 'P1D' } })]));
    const result = expectIssues(plan([send('intro', [], { delay: 'P1D' })]), ['error schema /nodes/0/delay']);
    expect(messageAt(result, '/nodes/0/delay')).toContain('"schedule": {"delay": "P1D"}');
  });

  it('schema: an unknown top-level key, with a suggestion', () => {
    const result = expectIssues(plan([send('intro')], { exit_on: ['replied'] }), ['error schema /exit_on']);
    expect(messageAt(result, '/exit_on')).toContain('Did you mean "exitOn"?');
  });

  it('schema: a field of the wrong type', () => {
    expectIssues(plan([send('intro', [], { subject: 5 })]), ['error schema /nodes/0/subject']);
  });

  it('schema: an unknown action names the actions that exist', () => {
    const nodes = [send('intro', [t('no_open', 'x', { after: 'P1D' })]), { id: 'x', action: 'email' }];
    const result = expectIssues(plan(nodes), ['error schema /nodes/1/action']);
    expect(messageAt(result, '/nodes/1/action')).toContain('"send"');
    expect(messageAt(result, '/nodes/1/action')).toContain('"wait"');
    expect(messageAt(result, '/nodes/1/action')).toContain('"end"');
  });

  it('schema: input that is not an object is reported at the root', () => {
    expectIssues('not a plan', ['error schema ']);
  });

  it('schema: a missing version is a schema error, not unsupported_version', () => {
    const { version: _dropped, ...withoutVersion } = plan([send('intro')]);
    expectIssues(withoutVersion, ['error schema /version']);
  });

  it('unsupported_version', () => {
    expectValid(plan([send('intro')], { version: '1.0' }));
    expectIssues(plan([send('intro')], { version: '2.0' }), ['error unsupported_version /version']);
    expectIssues(plan([send('intro')], { version: 1 }), ['error unsupported_version /version']);
  });

  it('unknown_start_node', () => {
    const nodes = [send('intro', [t('opened', 'done'), t('no_open', 'done', { after: 'P1D' })]), end('done')];
    expectValid(plan(nodes, { startNodeId: 'intro' }));
    expectIssues(plan(nodes, { startNodeId: 'welcome' }), ['error unknown_start_node /startNodeId']);
  });

  it('duplicate_node_id at the second occurrence', () => {
    const intro = send('intro', [t('opened', 'done'), t('no_open', 'done', { after: 'P1D' })]);
    expectValid(plan([intro, end('done')]));
    expectIssues(plan([intro, end('done'), end('done')]), ['error duplicate_node_id /nodes/2/id']);
  });

  it('unknown_target', () => {
    const timeout = t('no_open', 'done', { after: 'P1D' });
    expectValid(plan([send('intro', [t('clicked', 'done'), timeout]), end('done')]));
    expectIssues(plan([send('intro', [t('clicked', 'nowhere'), timeout]), end('done')]), [
      'error unknown_target /nodes/0/transitions/0/to',
    ]);
  });

  it('unknown_event in a transition, with a suggestion', () => {
    const timeout = t('no_open', 'done', { after: 'P1D' });
    expectValid(plan([send('intro', [t('opened', 'done'), timeout]), end('done')]));
    const result = expectIssues(plan([send('intro', [t('open', 'done'), timeout]), end('done')]), [
      'error unknown_event /nodes/0/transitions/0/on',
    ]);
    expect(messageAt(result, '/nodes/0/transitions/0/on')).toContain('Did you mean "opened"?');
  });

  it('unknown_event in exitOn, including a timeout event', () => {
    expectValid(plan([send('intro')], { exitOn: ['replied', 'bounced'] }));
    expectIssues(plan([send('intro')], { exitOn: ['replied', 'no_reply', 'bounce'] }), [
      'error unknown_event /exitOn/1',
      'error unknown_event /exitOn/2',
    ]);
  });

  it('timeout_without_after', () => {
    expectValid(
      plan([send('intro', [t('no_open', 'done', { after: 'P1D' }), t('opened', 'done')]), end('done')]),
    );
    expectIssues(plan([send('intro', [t('no_open', 'done')]), end('done')]), [
      'error timeout_without_after /nodes/0/transitions/0',
    ]);
  });

  it('within_on_timeout: within on a timeout event', () => {
    expectIssues(
      plan([
        send('intro', [t('no_open', 'done', { after: 'P1D', within: 'P1D' }), t('opened', 'done')]),
        end('done'),
      ]),
      ['error within_on_timeout /nodes/0/transitions/0/within'],
    );
  });

  it('within_on_timeout: after on an engagement event', () => {
    const timeout = t('no_open', 'done', { after: 'P3D' });
    expectValid(plan([send('intro', [t('opened', 'done', { within: 'P3D' }), timeout]), end('done')]));
    expectIssues(plan([send('intro', [t('opened', 'done', { after: 'P3D' }), timeout]), end('done')]), [
      'error within_on_timeout /nodes/0/transitions/0/after',
    ]);
  });

  it.each(['PT0S', 'P0D', '-P1D', 'P-1D', '72h', '', 'P1DT'])('invalid_duration: after %j', (after) => {
    expectIssues(plan([send('intro', [t('no_open', 'done', { after })]), end('done')]), [
      'error invalid_duration /nodes/0/transitions/0/after',
    ]);
  });

  it('invalid_duration: a zero within', () => {
    const timeout = t('no_open', 'done', { after: 'P1D' });
    expectIssues(plan([send('intro', [t('opened', 'done', { within: 'PT0S' }), timeout]), end('done')]), [
      'error invalid_duration /nodes/0/transitions/0/within',
    ]);
  });

  it('invalid_duration: a negative schedule.delay; a zero delay is fine', () => {
    expectValid(plan([send('intro', [], { schedule: { delay: 'PT0S' } })]));
    expectIssues(plan([send('intro', [], { schedule: { delay: '-PT1H' } })]), [
      'error invalid_duration /nodes/0/schedule/delay',
    ]);
  });

  it('invalid_duration replaces the schema issue for a non-string duration', () => {
    expectIssues(plan([send('intro', [t('no_open', 'done', { after: 72 })]), end('done')]), [
      'error invalid_duration /nodes/0/transitions/0/after',
    ]);
  });

  // regression: P300000Y / PT999999999999H validated, then the timeout could not be scheduled after the send
  it.each(['P300000Y', 'PT999999999999H', 'P367D', 'P1YT1S', 'P12M'])(
    'invalid_duration: after, within and schedule.delay %j longer than 366 days',
    (huge) => {
      const result = expectIssues(
        plan([
          send('intro', [t('opened', 'done', { within: huge }), t('no_open', 'done', { after: huge })], {
            schedule: { delay: huge },
          }),
          end('done'),
        ]),
        [
          'error invalid_duration /nodes/0/schedule/delay',
          'error invalid_duration /nodes/0/transitions/0/within',
          'error invalid_duration /nodes/0/transitions/1/after',
        ],
      );
      for (const issue of result.issues) {
        expect(issue.message).toContain('at most 366 days; P1Y counts as 366 days, P1M as 31');
      }
    },
  );

  it('a duration of exactly 366 days, counted at its longest, is valid', () => {
    for (const longest of ['P1Y', 'P366D', 'PT8784H', 'P11M']) {
      expectValid(
        plan([
          send(
            'intro',
            [t('opened', 'done', { within: longest }), t('no_open', 'done', { after: longest })],
            {
              schedule: { delay: longest },
            },
          ),
          end('done'),
        ]),
      );
    }
  });

  // regression: a NUL or a lone surrogate in a plan text validated, then Postgres refused the plan (500)
  it('schema: text that cannot be stored (NUL, lone surrogate) is pointed at', () => {
    const result = expectIssues(
      plan([send('intro', [], { subject: 'Hi\u0000there', body: 'Bye \uD800' }), end('ignored\u0000')], {
        startNodeId: 'intro',
      }),
      [
        'error schema /nodes/0/body',
        'error schema /nodes/0/subject',
        'warning unreachable_node /nodes/1',
        'error schema /nodes/1/id',
      ],
    );
    expect(messageAt(result, '/nodes/0/subject')).toBe(
      'The string at /nodes/0/subject contains a NUL character (U+0000) at index 2, which cannot be stored; remove it.',
    );
    expect(messageAt(result, '/nodes/0/body')).toContain('lone UTF-16 surrogate (U+D800) at index 4');
  });

  it('schema: a subject over 998 characters; nesting deeper than 32 levels', () => {
    expectValid(plan([send('intro', [], { subject: 'x'.repeat(998) })]));
    const long = expectIssues(plan([send('intro', [], { subject: 'x'.repeat(999) })]), [
      'error schema /nodes/0/subject',
    ]);
    expect(messageAt(long, '/nodes/0/subject')).toContain('999 characters long; the limit is 998');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    const result = validatePlan(plan([send('intro', [], { extra: deep })]));
    expect(result.valid).toBe(false);
    expect(result.issues).toContainEqual(
      expect.objectContaining({ code: 'schema', path: `/nodes/0/extra${'/0'.repeat(29)}` }),
    );
  });

  it('invalid_timezone: not an IANA zone', () => {
    expectValid(plan([send('intro')], { timezone: 'America/New_York' }));
    expectIssues(plan([send('intro')], { timezone: 'Mars/Base' }), ['error invalid_timezone /timezone']);
    expectIssues(plan([send('intro')], { timezone: '+02:00' }), ['error invalid_timezone /timezone']);
    expectIssues(plan([send('intro')], { timezone: 5 }), ['error invalid_timezone /timezone']);
  });

  it('invalid_timezone: no plan zone depends on what is known about the contact', () => {
    const { timezone: _dropped, ...noZone } = plan([send('intro')]);
    expectValid(noZone);
    expectValid(noZone, { contactTimezone: 'Europe/Paris' });
    expectIssues(noZone, ['error invalid_timezone /timezone'], { contactTimezone: null });
    const result = expectIssues(noZone, ['error invalid_timezone /timezone'], {
      contactTimezone: 'Nowhere/Land',
    });
    expect(messageAt(result, '/timezone')).toContain('Nowhere/Land');
  });

  it('invalid_quiet_hours: not HH:MM', () => {
    expectValid(plan([send('intro')], { quietHours: { start: '21:00', end: '07:30' } }));
    expectIssues(plan([send('intro')], { quietHours: { start: '9pm', end: '07:30' } }), [
      'error invalid_quiet_hours /quietHours/start',
    ]);
  });

  it('invalid_quiet_hours: a missing end is reported with the specific code', () => {
    expectIssues(plan([send('intro')], { quietHours: { start: '21:00' } }), [
      'error invalid_quiet_hours /quietHours/end',
    ]);
  });

  it('invalid_quiet_hours: start == end', () => {
    expectIssues(plan([send('intro')], { quietHours: { start: '21:00', end: '21:00' } }), [
      'error invalid_quiet_hours /quietHours',
    ]);
  });

  it('missing_content: no body', () => {
    const { body: _dropped, ...noBody } = send('intro');
    expectIssues(plan([noBody]), ['error missing_content /nodes/0/body']);
  });

  it('missing_content: a whitespace-only subject', () => {
    expectIssues(plan([send('intro', [], { subject: '  \n ' })]), ['error missing_content /nodes/0/subject']);
  });

  it('template_syntax in body and subject', () => {
    expectIssues(plan([send('intro', [], { body: 'Hi {{name' })]), ['error template_syntax /nodes/0/body']);
    expectIssues(plan([send('intro', [], { subject: 'Hi {{first name}} there' })]), [
      'error template_syntax /nodes/0/subject',
    ]);
  });

  it('wait_forever: a wait node without a timeout transition', () => {
    const intro = send('intro', [t('opened', 'hold'), t('no_open', 'hold', { after: 'P1D' })]);
    expectValid(
      plan([
        intro,
        wait('hold', [t('clicked', 'done'), t('no_click', 'done', { after: 'P1D' })]),
        end('done'),
      ]),
    );
    expectIssues(plan([intro, wait('hold', [t('clicked', 'done')]), end('done')]), [
      'error wait_forever /nodes/1',
    ]);
  });

  it('wait_forever: a send node with transitions but no timeout; none at all is fine', () => {
    expectValid(plan([send('intro', [])]));
    expectIssues(plan([send('intro', [t('opened', 'done')]), end('done')]), ['error wait_forever /nodes/0']);
  });

  it('window_gap: within shorter than the timeout of the same family', () => {
    const nodes = (within: string): Json[] => [
      send('intro', [t('opened', 'done', { within }), t('no_open', 'done', { after: 'PT72H' })]),
      end('done'),
    ];
    expectValid(plan(nodes('PT72H')));
    expectValid(plan(nodes('P3DT1H'))); // at least 71 h + 1 h, whatever the DST change
    expectIssues(plan(nodes('PT24H')), ['error window_gap /nodes/0/transitions/0/within']);
    // Compared in real time: three calendar days across a spring-forward night are 71 hours.
    expectIssues(plan(nodes('P3D')), ['error window_gap /nodes/0/transitions/0/within']);
  });

  it('window_gap only pairs events of the same family', () => {
    // No window_gap; but an open strands the node: no_open is skipped and the click window has closed.
    expectIssues(
      plan([
        send('intro', [t('clicked', 'done', { within: 'PT1H' }), t('no_open', 'done', { after: 'P3D' })]),
        end('done'),
      ]),
      ['warning stranded_by_event /nodes/0/transitions/1'],
    );
  });

  it('zero_time_cycle: wait nodes linked by engagement transitions', () => {
    const intro = send('intro', [t('opened', 'a'), t('no_open', 'a', { after: 'P1D' })]);
    const a = wait('a', [t('opened', 'b'), t('no_open', 'done', { after: 'P1D' })]);
    const bLoop = wait('b', [t('clicked', 'a'), t('no_click', 'done', { after: 'P1D' })]);
    const bTimed = wait('b', [t('clicked', 'done'), t('no_click', 'a', { after: 'P1D' })]);
    expectValid(plan([intro, a, bTimed, end('done')]));
    const result = expectIssues(plan([intro, a, bLoop, end('done')]), ['error zero_time_cycle /nodes/1']);
    expect(messageAt(result, '/nodes/1')).toContain('"a"');
    expect(messageAt(result, '/nodes/1')).toContain('"b"');
  });

  it('zero_time_cycle: a wait node with an engagement transition to itself', () => {
    const intro = send('intro', [t('opened', 'a'), t('no_open', 'a', { after: 'P1D' })]);
    expectIssues(
      plan([intro, wait('a', [t('opened', 'a'), t('no_open', 'done', { after: 'P1D' })]), end('done')]),
      ['error zero_time_cycle /nodes/1'],
    );
  });

  it('zero_time_cycle: a send node breaks the cycle', () => {
    const intro = send('intro', [t('opened', 'a'), t('no_open', 'done', { after: 'P1D' })]);
    expectValid(
      plan([intro, wait('a', [t('clicked', 'intro'), t('no_click', 'done', { after: 'P1D' })]), end('done')]),
    );
  });

  it('unreachable_node is a warning', () => {
    expectValid(
      plan([send('intro', [t('opened', 'done'), t('no_open', 'done', { after: 'P1D' })]), end('done')]),
    );
    expectIssues(plan([send('intro'), end('done')]), ['warning unreachable_node /nodes/1']);
  });

  it('missing_variable only with a contact, naming the variable', () => {
    const nodes = [send('intro', [], { body: 'Hi {{name}}, how is {{company}}? {{title|}}' })];
    const known: TemplateContact = { email: 'ann@example.com', name: 'Ann', attributes: { company: 'Acme' } };
    const unknown: TemplateContact = { email: 'bob@example.com', attributes: { company: ' ' } };
    expectValid(plan(nodes));
    expectValid(plan(nodes), { contact: known });
    const result = expectIssues(plan(nodes), ['error missing_variable /nodes/0/body'], { contact: unknown });
    expect(messageAt(result, '/nodes/0/body')).toContain('{{name}}, {{company}}');
    expect(messageAt(result, '/nodes/0/body')).not.toContain('{{title}}');
  });
});

describe('validatePlan: reporting', () => {
  it('returns every issue at once, sorted by path with array indexes in numeric order', () => {
    const nodes: Json[] = [send('intro', [t('no_open', 'n1', { after: 'P1D' })])];
    for (let i = 1; i <= 10; i++)
      nodes.push(send(`n${i}`, i < 10 ? [t('no_open', `n${i + 1}`, { after: 'P1D' })] : []));
    nodes[2] = send('n2', [t('no_open', 'n3', { after: 'P0D' })]);
    nodes[10] = send('n10', [t('opened', 'missing')]);
    expectIssues(plan(nodes, { version: '0.9', timezone: 'Nope/Nope' }), [
      'error invalid_duration /nodes/2/transitions/0/after',
      'error wait_forever /nodes/10',
      'error unknown_target /nodes/10/transitions/0/to',
      'error invalid_timezone /timezone',
      'error unsupported_version /version',
    ]);
  });

  it('still reports semantic issues when another node fails the schema', () => {
    const nodes = [
      send('intro', [t('opened', 'ghost'), t('no_open', 'broken', { after: 'P1D' })]),
      { id: 'broken', action: 'send', subject: 'Hi', transitions: [], colour: 'red' },
    ];
    expectIssues(plan(nodes), [
      'error unknown_target /nodes/0/transitions/0/to',
      'error missing_content /nodes/1/body',
      'error schema /nodes/1/colour',
    ]);
  });

  it('checks the transitions of a node whose action is unknown', () => {
    const nodes = [
      send('intro', [t('no_open', 'odd', { after: 'P1D' })]),
      { id: 'odd', action: 'pause', transitions: [t('opened', 'ghost')] },
    ];
    expectIssues(plan(nodes), [
      'error schema /nodes/1/action',
      'error unknown_target /nodes/1/transitions/0/to',
    ]);
  });

  it('exports the code list', () => {
    expect([...PLAN_ISSUE_CODES].sort()).toEqual([
      'channel_event_mismatch',
      'duplicate_node_id',
      'fixed_offset_timezone',
      'invalid_branch',
      'invalid_duration',
      'invalid_goal',
      'invalid_holidays',
      'invalid_phone',
      'invalid_quiet_hours',
      'invalid_send_window',
      'invalid_split',
      'invalid_timezone',
      'missing_content',
      'missing_email',
      'missing_phone',
      'missing_variable',
      'no_send_time',
      'schema',
      'sms_segments',
      'stranded_by_event',
      'template_syntax',
      'timeout_without_after',
      'unknown_event',
      'unknown_start_node',
      'unknown_target',
      'unreachable_node',
      'unsupported_version',
      'wait_forever',
      'window_gap',
      'within_on_timeout',
      'zero_time_chain',
      'zero_time_cycle',
    ]);
  });
});

describe('assertValidPlan', () => {
  it('returns the plan when valid', () => {
    expect(assertValidPlan(designExample()).nodes).toHaveLength(4);
  });

  it('throws PlanValidationError carrying the issues', () => {
    let caught: unknown;
    try {
      assertValidPlan(plan([send('intro')], { version: '2.0' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PlanValidationError);
    const error = caught as PlanValidationError;
    expect(error.code).toBe('invalid_plan');
    expect(error.issues.map((issue) => issue.code)).toEqual(['unsupported_version']);
    expect(error.message).toContain('/version');
  });
});

describe('examples/broken-plan.json', () => {
  it('triggers every error code and the unreachable_node warning', () => {
    const file = JSON.parse(
      readFileSync(new URL('../../../../examples/broken-plan.json', import.meta.url), 'utf8'),
    ) as { contact: TemplateContact; plan: unknown };
    const result = validatePlan(file.plan, { contact: file.contact });
    const errorCodes = new Set(result.issues.filter((i) => i.severity === 'error').map((i) => i.code));
    expect([...errorCodes].sort()).toEqual([
      'duplicate_node_id',
      'invalid_duration',
      'invalid_quiet_hours',
      'invalid_timezone',
      'missing_content',
      'missing_variable',
      'schema',
      'template_syntax',
      'timeout_without_after',
      'unknown_event',
      'unknown_start_node',
      'unknown_target',
      'unsupported_version',
      'wait_forever',
      'window_gap',
      'within_on_timeout',
      'zero_time_cycle',
    ]);
    const warnings = result.issues.filter((i) => i.severity === 'warning');
    expect(warnings.map((i) => `${i.code} ${i.path}`)).toEqual(['unreachable_node /nodes/11']);
    expect(result.valid).toBe(false);
  });
});

describe('validatePlan: zone names (DESIGN section 10, all versions)', () => {
  it.each([
    ['PST', 'America/Los_Angeles'],
    ['PDT', 'America/Los_Angeles'],
    ['CST', 'America/Chicago'],
    ['CDT', 'America/Chicago'],
    ['MDT', 'America/Denver'],
    ['EDT', 'America/New_York'],
    ['BST', 'Europe/London'],
    ['JST', 'Asia/Tokyo'],
  ])('regression: timezone %s (accepted by ICU) is invalid_timezone; did you mean %s', (zone, meant) => {
    const result = expectIssues(plan([send('intro')], { timezone: zone }), [
      'error invalid_timezone /timezone',
    ]);
    expect(messageAt(result, '/timezone')).toContain(
      `"${zone}" is not an IANA time zone name; did you mean "${meant}"?`,
    );
  });

  it('regression: the ambiguous IST lists its readings and suggests none', () => {
    const result = expectIssues(plan([send('intro')], { timezone: 'IST' }), [
      'error invalid_timezone /timezone',
    ]);
    const message = messageAt(result, '/timezone');
    expect(message).toContain('ambiguous');
    expect(message).toContain('"Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"');
    expect(message).not.toContain('did you mean');
  });

  it.each([
    ['EST', 'UTC-05:00', '"America/New_York"'],
    ['MST', 'UTC-07:00', '"America/Denver"'],
    ['HST', 'UTC-10:00', '"Pacific/Honolulu"'],
    // POSIX inverts the sign: Etc/GMT+5 is five hours behind UTC; no one city stands for it.
    ['Etc/GMT+5', 'UTC-05:00 (the tz database inverts the sign', "that place's zone name"],
  ])(
    'regression: %s is valid with the warning fixed_offset_timezone (%s; names %s)',
    (zone, offset, city) => {
      const result = expectIssues(plan([send('intro')], { timezone: zone }), [
        'warning fixed_offset_timezone /timezone',
      ]);
      expect(result.plan?.timezone).toBe(zone);
      expect(messageAt(result, '/timezone')).toContain(offset);
      expect(messageAt(result, '/timezone')).toContain(city);
    },
  );

  it.each(['US/Eastern', 'CET', 'Asia/Calcutta', 'UTC', 'EST5EDT'])(
    '%s, an IANA zone or link, stays valid',
    (zone) => {
      expectValid(plan([send('intro')], { timezone: zone }));
    },
  );

  it("regression: the contact's zone, used when the plan has none, is checked the same way", () => {
    const { timezone: _dropped, ...noZone } = plan([send('intro')]);
    const refused = expectIssues(noZone, ['error invalid_timezone /timezone'], { contactTimezone: 'PDT' });
    expect(messageAt(refused, '/timezone')).toContain("the contact's timezone");
    expect(messageAt(refused, '/timezone')).toContain('did you mean "America/Los_Angeles"?');
    const fixed = expectIssues(noZone, ['warning fixed_offset_timezone /timezone'], {
      contactTimezone: 'HST',
    });
    expect(messageAt(fixed, '/timezone')).toContain("the contact's is used");
    expect(messageAt(fixed, '/timezone')).toContain('Pacific/Honolulu');
    // The plan's own zone wins: the contact's is not used, so not judged.
    expectValid(plan([send('intro')]), { contactTimezone: 'PDT' });
  });
});

describe('validatePlan: fractional calendar parts', () => {
  it.each([
    ['P0.5Y', 'years', 'P6M'],
    ['P2.5M', 'months', 'P2M15D'],
    ['P1.5W', 'weeks', 'P10DT12H'],
    ['P0.5D', 'days', 'PT12H'],
  ])(
    'regression: %s is invalid_duration in after, within and schedule.delay (was accepted)',
    (iso, unit, whole) => {
      const result = expectIssues(
        plan([
          send('intro', [t('opened', 'done', { within: iso }), t('no_open', 'done', { after: iso })], {
            schedule: { delay: iso },
          }),
          end('done'),
        ]),
        [
          'error invalid_duration /nodes/0/schedule/delay',
          'error invalid_duration /nodes/0/transitions/0/within',
          'error invalid_duration /nodes/0/transitions/1/after',
        ],
      );
      for (const path of ['/nodes/0/schedule/delay', '/nodes/0/transitions/1/after']) {
        expect(messageAt(result, path)).toContain(`"${iso}": fractional ${unit} are ambiguous`);
        expect(messageAt(result, path)).toContain(whole);
      }
    },
  );

  it('keeps fractional hours, minutes and seconds (elapsed time)', () => {
    expectValid(
      plan([
        send('intro', [t('opened', 'done'), t('no_open', 'done', { after: 'PT1.5H' })], {
          schedule: { delay: 'PT0.5M' },
        }),
        end('done'),
      ]),
    );
  });
});

describe('validatePlan: stranded_by_event (DESIGN section 4 rule 6)', () => {
  it('regression: a no_open timeout and no opened transition: an open strands the node', () => {
    const result = expectIssues(
      plan([send('intro', [t('no_open', 'bump', { after: 'P3D' })]), send('bump')]),
      ['warning stranded_by_event /nodes/0/transitions/0'],
    );
    const message = messageAt(result, '/nodes/0/transitions/0');
    expect(message).toContain(
      'Node "intro" (/nodes/0): an open or a click of its message skips the "no_open" timeout',
    );
    expect(message).toContain('no_path');
    expect(message).toContain('Add a transition on "opened"');
  });

  it('no warning when the event is taken, or another transition can still fire', () => {
    const bump = send('bump');
    // An opened transition takes the open (and a click).
    expectValid(plan([send('intro', [t('opened', 'bump'), t('no_open', 'bump', { after: 'P3D' })]), bump]));
    // After an open, a click can still come.
    expectValid(plan([send('intro', [t('clicked', 'bump'), t('no_open', 'bump', { after: 'P3D' })]), bump]));
    // After an open, no_reply still holds.
    expectValid(
      plan([
        send('intro', [t('no_open', 'bump', { after: 'P3D' }), t('no_reply', 'bump', { after: 'P5D' })]),
        bump,
      ]),
    );
  });

  it('events in exitOn (default: replied and bounced) end the campaign instead', () => {
    const nodes = [send('intro', [t('no_reply', 'bump', { after: 'P3D' })]), send('bump')];
    expectValid(plan(nodes));
    expectIssues(plan(nodes, { exitOn: ['bounced'] }), ['warning stranded_by_event /nodes/0/transitions/0']);
    // A transition on an event that stops the campaign first cannot fire.
    const onBounce = [
      send('intro', [t('bounced', 'bump'), t('no_reply', 'bump', { after: 'P3D' })]),
      send('bump'),
    ];
    expectIssues(plan(onBounce, { exitOn: ['bounced'] }), [
      'warning stranded_by_event /nodes/0/transitions/1',
    ]);
    expectValid(plan(onBounce, { exitOn: [] }));
  });

  it('a wait node on no_click is stranded by a click', () => {
    const result = expectIssues(
      plan([
        send('intro', [t('opened', 'hold'), t('no_open', 'hold', { after: 'P1D' })]),
        wait('hold', [t('no_click', 'done', { after: 'P2D' })]),
        end('done'),
      ]),
      ['warning stranded_by_event /nodes/1/transitions/0'],
    );
    expect(messageAt(result, '/nodes/1/transitions/0')).toContain(
      'a click of its message skips the "no_click"',
    );
  });

  it('a within window that closes before the timeout does not count', () => {
    const nodes = (within: string) => [
      send('intro', [t('clicked', 'bump', { within }), t('no_open', 'bump', { after: 'P3D' })]),
      send('bump'),
    ];
    expectIssues(plan(nodes('PT1H')), ['warning stranded_by_event /nodes/0/transitions/1']);
    expectValid(plan(nodes('P4D')));
  });
});
