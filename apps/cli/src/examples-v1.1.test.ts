/*
 * The plan v1.1 examples of docs/writing-plans.md: each validates clean and, simulated, shows its feature
 * in the timeline. Every expected instant is worked out by hand from DESIGN section 10 in the comments
 * (Europe/Berlin is UTC+2 in June, UTC+1 in December; 2026-06-01 is a Monday).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT_OK, main } from './main.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const CONTACT = 'examples/contact-v1.1.json';

interface Entry {
  at: string;
  kind: string;
  node?: string;
  [key: string]: unknown;
}
interface Outcome {
  status: string;
  currentNodeId: string | null;
  stopReason: string | null;
  timeline: Entry[];
}

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
  const path = join(mkdtempSync(join(tmpdir(), 'campaign-examples-')), name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

function example(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot, 'examples', file), 'utf8')) as Record<string, unknown>;
}

async function simulate(plan: string, start: string, ...more: string[]): Promise<Outcome> {
  const { code, stdout, stderr } = await cli('simulate', plan, '--start', start, ...more);
  expect({ code, stderr }, stdout).toEqual({ code: EXIT_OK, stderr: '' });
  return JSON.parse(stdout) as Outcome;
}

const sends = (outcome: Outcome) => outcome.timeline.filter((e) => e.kind === 'send');
const sendOf = (outcome: Outcome, node: string) => sends(outcome).find((e) => e.node === node);

const EXAMPLES = [
  'v1.1-send-window.json',
  'v1.1-holidays-bavaria.json',
  'v1.1-expiry.json',
  'v1.1-branch.json',
  'v1.1-split.json',
  'v1.1-sms.json',
  'v1.1-thread.json',
  'v1.1-three-touch.json',
];

describe('v1.1 examples validate clean', () => {
  it.each(EXAMPLES)('%s: valid, no issue, with the example contact', async (file) => {
    const { code, stdout } = await cli('validate', `examples/${file}`, '--json', '--contact', CONTACT);
    const result = JSON.parse(stdout);
    expect(result.issues).toEqual([]);
    expect(result.valid).toBe(true);
    expect(code).toBe(EXIT_OK);
  });
});

describe('v1.1-send-window.json', () => {
  it('holds a Saturday start until Monday 09:00, and the node window replaces the plan window', async () => {
    // Due Sat 06-06 12:00 CEST; the plan window (mon-fri 09-17) opens Mon 06-08 09:00 CEST = 07:00Z.
    const outcome = await simulate(
      'examples/v1.1-send-window.json',
      '2026-06-06T10:00:00Z',
      '--contact',
      CONTACT,
    );
    expect(sendOf(outcome, 'email_intro')).toMatchObject({
      at: '2026-06-08T07:00:00.000Z',
      dueAt: '2026-06-06T10:00:00.000Z',
    });
    // no_reply 2 days after the send: Wed 06-10 07:00Z; delay P1D: due Thu 06-11 09:00 CEST. The node's
    // window (tue, thu 18:00-20:00) alone applies, so Thu 18:00 CEST = 16:00Z, outside the plan's 09-17.
    expect(sendOf(outcome, 'email_followup')).toMatchObject({
      at: '2026-06-11T16:00:00.000Z',
      dueAt: '2026-06-11T07:00:00.000Z',
    });
    expect(outcome.status).toBe('completed');
  });
});

describe('v1.1-holidays-bavaria.json', () => {
  const berlinDate = (iso: string) =>
    new Date(new Date(iso).getTime() + 2 * 3600_000).toISOString().slice(0, 10);

  it('sends nothing on Corpus Christi (2026-06-04, a Bavarian public holiday)', async () => {
    // Intro Wed 06-03 10:00 CEST; no_reply after P1D: the bump is due Thu 06-04 10:00 CEST, a holiday;
    // the next day begins at 00:00, quiet until 08:00 CEST = 06:00Z on 06-05.
    const outcome = await simulate(
      'examples/v1.1-holidays-bavaria.json',
      '2026-06-03T08:00:00Z',
      '--contact',
      CONTACT,
    );
    expect(sends(outcome).map((e) => berlinDate(e.at))).not.toContain('2026-06-04');
    expect(sendOf(outcome, 'email_bump')).toMatchObject({
      at: '2026-06-05T06:00:00.000Z',
      dueAt: '2026-06-04T08:00:00.000Z',
    });
  });

  it('without holidays the same plan sends the bump on 2026-06-04 (the control)', async () => {
    const { holidays: _, ...plan } = example('v1.1-holidays-bavaria.json');
    const outcome = await simulate(tempFile('plan.json', plan), '2026-06-03T08:00:00Z', '--contact', CONTACT);
    expect(sendOf(outcome, 'email_bump')?.at).toBe('2026-06-04T08:00:00.000Z');
  });

  it('skips a listed date and the public holidays after it', async () => {
    // Due Thu 12-24 10:00 CET (listed), 12-25 and 12-26 are public holidays; Sun 12-27 08:00 CET = 07:00Z.
    const outcome = await simulate(
      'examples/v1.1-holidays-bavaria.json',
      '2026-12-23T09:00:00Z',
      '--contact',
      CONTACT,
    );
    expect(sendOf(outcome, 'email_bump')).toMatchObject({
      at: '2026-12-27T07:00:00.000Z',
      dueAt: '2026-12-24T09:00:00.000Z',
    });
  });
});

describe('v1.1-expiry.json', () => {
  const plan = 'examples/v1.1-expiry.json';

  it('skips a send that cannot go within expireAfter and stops the campaign', async () => {
    // Fri 06-05 17:30 CEST: the window is closed until Mon 09:00, past due + PT6H (23:30 CEST).
    const outcome = await simulate(plan, '2026-06-05T15:30:00Z', '--contact', CONTACT);
    expect(sends(outcome)).toEqual([]);
    expect(outcome.timeline).toContainEqual(
      expect.objectContaining({
        kind: 'skipped',
        node: 'email_offer',
        dueAt: '2026-06-05T15:30:00.000Z',
        reason: 'expired',
      }),
    );
    expect(outcome.timeline.at(-1)).toMatchObject({ kind: 'end', status: 'stopped', reason: 'send_expired' });
    expect(outcome).toMatchObject({ status: 'stopped', stopReason: 'send_expired' });
  });

  it('sends when the window opens within expireAfter, up to and including the deadline', async () => {
    // Fri 08:00 CEST: the window opens at 09:00 CEST = 07:00Z, 1 h after due.
    const early = await simulate(plan, '2026-06-05T06:00:00Z', '--contact', CONTACT);
    expect(sendOf(early, 'email_offer')?.at).toBe('2026-06-05T07:00:00.000Z');
    expect(early.status).toBe('completed');
    // Due 03:00 CEST: the deadline 09:00 CEST is exactly when the window opens, still allowed.
    const atDeadline = await simulate(plan, '2026-06-05T01:00:00Z', '--contact', CONTACT);
    expect(sendOf(atDeadline, 'email_offer')?.at).toBe('2026-06-05T07:00:00.000Z');
    // One second earlier, the deadline falls one second before the window opens.
    const late = await simulate(plan, '2026-06-05T00:59:59Z', '--contact', CONTACT);
    expect(sends(late)).toEqual([]);
    expect(late.stopReason).toBe('send_expired');
  });
});

describe('v1.1-branch.json', () => {
  const plan = 'examples/v1.1-branch.json';
  // Intro Tue 06-02 08:00Z; no_reply after P3D enters `route` at Fri 06-05 08:00Z.
  const routed = (outcome: Outcome) =>
    outcome.timeline.filter((e) => e.kind === 'transition' && e.from === 'route');
  const contact = (attributes: Record<string, unknown>) =>
    tempFile('contact.json', { email: 'bo@example.com', attributes });

  it('takes the first branch for a large company that opened the intro', async () => {
    const outcome = await simulate(
      plan,
      '2026-06-02T08:00:00Z',
      '--contact',
      CONTACT,
      '--events',
      'examples/v1.1-branch.events.json',
    );
    expect(routed(outcome)).toEqual([
      {
        at: '2026-06-05T08:00:00.000Z',
        kind: 'transition',
        from: 'route',
        to: 'email_enterprise_warm',
        on: 'branch',
      },
    ]);
    expect(sendOf(outcome, 'email_enterprise_warm')?.at).toBe('2026-06-05T08:00:00.000Z');
  });

  it('takes the second branch when the intro was not opened', async () => {
    const outcome = await simulate(plan, '2026-06-02T08:00:00Z', '--contact', CONTACT);
    expect(routed(outcome).map((e) => e.to)).toEqual(['email_enterprise_cold']);
  });

  it.each([
    [{ employees: 20, tier: 'trial' }, 'email_smb'],
    [{ employees: 20, tier: 'paid' }, 'done'],
    // No coercion: "250" is not a number, so gte fails; tier is missing, so `in` is false and `not` holds.
    [{ employees: '250' }, 'done'],
  ])('attributes %j go to %s', async (attributes, target) => {
    const outcome = await simulate(plan, '2026-06-02T08:00:00Z', '--contact', contact(attributes));
    expect(routed(outcome).map((e) => e.to)).toEqual([target]);
  });
});

describe('v1.1-split.json', () => {
  // DESIGN: u = first 4 bytes of SHA-256("<experiment>:<contact id>") / 2^32; A below 0.5, else B.
  // `openssl dgst -sha256` gives 986cf3e5... for crm-4711 (u 0.595: B) and 085250db... for crm-4712 (u 0.033: A).
  it.each([
    ['crm-4711', 'B', 'email_b'],
    ['crm-4712', 'A', 'email_a'],
  ])('contact %s gets variant %s', async (id, variant, to) => {
    const digest = createHash('sha256').update(`subject-test-2026-06:${id}`).digest();
    expect(digest.readUInt32BE(0) / 2 ** 32 < 0.5 ? 'A' : 'B').toBe(variant);
    const contact = tempFile('contact.json', { ...example('contact-v1.1.json'), id });
    const outcome = await simulate('examples/v1.1-split.json', '2026-06-02T08:00:00Z', '--contact', contact);
    expect(outcome.timeline.filter((e) => e.kind === 'transition')).toEqual([
      { at: '2026-06-02T08:00:00.000Z', kind: 'transition', from: 'ab', to, on: 'split', variant },
    ]);
    expect(sends(outcome).map((e) => e.node)).toEqual([to]);
  });

  it('renders the chosen variant for the example contact', async () => {
    const outcome = await simulate('examples/v1.1-split.json', '2026-06-02T08:00:00Z', '--contact', CONTACT);
    expect(sendOf(outcome, 'email_b')?.subject).toBe('Analytical Engines and local-time sending');
  });
});

describe('v1.1-sms.json', () => {
  it('sends the SMS with its rendered text and segments, inside 08:00-21:00 local', async () => {
    // Email Tue 06-02 19:30 CEST; no_reply after P2D: Thu 06-04 19:30 CEST; delay PT2H: due 21:30 CEST,
    // after the SMS hours, so Fri 06-05 08:00 CEST = 06:00Z.
    const outcome = await simulate('examples/v1.1-sms.json', '2026-06-02T17:30:00Z', '--contact', CONTACT);
    const sms = sendOf(outcome, 'sms_nudge');
    expect(sms).toMatchObject({
      at: '2026-06-05T06:00:00.000Z',
      dueAt: '2026-06-04T19:30:00.000Z',
      channel: 'sms',
      text: 'Hi Ada, Sam from Acme here. Did my note about Analytical Engines reach you? Reply STOP to opt out.',
      // 98 characters of the GSM-7 default alphabet.
      segments: 1,
    });
    expect(sms).not.toHaveProperty('subject');
    expect(sendOf(outcome, 'email_intro')).not.toHaveProperty('channel');
    expect(outcome).toMatchObject({ status: 'completed', currentNodeId: 'done' });
  });

  it('refuses a contact without a phone (missing_phone, exit 1)', async () => {
    const { phone: _, ...noPhone } = example('contact-v1.1.json');
    const { code, stdout } = await cli(
      'simulate',
      'examples/v1.1-sms.json',
      '--start',
      '2026-06-02T17:30:00Z',
      '--contact',
      tempFile('contact.json', noPhone),
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout).issues.map((i: { code: string }) => i.code)).toContain('missing_phone');
  });
});

describe('v1.1-thread.json', () => {
  it('sends the follow-up as a reply: "Re: " + the intro subject, in reply to the intro', async () => {
    // Intro Tue 06-02 08:00Z; no_reply after P3D: Fri 06-05 08:00Z.
    const outcome = await simulate('examples/v1.1-thread.json', '2026-06-02T08:00:00Z', '--contact', CONTACT);
    const intro = sendOf(outcome, 'email_intro');
    const bump = sendOf(outcome, 'email_bump');
    expect(intro?.subject).toBe('Quick question about Analytical Engines');
    expect(bump).toMatchObject({
      at: '2026-06-05T08:00:00.000Z',
      subject: 'Re: Quick question about Analytical Engines',
    });
    expect(typeof intro?.message).toBe('string');
    expect(String(bump?.inReplyTo)).toContain(String(intro?.message));
    expect(intro).not.toHaveProperty('inReplyTo');
  });
});

describe("v1.1-three-touch.json (the guide's answer to its LLM prompt)", () => {
  const plan = 'examples/v1.1-three-touch.json';
  const brief = (e: Entry) => ({
    node: e.node,
    at: e.at,
    dueAt: e.dueAt,
    subject: e.subject,
    channel: e.channel,
  });

  it('runs intro, threaded bump and SMS on weekdays 09-17 for a large company', async () => {
    // Tue 06-02 10:00 CEST: enterprise intro; no_reply P3D: bump Fri 06-05 10:00 CEST; no_reply P2D:
    // the SMS is due Sun 06-07 10:00 CEST, outside mon-fri, so Mon 06-08 09:00 CEST = 07:00Z.
    const outcome = await simulate(plan, '2026-06-02T08:00:00Z', '--contact', CONTACT);
    expect(sends(outcome).map(brief)).toEqual([
      {
        node: 'intro_enterprise',
        at: '2026-06-02T08:00:00.000Z',
        dueAt: '2026-06-02T08:00:00.000Z',
        subject: 'Outbound across Analytical Engines',
        channel: undefined,
      },
      {
        node: 'bump',
        at: '2026-06-05T08:00:00.000Z',
        dueAt: '2026-06-05T08:00:00.000Z',
        subject: 'Re: Outbound across Analytical Engines',
        channel: undefined,
      },
      {
        node: 'sms',
        at: '2026-06-08T07:00:00.000Z',
        dueAt: '2026-06-07T08:00:00.000Z',
        subject: undefined,
        channel: 'sms',
      },
    ]);
    expect(outcome.status).toBe('completed');
  });

  it('threads the bump under the small-company intro for a small company', async () => {
    const contact = tempFile('contact.json', {
      id: 'crm-9',
      email: 'tim@tiny.example',
      phone: '+4915123456789',
      attributes: { company: 'Tiny Co', employees: 12 },
    });
    const outcome = await simulate(plan, '2026-06-02T08:00:00Z', '--contact', contact);
    expect(sends(outcome).map((e) => [e.node, e.subject])).toEqual([
      ['intro_smb', 'Outbound for Tiny Co'],
      ['bump', 'Re: Outbound for Tiny Co'],
      ['sms', undefined],
    ]);
  });
});

describe('docs/writing-plans.md', () => {
  const doc = readFileSync(join(repoRoot, 'docs/writing-plans.md'), 'utf8');
  // A block that starts with a key ("sendWindow": {...}) is a fragment of a plan: read it inside braces.
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => {
    const text = (m[1] ?? '').trim();
    return JSON.parse(text.startsWith('"') ? `{${text}}` : text) as Record<string, unknown>;
  });
  const files = readdirSync(join(repoRoot, 'examples')).filter(
    (f) => f.startsWith('v1.1-') || f === 'contact-v1.1.json',
  );
  const objectsIn = (value: unknown): Record<string, unknown>[] =>
    Array.isArray(value)
      ? value.flatMap(objectsIn)
      : value !== null && typeof value === 'object'
        ? [value as Record<string, unknown>, ...Object.values(value).flatMap(objectsIn)]
        : [];

  it('has the full 1.0 plan, valid with no issue', async () => {
    const plans = blocks.filter((b) => 'version' in b);
    expect(plans).toHaveLength(1);
    const { code, stdout } = await cli('validate', tempFile('plan.json', plans[0]), '--json');
    expect(JSON.parse(stdout)).toEqual({ valid: true, issues: [] });
    expect(code).toBe(EXIT_OK);
  });

  it('shows only fragments that are in an example file, so the guide and the examples cannot drift', () => {
    const fragments = blocks.filter((b) => !('version' in b) && !('code' in b));
    expect(fragments.length).toBeGreaterThanOrEqual(8);
    for (const fragment of fragments) {
      const holders = files.filter((file) =>
        objectsIn(example(file)).some((o) =>
          Object.entries(fragment).every(([key, value]) => key in o && isDeepStrictEqual(o[key], value)),
        ),
      );
      expect(holders, JSON.stringify(fragment)).not.toEqual([]);
    }
  });
});
