import { describe, expect, it } from 'vitest';
import { checkedContact, InvalidContactError } from '../service/contact-input.ts';
import { type PlanValidationOptions, type PlanValidationResult, validatePlan } from './validate-plan.ts';

/*
 * Plan v1.1 validation (DESIGN section 10): versions, send windows, holidays, SMS steps, threads and
 * the contact's addresses. Branch, split, graph and send-time checks are in validate-plan-v11-graph.
 */

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
const sms = (id: string, transitions: Json[] = [], extra: Json = {}): Json => ({
  id,
  action: 'send',
  channel: 'sms',
  text: 'Hi {{name|there}}, a quick note.',
  ...extra,
  transitions,
});
const end = (id: string): Json => ({ id, action: 'end' });
const plan = (nodes: Json[], extra: Json = {}): Json => ({
  version: '1.1',
  timezone: 'Europe/Berlin',
  startNodeId: nodes[0]?.id,
  nodes,
  ...extra,
});

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

const issueAt = (result: PlanValidationResult, path: string) => result.issues.find((i) => i.path === path);

const window = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };

describe('validatePlan v1.1: versions', () => {
  it('accepts "1.1" with every new field', () => {
    const nodes = [
      send('intro', [t('no_reply', 'nudge', { after: 'P3D' })], {
        sendWindow: window,
        schedule: { delay: 'PT0S', expireAfter: 'P2D' },
      }),
      sms('nudge', [t('no_reply', 'follow', { after: 'P2D' })]),
      { id: 'follow', action: 'send', thread: true, body: 'Following up.', transitions: [] },
    ];
    expectIssues(
      plan(nodes, { sendWindow: window, holidays: { country: 'DE', region: 'BY', dates: ['2026-12-24'] } }),
      [],
    );
  });

  it('refuses each 1.1 field in a 1.0 plan with a schema issue naming "1.1"', () => {
    const nodes = [
      send('intro', [t('no_reply', 'nudge', { after: 'P3D' })], {
        sendWindow: window,
        thread: true,
        schedule: { expireAfter: 'P2D' },
      }),
      sms('nudge', [t('no_reply', 'pick', { after: 'P1D' })]),
      { id: 'pick', action: 'branch', branches: [], otherwise: 'done' },
      end('done'),
    ];
    const result = expectIssues(
      plan(nodes, { version: '1.0', sendWindow: window, holidays: { dates: ['2026-12-24'] } }),
      [
        'error schema /holidays',
        'error schema /nodes/0/schedule/expireAfter',
        'error schema /nodes/0/sendWindow',
        'error schema /nodes/0/thread',
        'error schema /nodes/1/channel',
        'error schema /nodes/1/text',
        'error schema /nodes/2/action',
        'error invalid_branch /nodes/2/branches',
        'error schema /sendWindow',
      ],
    );
    expect(issueAt(result, '/sendWindow')?.message).toContain('set "version": "1.1" to use sendWindow');
    for (const issue of result.issues.filter((i) => i.code === 'schema'))
      expect(issue.message).toContain('"1.1"');
  });

  it('an unknown action in a 1.1 plan lists branch and split among the actions', () => {
    const result = expectIssues(plan([{ id: 'a', action: 'brnch' }]), ['error schema /nodes/0/action']);
    expect(result.issues[0]?.message).toContain('"branch"');
    expect(result.issues[0]?.message).toContain('"split"');
  });

  it('unsupported_version names both versions', () => {
    const result = expectIssues(plan([end('done')], { version: '2.0' }), [
      'error unsupported_version /version',
    ]);
    expect(result.issues[0]?.message).toContain('"1.0"');
    expect(result.issues[0]?.message).toContain('"1.1"');
  });
});

describe('validatePlan v1.1: send windows and holidays', () => {
  it('invalid_send_window: empty days, bad times, end not after start', () => {
    expectIssues(plan([send('a')], { sendWindow: { days: [], start: '9am', end: '17:00' } }), [
      'error invalid_send_window /sendWindow/days',
      'error invalid_send_window /sendWindow/start',
    ]);
    expectIssues(plan([send('a', [], { sendWindow: { days: ['mon'], start: '17:00', end: '09:00' } })]), [
      'error invalid_send_window /nodes/0/sendWindow/end',
    ]);
    expectIssues(plan([send('a')], { sendWindow: { days: ['mon'], start: '09:00', end: '09:00' } }), [
      'error invalid_send_window /sendWindow/end',
    ]);
  });

  it('invalid_send_window: a near-miss day name gets a did-you-mean and a JSON Patch fix', () => {
    const result = expectIssues(
      plan([send('a')], { sendWindow: { ...window, days: ['monday', 'Tue', 'xyz'] } }),
      [
        'error invalid_send_window /sendWindow/days/0',
        'error invalid_send_window /sendWindow/days/1',
        'error invalid_send_window /sendWindow/days/2',
      ],
    );
    expect(issueAt(result, '/sendWindow/days/0')?.fix).toEqual([
      { op: 'replace', path: '/sendWindow/days/0', value: 'mon' },
    ]);
    expect(issueAt(result, '/sendWindow/days/1')?.fix).toEqual([
      { op: 'replace', path: '/sendWindow/days/1', value: 'tue' },
    ]);
    expect(issueAt(result, '/sendWindow/days/0')?.message).toContain('mon');
    expect(issueAt(result, '/sendWindow/days/2')?.fix).toBeUndefined();
  });

  it('invalid_send_window: an unknown field keeps the window code (no generic schema issue under it)', () => {
    expectIssues(plan([send('a')], { sendWindow: { ...window, timezone: 'UTC' } }), [
      'error invalid_send_window /sendWindow/timezone',
    ]);
  });

  it('invalid_holidays: an unknown field keeps the holidays code', () => {
    expectIssues(plan([send('a')], { holidays: { country: 'DE', state: 'BY' } }), [
      'error invalid_holidays /holidays/state',
    ]);
  });

  it('invalid_holidays: unknown country with did-you-mean, unknown region, region alone, bad dates', () => {
    const germany = expectIssues(plan([send('a')], { holidays: { country: 'Germany' } }), [
      'error invalid_holidays /holidays/country',
    ]);
    expect(germany.issues[0]?.message).toContain('DE');
    expectIssues(plan([send('a')], { holidays: { country: 'DE', region: 'ZZ' } }), [
      'error invalid_holidays /holidays/region',
    ]);
    expectIssues(plan([send('a')], { holidays: { region: 'BY' } }), [
      'error invalid_holidays /holidays/region',
    ]);
    expectIssues(plan([send('a')], { holidays: { dates: ['2026-02-30', '24.12.2026', '2026-12-24'] } }), [
      'error invalid_holidays /holidays/dates/0',
      'error invalid_holidays /holidays/dates/1',
    ]);
  });
});

describe('validatePlan v1.1: SMS steps', () => {
  it('missing_content for an SMS without text; an email step still needs subject and body', () => {
    expectIssues(plan([sms('a', [], { text: undefined })]), ['error missing_content /nodes/0/text']);
    expectIssues(plan([sms('a', [], { text: '  ' })]), ['error missing_content /nodes/0/text']);
    expectIssues(plan([send('a', [], { subject: undefined })]), ['error missing_content /nodes/0/subject']);
  });

  it('subject or body on an SMS step is schema with a move fix when text is absent and only one is present', () => {
    const moved = expectIssues(plan([sms('a', [], { text: undefined, body: 'Hi there' })]), [
      'error schema /nodes/0/body',
      'error missing_content /nodes/0/text',
    ]);
    expect(issueAt(moved, '/nodes/0/body')?.message).toContain(
      'SMS steps have no subject or body; put the message in "text"',
    );
    expect(issueAt(moved, '/nodes/0/body')?.fix).toEqual([
      { op: 'move', from: '/nodes/0/body', path: '/nodes/0/text' },
    ]);
    const both = expectIssues(plan([sms('a', [], { text: undefined, subject: 'S', body: 'B' })]), [
      'error schema /nodes/0/body',
      'error schema /nodes/0/subject',
      'error missing_content /nodes/0/text',
    ]);
    expect(both.issues.every((issue) => issue.fix === undefined)).toBe(true);
    const withText = expectIssues(plan([sms('a', [], { subject: 'S' })]), ['error schema /nodes/0/subject']);
    expect(withText.issues[0]?.fix).toBeUndefined();
  });

  it('thread on an SMS step, text on an email step: schema', () => {
    expectIssues(plan([sms('a', [], { thread: true })]), ['error schema /nodes/0/thread']);
    expectIssues(plan([send('a', [], { text: 'Hi' })]), ['error schema /nodes/0/text']);
  });

  it('channel_event_mismatch: opened, clicked, no_open, no_click on an SMS node', () => {
    const transitions = [
      'opened',
      'clicked',
      'no_open',
      'no_click',
      'replied',
      'delivered',
      'bounced',
      'no_reply',
    ].map((on) => t(on, 'done', on.startsWith('no_') ? { after: 'P1D' } : {}));
    expectIssues(plan([sms('a', transitions), end('done')]), [
      'error channel_event_mismatch /nodes/0/transitions/0/on',
      'error channel_event_mismatch /nodes/0/transitions/1/on',
      'error channel_event_mismatch /nodes/0/transitions/2/on',
      'error channel_event_mismatch /nodes/0/transitions/3/on',
    ]);
  });

  it('template errors and missing variables in the text', () => {
    expectIssues(plan([sms('a', [], { text: 'Hi {{name' })]), ['error template_syntax /nodes/0/text']);
    expectIssues(plan([sms('a', [], { text: 'Hi {{company}}' })]), ['error missing_variable /nodes/0/text'], {
      contact: { phone: '+14155552671', name: 'Ann' },
    });
  });

  it('sms_segments: more than 3 parts (GSM-7 153 a part, UCS-2 67), counting defaults or the contact', () => {
    // 459 = 3 * 153 GSM-7 characters is 3 parts; 460 is 4.
    expectIssues(plan([sms('a', [], { text: 'x'.repeat(459) })]), []);
    expectIssues(plan([sms('a', [], { text: 'x'.repeat(460) })]), ['warning sms_segments /nodes/0/text']);
    // One emoji makes the text UCS-2: 3 * 67 = 201 code units fit, 202 do not.
    expectIssues(plan([sms('a', [], { text: `😀${'x'.repeat(199)}` })]), []);
    expectIssues(plan([sms('a', [], { text: `😀${'x'.repeat(200)}` })]), [
      'warning sms_segments /nodes/0/text',
    ]);
    // The default counts: 450 + 10 characters of default is 460.
    const text = `${'x'.repeat(450)}{{name|${'y'.repeat(10)}}}`;
    expectIssues(plan([sms('a', [], { text })]), ['warning sms_segments /nodes/0/text']);
    // With a contact, its (shorter) value counts instead: 450 + 3 = 453.
    expectIssues(plan([sms('a', [], { text })]), [], { contact: { phone: '+14155552671', name: 'Ann' } });
  });
});

describe('validatePlan v1.1: threaded follow-ups', () => {
  const follow = (id: string): Json => ({
    id,
    action: 'send',
    thread: true,
    body: 'Following up.',
    transitions: [],
  });

  it('no subject is fine when every path sends an email first', () => {
    expectIssues(plan([send('intro', [t('no_reply', 'f', { after: 'P3D' })]), follow('f')]), []);
  });

  it('missing_content when some path reaches it with no earlier email (SMS does not count)', () => {
    const nodes = [
      {
        id: 'pick',
        action: 'branch',
        branches: [{ when: { attribute: 'x', exists: true }, to: 'intro' }],
        otherwise: 'text',
      },
      send('intro', [t('no_reply', 'f', { after: 'P3D' })]),
      sms('text', [t('no_reply', 'f', { after: 'P3D' })]),
      follow('f'),
    ];
    const result = expectIssues(plan(nodes), ['error missing_content /nodes/3/subject']);
    expect(result.issues[0]?.message).toContain('thread');
    expectIssues(plan([follow('f')]), ['error missing_content /nodes/0/subject']);
  });

  it('a subject makes thread fine on any path', () => {
    expectIssues(plan([{ ...follow('f'), subject: 'Hello' }]), []);
  });
});

describe('validatePlan v1.1: contact addresses', () => {
  const nodes = [send('intro', [t('no_reply', 'nudge', { after: 'P3D' })]), sms('nudge')];

  it('missing_phone and missing_email at the steps that need them', () => {
    expectIssues(plan(nodes), [], { contact: { email: 'a@example.com', phone: '+14155552671' } });
    expectIssues(plan(nodes), ['error missing_phone /nodes/1'], { contact: { email: 'a@example.com' } });
    expectIssues(plan(nodes), ['error missing_email /nodes/0'], { contact: { phone: '+14155552671' } });
  });

  it('invalid_phone: not E.164', () => {
    for (const phone of ['4155552671', '+1 555', '+999123456789', 'phone']) {
      expectIssues(plan(nodes), ['error invalid_phone /nodes/1'], {
        contact: { email: 'a@example.com', phone },
      });
    }
    expectIssues(plan(nodes), [], { contact: { email: 'a@example.com', phone: '+4915123456789' } });
  });

  it('invalid_phone: the rule the service stores a phone by (digits only; full metadata)', () => {
    // Spaces are not E.164; +49 1234567 and +49 12345678901 pass a length-only check but are no German number.
    for (const phone of ['+1 415 555 2671', '+1-415-555-2671', '+491234567', '+4912345678901']) {
      expectIssues(plan(nodes), ['error invalid_phone /nodes/1'], {
        contact: { email: 'a@example.com', phone },
      });
      expect(() => checkedContact({ email: 'a@example.com', phone })).toThrow(InvalidContactError);
    }
    // The service trims a phone before it checks and stores it.
    expectIssues(plan(nodes), [], { contact: { email: 'a@example.com', phone: ' +14155552671 ' } });
    expect(checkedContact({ email: 'a@example.com', phone: ' +14155552671 ' }).phone).toBe('+14155552671');
  });
});
