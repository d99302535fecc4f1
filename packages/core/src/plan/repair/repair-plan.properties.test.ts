import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clickOrTimeoutPlan,
  noOpenBumpPlan,
  noOpenEndPlan,
  oneSendPlan,
  openedOrNotPlan,
  openOrTimeoutPlan,
  seedPlan,
} from '../../testing/plans.ts';
import { validatePlan } from '../validate-plan.ts';
import { repairPlan } from './repair-plan.ts';

/*
 * Property (issue item 8): a valid plan broken by any mix of the breakages below, each one a mistake
 * with one obvious repair, comes back from repairPlan valid and deep-equal to the original. The broken
 * forms are written here by hand, independently of the repair code.
 */

// biome-ignore lint/suspicious/noExplicitAny: plans are edited as raw JSON here.
type Json = any;

const seedCampaign: Json = JSON.parse(
  readFileSync(new URL('../../../../../examples/seed-campaign.json', import.meta.url), 'utf8'),
);

/** DESIGN section 3's example, with the bodies filled in. */
const designPlan: Json = {
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
      subject: 'One more',
      body: 'Hi',
      schedule: { delay: 'P1D' },
      transitions: [],
    },
    { id: 'done', action: 'end' },
  ],
};

const ORIGINALS: readonly Json[] = [
  seedCampaign,
  designPlan,
  oneSendPlan(),
  openOrTimeoutPlan(),
  noOpenEndPlan(),
  noOpenBumpPlan(),
  seedPlan(),
  clickOrTimeoutPlan(),
  openedOrNotPlan(),
  // A fixture with a send delay and quiet hours, so that every breakage applies to a fixture plan too.
  { ...noOpenBumpPlan(), quietHours: { start: '20:30', end: '08:00' } },
  // Quiet hours across noon and midnight, where 12-hour clocks are easiest to get wrong.
  { ...oneSendPlan(), quietHours: { start: '12:15', end: '00:45' } },
].map((plan) => {
  const copy = structuredClone(plan);
  if (copy.nodes[1]?.action === 'send' && copy.nodes[1].schedule === undefined && copy.quietHours) {
    copy.nodes[1].schedule = { delay: 'P2D' };
  }
  return copy;
});

/** Misspellings an LLM writes, each close to exactly one event. */
const MISSPELLINGS: Readonly<Record<string, readonly string[]>> = {
  opened: ['open', 'Opened', 'opens'],
  clicked: ['click', 'clicks', 'Clicked'],
  replied: ['reply', 'replies'],
  delivered: ['deliver'],
  bounced: ['bounce'],
  complained: ['complain'],
  unsubscribed: ['unsubscribe'],
  no_open: ['no-open', 'not_opened', 'noOpen', 'NO_OPEN'],
  no_click: ['no-click', 'not_clicked'],
  no_reply: ['no-reply', 'not_replied'],
};

/** "PT72H" -> ["72 hours", "72h", ...], "P3D" -> ["3 days", "3d"]; undefined for other forms. */
function humanDurations(iso: string): string[] | undefined {
  const words: Record<string, [string, string, string]> = {
    D: ['day', 'days', 'd'],
    W: ['week', 'weeks', 'w'],
    H: ['hour', 'hours', 'h'],
    M: ['minute', 'minutes', 'min'],
    S: ['second', 'seconds', 's'],
  };
  const match = /^P(?:(\d+)([DW])|T(\d+)([HMS]))$/.exec(iso);
  if (match === null) return undefined;
  const n = Number(match[1] ?? match[3]);
  const [one, many, short] = words[(match[2] ?? match[4]) as string] as [string, string, string];
  return [`${n} ${n === 1 ? one : many}`, `${n}${short}`, ` ${n}  ${many.toUpperCase()} `];
}

/** "21:00" -> ["9pm", "9:00 PM", "9 p.m."], "07:30" -> ["7:30am", "7.30am", "7:30"]. */
function humanTimes(hhmm: string): string[] {
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  const half = hour < 12 ? 'am' : 'pm';
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  const mm = String(minute).padStart(2, '0');
  const forms = [
    `${twelve}:${mm}${half}`,
    `${twelve}.${mm} ${half.toUpperCase()}`,
    `${twelve}:${mm} ${half[0]}.m.`,
  ];
  if (minute === 0) forms.push(`${twelve}${half}`);
  if (hour < 10) forms.push(`${hour}:${mm}`);
  return forms;
}

/** Abbreviations with one clear reading, and the zone each means. */
const ABBREVIATIONS: readonly [string, string][] = [
  ['PST', 'America/Los_Angeles'],
  ['pdt', 'America/Los_Angeles'],
  ['EDT', 'America/New_York'],
  ['JST', 'Asia/Tokyo'],
  ['NZDT', 'Pacific/Auckland'],
];

/** A breakage: changes `plan` in place at the site `pick` selects, or returns false when none applies. */
type Breakage = (plan: Json, pick: number) => boolean;

function sites<T>(list: readonly T[], pick: number): T | undefined {
  return list.length === 0 ? undefined : list[pick % list.length];
}

const transitionsOf = (plan: Json): Json[] => plan.nodes.flatMap((node: Json) => node.transitions ?? []);

const misspellEvent: Breakage = (plan, pick) => {
  const holders: [Json, string | number][] = [
    ...transitionsOf(plan).map((t): [Json, string] => [t, 'on']),
    ...(plan.exitOn ?? []).map((_: string, k: number): [Json, number] => [plan.exitOn, k]),
  ].filter(([holder, key]) => MISSPELLINGS[holder[key]] !== undefined);
  const site = sites(holders, pick);
  if (site === undefined) return false;
  const [holder, key] = site;
  const forms = MISSPELLINGS[holder[key]] as readonly string[];
  holder[key] = forms[Math.floor(pick / holders.length) % forms.length];
  return true;
};

const humanizeDuration: Breakage = (plan, pick) => {
  const holders: [Json, string][] = [];
  for (const node of plan.nodes) {
    if (typeof node.schedule?.delay === 'string') holders.push([node.schedule, 'delay']);
    for (const t of node.transitions ?? []) {
      for (const key of ['after', 'within']) if (typeof t[key] === 'string') holders.push([t, key]);
    }
  }
  const usable = holders.filter(([holder, key]) => humanDurations(holder[key]) !== undefined);
  const site = sites(usable, pick);
  if (site === undefined) return false;
  const [holder, key] = site;
  const forms = humanDurations(holder[key]) as string[];
  holder[key] = forms[Math.floor(pick / usable.length) % forms.length];
  return true;
};

const twelveHourQuietHours: Breakage = (plan, pick) => {
  const fields = ['start', 'end'].filter((field) => /^\d\d:\d\d$/.test(plan.quietHours?.[field] ?? ''));
  const field = sites(fields, pick);
  if (field === undefined) return false;
  const forms = humanTimes(plan.quietHours[field]);
  plan.quietHours[field] = forms[pick % forms.length];
  return true;
};

const delayOnNode: Breakage = (plan, pick) => {
  const nodes = plan.nodes.filter(
    (node: Json) => node.schedule?.delay !== undefined && node.delay === undefined,
  );
  const node: Json = sites<Json>(nodes, pick);
  if (node === undefined) return false;
  node.delay = node.schedule.delay;
  delete node.schedule.delay;
  if (Object.keys(node.schedule).length === 0) delete node.schedule;
  return true;
};

const delayOnTransition: Breakage = (plan, pick) => {
  const delayed = (id: string): Json =>
    plan.nodes.find((node: Json) => node.id === id && node.schedule?.delay !== undefined);
  const transitions = transitionsOf(plan).filter((t) => t.delay === undefined && delayed(t.to));
  const transition: Json = sites<Json>(transitions, pick);
  if (transition === undefined) return false;
  const target = delayed(transition.to);
  transition.delay = target.schedule.delay;
  delete target.schedule.delay;
  if (Object.keys(target.schedule).length === 0) delete target.schedule;
  return true;
};

const abbreviatedZone: Breakage = (plan, pick) => {
  const matching = ABBREVIATIONS.filter(([, zone]) => zone === plan.timezone);
  const site = sites(matching, pick);
  if (site === undefined) return false;
  plan.timezone = site[0];
  return true;
};

const BREAKAGES: readonly Breakage[] = [
  misspellEvent,
  humanizeDuration,
  twelveHourQuietHours,
  delayOnNode,
  delayOnTransition,
  abbreviatedZone,
];

/** An original plan, possibly moved to the zone of an abbreviation, and the breakages to apply. */
const brokenPlans = fc
  .record({
    original: fc.constantFrom(...ORIGINALS),
    zone: fc.option(fc.constantFrom(...ABBREVIATIONS.map(([, zone]) => zone)), { nil: undefined }),
    breakages: fc.array(fc.tuple(fc.constantFrom(...BREAKAGES), fc.nat(1000)), {
      minLength: 1,
      maxLength: 4,
    }),
  })
  .map(({ original, zone, breakages }) => {
    const expected = structuredClone(original);
    if (zone !== undefined) expected.timezone = zone;
    const broken = structuredClone(expected);
    const applied = breakages.filter(([breakage, pick]) => breakage(broken, pick)).length;
    return { expected, broken, applied };
  });

describe('repairPlan over broken examples (property)', () => {
  it('every original is valid (warnings aside), in each zone it is tried in', () => {
    for (const original of ORIGINALS) {
      expect(validatePlan(original).valid).toBe(true);
      for (const [, zone] of ABBREVIATIONS)
        expect(validatePlan({ ...original, timezone: zone }).valid).toBe(true);
    }
  });

  it('each breakage applies to some original, and makes it invalid', () => {
    for (const breakage of BREAKAGES) {
      const broken = ORIGINALS.map((original) => structuredClone(original)).filter((plan) =>
        breakage(plan, 0),
      );
      expect(broken.length).toBeGreaterThan(0);
      for (const plan of broken) expect(validatePlan(plan).valid).toBe(false);
    }
  });

  it('repairs a broken plan back to the original', () => {
    fc.assert(
      fc.property(brokenPlans, ({ expected, broken, applied }) => {
        fc.pre(applied > 0);
        const result = repairPlan(broken);
        expect(result.plan).toEqual(expected);
        expect(result.valid).toBe(true);
        expect(result.issues).toEqual(validatePlan(expected).issues);
        expect(result.applied.length).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
