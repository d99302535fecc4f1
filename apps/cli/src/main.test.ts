import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLAN_ISSUE_CODES, WARNING_CODES } from '@campaign/core';
import { describe, expect, it } from 'vitest';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, main } from './main.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd: repoRoot,
  });
  return { code, stdout, stderr };
}

function tempFile(name: string, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'campaign-cli-'));
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const tinyPlan = {
  version: '1.0',
  startNodeId: 'hello',
  nodes: [{ id: 'hello', action: 'send', subject: 'Hi {{name}}', body: 'Hello {{name}}', transitions: [] }],
};

describe('campaign schema', () => {
  it('prints the plan JSON Schema', async () => {
    const { code, stdout } = await cli('schema');
    expect(code).toBe(EXIT_OK);
    const schema = JSON.parse(stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'startNodeId', 'nodes']));
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('campaign validate', () => {
  it('accepts the example campaign', async () => {
    const { code, stdout } = await cli('validate', 'examples/seed-campaign.json');
    expect(code).toBe(EXIT_OK);
    expect(stdout).toBe('plan is valid\n');
  });

  it('lists every error code of the broken examples as {valid, issues}', async () => {
    /** The codes of one refused run, after checking the {valid, issues} shape. */
    async function codesOf(...argv: string[]): Promise<Set<string>> {
      const { code, stdout } = await cli(...argv);
      expect(code).toBe(EXIT_INVALID);
      const result = JSON.parse(stdout);
      expect(Object.keys(result).sort()).toEqual(['issues', 'valid']);
      expect(result.valid).toBe(false);
      for (const issue of result.issues) {
        const keys = ['code', 'message', 'path', 'severity', ...('fix' in issue ? ['fix'] : [])];
        expect(Object.keys(issue).sort()).toEqual(keys.sort());
      }
      return new Set(result.issues.map((i: { code: string }) => i.code));
    }
    const errorCodes = PLAN_ISSUE_CODES.filter((c) => !(WARNING_CODES as readonly string[]).includes(c));
    expect(errorCodes).toHaveLength(28);
    // The 1.0 example: every 1.0 code. fixed_offset_timezone needs a valid zone where this plan has an
    // invalid one, and stranded_by_event a plan that passes the schema: the block 'campaign validate:
    // zone names, durations, stranded nodes' shows them.
    const needWellFormed = ['fixed_offset_timezone', 'stranded_by_event'];
    const v11Codes = [
      'invalid_send_window',
      'invalid_holidays',
      'no_send_time',
      'invalid_branch',
      'invalid_split',
      'channel_event_mismatch',
      'missing_phone',
      'missing_email',
      'invalid_phone',
      'sms_segments',
      'invalid_goal',
      'zero_time_chain',
    ];
    expect(await codesOf('validate', 'examples/broken-plan.json', '--json')).toEqual(
      new Set(PLAN_ISSUE_CODES.filter((c) => !needWellFormed.includes(c) && !v11Codes.includes(c))),
    );
    // The 1.1 example with its contact (a phone that is not E.164, no email).
    const v11 = await codesOf('validate', 'examples/broken-plan-v1.1.json', '--json');
    expect(v11).toEqual(
      new Set([
        'invalid_send_window',
        'invalid_holidays',
        'invalid_branch',
        'invalid_split',
        'channel_event_mismatch',
        'missing_email',
        'invalid_phone',
        'sms_segments',
        'invalid_goal',
      ]),
    );
    // The same plan for a contact with an email and no phone.
    const noPhone = await codesOf(
      'validate',
      'examples/broken-plan-v1.1.json',
      '--contact',
      'examples/contact.json',
      '--json',
    );
    expect(noPhone).toContain('missing_phone');
    // An activation-time code: an SMS window after the legal SMS hours never opens.
    const noTime = await codesOf(
      'simulate',
      'examples/broken-plan-v1.1-no-send-time.json',
      '--start',
      '2026-01-05T15:00:00Z',
    );
    expect(noTime).toEqual(new Set(['no_send_time']));
    // zero_time_chain: 101 branch nodes in a row (at most 100 may), too long for an example file.
    const chain = {
      version: '1.1',
      timezone: 'UTC',
      startNodeId: 'b0',
      nodes: [
        ...Array.from({ length: 101 }, (_, i) => ({
          id: `b${i}`,
          action: 'branch',
          branches: [{ when: { attribute: 'x', exists: true }, to: `b${i + 1}` }],
          otherwise: `b${i + 1}`,
        })),
        { id: 'b101', action: 'send', subject: 'Hi', body: 'Hello', transitions: [] },
      ],
    };
    const tooLong = await codesOf('validate', tempFile('chain.json', chain), '--json');
    expect(tooLong).toEqual(new Set(['zero_time_chain']));
    const covered = new Set([
      ...v11,
      ...noPhone,
      ...noTime,
      ...tooLong,
      ...PLAN_ISSUE_CODES.filter((c) => !needWellFormed.includes(c) && !v11Codes.includes(c)),
    ]);
    for (const code of errorCodes) expect(covered, code).toContain(code);
  });

  it('exits 0 on warnings alone', async () => {
    const plan = { ...tinyPlan, nodes: [...tinyPlan.nodes, { id: 'orphan', action: 'end' }] };
    const { code, stdout } = await cli('validate', tempFile('plan.json', plan), '--json');
    expect(code).toBe(EXIT_OK);
    expect(JSON.parse(stdout).issues).toEqual([
      expect.objectContaining({ code: 'unreachable_node', path: '/nodes/1', severity: 'warning' }),
    ]);
  });

  it('checks template variables against --contact', async () => {
    const contact = tempFile('contact.json', { email: 'a@example.com', timezone: 'Europe/Paris' });
    const { code, stdout } = await cli(
      'validate',
      tempFile('plan.json', tinyPlan),
      '--json',
      '--contact',
      contact,
    );
    expect(code).toBe(EXIT_INVALID);
    expect(
      JSON.parse(stdout).issues.map((i: { code: string; path: string }) => `${i.code} ${i.path}`),
    ).toEqual(['missing_variable /nodes/0/body', 'missing_variable /nodes/0/subject']);
  });

  it.each([
    [['validate'], /missing plan file/],
    [['validate', 'examples/nope.json'], /cannot read plan file "examples\/nope.json": ENOENT/],
    [['validate', 'examples/seed-campaign.json', '--jsn'], /Unknown option '--jsn'/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('usage error %j exits 2', async (argv, message) => {
    const { code, stderr, stdout } = await cli(...argv);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('a file that is not JSON is a usage error', async () => {
    const { code, stderr } = await cli('validate', tempFile('plan.json', '{"version": '));
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toMatch(/is not JSON/);
  });
});

describe('campaign simulate', () => {
  it('prints the timeline of the example campaign', async () => {
    const { code, stdout } = await cli(
      'simulate',
      'examples/seed-campaign.json',
      '--start',
      '2026-03-06T17:00:00Z',
      '--events',
      'examples/seed-campaign.events.json',
      '--contact',
      'examples/contact.json',
    );
    expect(code).toBe(EXIT_OK);
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual(['status', 'currentNodeId', 'stopReason', 'timeline']);
    expect(result).toMatchObject({ status: 'completed', currentNodeId: 'done', stopReason: null });
    // The bump is entered 2026-03-09T04:00Z (no_click 48 h after the 04:00Z open) with delay P1D: due
    // 2026-03-09 21:00 PDT (DST began on the 8th), quiet until 07:30 PDT = 14:30Z on the 10th.
    expect(result.timeline).toContainEqual({
      at: '2026-03-10T14:30:00.000Z',
      kind: 'send',
      node: 'email_bump_1',
      message: 'msg_2',
      dueAt: '2026-03-10T04:00:00.000Z',
      subject: 'Re: Introduction to our solution',
    });
    // the duplicate evt-open-1 is dropped
    expect(result.timeline.filter((e: { id?: string }) => e.id === 'evt-open-1')).toHaveLength(1);
    expect(result.timeline.map((e: { at: string }) => e.at)).toEqual(
      [...result.timeline.map((e: { at: string }) => e.at)].sort(),
    );
  });

  it('a contact without a needed variable exits 1 with missing_variable', async () => {
    const { code, stdout } = await cli(
      'simulate',
      tempFile('plan.json', { ...tinyPlan, timezone: 'UTC' }),
      '--start',
      '2026-01-01T00:00:00Z',
    );
    expect(code).toBe(EXIT_INVALID);
    const result = JSON.parse(stdout);
    expect(result.valid).toBe(false);
    expect(result.issues.map((i: { code: string }) => i.code)).toEqual([
      'missing_variable',
      'missing_variable',
    ]);
  });

  it('uses the contact zone when the plan has none, and refuses when neither has one', async () => {
    const plan = tempFile('plan.json', tinyPlan);
    const withZone = tempFile('c.json', { email: 'a@example.com', name: 'Ada', timezone: 'Asia/Tokyo' });
    const ok = await cli('simulate', plan, '--start', '2026-01-01T00:00:00Z', '--contact', withZone);
    expect(ok.code).toBe(EXIT_OK);
    expect(JSON.parse(ok.stdout).timeline[1]).toMatchObject({ kind: 'send', subject: 'Hi Ada' });
    const noZone = tempFile('c.json', { email: 'a@example.com', name: 'Ada' });
    const refused = await cli('simulate', plan, '--start', '2026-01-01T00:00:00Z', '--contact', noZone);
    expect(refused.code).toBe(EXIT_INVALID);
    expect(JSON.parse(refused.stdout).issues).toEqual([
      expect.objectContaining({ code: 'invalid_timezone', path: '/timezone' }),
    ]);
  });

  it.each([
    [['simulate', 'examples/seed-campaign.json'], /missing --start/],
    [
      ['simulate', 'examples/seed-campaign.json', '--start', '2026-03-06 17:00'],
      /--start must be an ISO 8601 instant/,
    ],
    [
      [
        'simulate',
        'examples/seed-campaign.json',
        '--start',
        '2026-03-06T17:00:00Z',
        '--until',
        '2026-03-01T00:00:00Z',
      ],
      /--until is before --start/,
    ],
  ])('usage error %j exits 2', async (argv, message) => {
    const { code, stderr } = await cli(...argv);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toMatch(message);
  });

  it('an events file with an unknown event type is a usage error naming the place', async () => {
    const events = tempFile('events.json', [{ at: '2026-03-06T18:00:00Z', type: 'open' }]);
    const { code, stderr } = await cli(
      'simulate',
      'examples/seed-campaign.json',
      '--start',
      '2026-03-06T17:00:00Z',
      '--events',
      events,
    );
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toMatch(/events file ".*" is invalid at \/0\/type/);
  });
});

describe('campaign graph', () => {
  it('prints a Mermaid flowchart with one labelled edge per transition', async () => {
    const { code, stdout } = await cli('graph', 'examples/seed-campaign.json');
    expect(code).toBe(EXIT_OK);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines).toContain('  start --> n0');
    expect(lines).toContain('  n0 -- "opened within PT72H" --> n1');
    expect(lines).toContain('  n1 -- "no_click after PT48H" --> n2');
    // 10 transitions in the example plan
    expect(lines.filter((l) => l.includes(' -- "'))).toHaveLength(10);
  });
});

describe('campaign validate: zone names, durations, stranded nodes (issue 9)', () => {
  const withZone = (timezone: string) => ({ ...tinyPlan, timezone });

  it('regression: refuses PST with a did-you-mean (ICU accepted it)', async () => {
    const { code, stdout } = await cli('validate', tempFile('plan.json', withZone('PST')), '--json');
    expect(code).toBe(EXIT_INVALID);
    const [issue] = JSON.parse(stdout).issues;
    expect(issue).toMatchObject({ code: 'invalid_timezone', path: '/timezone', severity: 'error' });
    expect(issue.message).toContain('did you mean "America/Los_Angeles"?');
  });

  it("regression: refuses the contact's BST when the plan has no zone", async () => {
    const contact = tempFile('contact.json', { email: 'a@example.com', timezone: 'BST' });
    const { code, stdout } = await cli('validate', tempFile('plan.json', tinyPlan), '--contact', contact);
    expect(code).toBe(EXIT_INVALID);
    expect(stdout).toContain('did you mean "Europe/London"?');
  });

  it('exits 0 on the fixed_offset_timezone warning', async () => {
    const { code, stdout } = await cli('validate', tempFile('plan.json', withZone('EST')), '--json');
    expect(code).toBe(EXIT_OK);
    const [issue] = JSON.parse(stdout).issues;
    expect(issue).toMatchObject({ code: 'fixed_offset_timezone', severity: 'warning' });
    expect(issue.message).toContain('America/New_York');
  });

  it('regression: refuses P0.5D, naming PT12H', async () => {
    const node = { ...tinyPlan.nodes[0], schedule: { delay: 'P0.5D' } };
    const plan = { ...withZone('Europe/Paris'), nodes: [node] };
    const { code, stdout } = await cli('validate', tempFile('plan.json', plan), '--json');
    expect(code).toBe(EXIT_INVALID);
    const [issue] = JSON.parse(stdout).issues;
    expect(issue).toMatchObject({ code: 'invalid_duration', path: '/nodes/0/schedule/delay' });
    expect(issue.message).toContain('PT12H');
  });

  it('regression: warns stranded_by_event on a no_open timeout without an opened transition', async () => {
    const intro = { ...tinyPlan.nodes[0], transitions: [{ on: 'no_open', to: 'bye', after: 'P3D' }] };
    const plan = { ...withZone('Europe/Paris'), nodes: [intro, { id: 'bye', action: 'end' }] };
    const { code, stdout } = await cli('validate', tempFile('plan.json', plan), '--json');
    expect(code).toBe(EXIT_OK);
    expect(JSON.parse(stdout).issues).toEqual([
      expect.objectContaining({
        code: 'stranded_by_event',
        path: '/nodes/0/transitions/0',
        severity: 'warning',
      }),
    ]);
  });
});

describe('campaign simulate: implausible event times (issue 9 item 9)', () => {
  it('regression: an event dated long before the message it names was sent exits 2 naming the event', async () => {
    // The seed campaign's intro goes out at 2026-03-06T17:00Z; email_bump_1 is sent days later, so an
    // open of the bump dated an hour after the start is impossible: the service would store it nowhere.
    const events = tempFile('events.json', [
      { at: '2026-03-06T17:30:00Z', type: 'delivered' },
      { at: '2026-03-06T18:00:00Z', type: 'opened', node: 'email_bump_1', id: 'evt-early-open' },
    ]);
    const { code, stdout, stderr } = await cli(
      'simulate',
      'examples/seed-campaign.json',
      '--start',
      '2026-03-06T17:00:00Z',
      '--events',
      events,
    );
    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/events file ".*" is invalid at \/1: implausible_time: /);
    expect(stderr).toContain('"evt-early-open"');
    expect(stderr).toContain('email_bump_1');
  });
});

describe('campaign simulate: plan v1.1 (DESIGN section 10)', () => {
  const smsPlan = {
    version: '1.1',
    timezone: 'America/New_York',
    startNodeId: 'segment',
    nodes: [
      {
        id: 'segment',
        action: 'branch',
        branches: [{ when: { attribute: 'tier', equals: 'gold' }, to: 'text' }],
        otherwise: 'done',
      },
      { id: 'text', action: 'send', channel: 'sms', text: 'Hi {{name|there}}, reply STOP to opt out' },
      { id: 'done', action: 'end' },
    ],
  };

  it('takes a contact with id, phone and attributes (no email) and prints the SMS send', async () => {
    const contact = tempFile('c.json', { id: 'c-1', phone: '+14155550123', attributes: { tier: 'gold' } });
    // 2026-01-06T02:30Z is 21:30 EST: the SMS waits for 08:00 EST = 13:00Z
    const { code, stdout } = await cli(
      'simulate',
      tempFile('plan.json', smsPlan),
      '--start',
      '2026-01-06T02:30:00Z',
      '--contact',
      contact,
    );
    expect(code).toBe(EXIT_OK);
    const result = JSON.parse(stdout);
    expect(result.timeline).toContainEqual({
      at: '2026-01-06T02:30:00.000Z',
      kind: 'transition',
      from: 'segment',
      to: 'text',
      on: 'branch',
    });
    expect(result.timeline).toContainEqual({
      at: '2026-01-06T13:00:00.000Z',
      kind: 'send',
      node: 'text',
      message: 'msg_1',
      dueAt: '2026-01-06T02:30:00.000Z',
      channel: 'sms',
      text: 'Hi there, reply STOP to opt out',
      segments: 1,
    });
  });

  it('exits 1 with missing_phone when an SMS step meets a contact without a phone', async () => {
    const contact = tempFile('c.json', { email: 'a@example.com', attributes: { tier: 'gold' } });
    const { code, stdout } = await cli(
      'simulate',
      tempFile('plan.json', smsPlan),
      '--start',
      '2026-01-06T15:00:00Z',
      '--contact',
      contact,
    );
    expect(code).toBe(EXIT_INVALID);
    const result = JSON.parse(stdout);
    expect(result.valid).toBe(false);
    expect(result.issues.map((i: { code: string }) => i.code)).toContain('missing_phone');
  });

  it('exits 1 with no_send_time when a send can never go (an SMS window 21:00-22:00)', async () => {
    const plan = {
      ...smsPlan,
      startNodeId: 'text',
      nodes: [{ ...smsPlan.nodes[1], sendWindow: { days: ['mon'], start: '21:00', end: '22:00' } }],
    };
    const contact = tempFile('c.json', { phone: '+14155550123' });
    const { code, stdout } = await cli(
      'simulate',
      tempFile('plan.json', plan),
      '--start',
      '2026-01-06T15:00:00Z',
      '--contact',
      contact,
    );
    expect(code).toBe(EXIT_INVALID);
    const result = JSON.parse(stdout);
    expect(Object.keys(result).sort()).toEqual(['issues', 'valid']);
    expect(result.valid).toBe(false);
    expect(result.issues).toContainEqual(expect.objectContaining({ code: 'no_send_time', path: '/nodes/0' }));
  });

  it('refuses a contact file with neither email nor phone (exit 2)', async () => {
    const { code, stderr } = await cli(
      'simulate',
      tempFile('plan.json', smsPlan),
      '--start',
      '2026-01-06T15:00:00Z',
      '--contact',
      tempFile('c.json', { id: 'c-1', name: 'Ada' }),
    );
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toMatch(/needs an "email" or a "phone"/);
  });
});
