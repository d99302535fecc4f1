import { z } from 'zod';
import { conditionSchema, goalNameSchema } from './condition-schema.ts';

export {
  type AttributeCondition,
  attributeConditionSchema,
  type Condition,
  conditionSchema,
  ENGAGED_EVENTS,
  type EngagedCondition,
  type EventCondition,
  engagedConditionSchema,
  eventConditionSchema,
  GOAL_NAME_PATTERN,
  goalNameSchema,
} from './condition-schema.ts';

/** Engagement events a provider reports for a message. */
export const ENGAGEMENT_EVENTS = [
  'delivered',
  'opened',
  'clicked',
  'replied',
  'bounced',
  'complained',
  'unsubscribed',
] as const;
export type EngagementEvent = (typeof ENGAGEMENT_EVENTS)[number];

/** Synthetic events raised by the engine when nothing happened for a while; each needs `after`. */
export const TIMEOUT_EVENTS = ['no_open', 'no_click', 'no_reply'] as const;
export type TimeoutEvent = (typeof TIMEOUT_EVENTS)[number];

export type TransitionEvent = EngagementEvent | TimeoutEvent;

/** Events that stop every campaign of the contact and suppress the contact, whatever `exitOn` says. */
export const SUPPRESSING_EVENTS: readonly EngagementEvent[] = ['unsubscribed', 'complained'];

/** `exitOn` when a plan leaves it out: a campaign never keeps mailing someone who answered or bounced. */
export const DEFAULT_EXIT_ON: readonly EngagementEvent[] = [
  'replied',
  'bounced',
  'complained',
  'unsubscribed',
];

/**
 * The one table of what each timeout event means: its family, the engagement event whose absence it
 * stands for (DESIGN section 3, `window_gap`), and the engagement events whose genuine occurrence
 * breaks its condition (section 4 rule 6): an open or a click breaks `no_open` (a click implies an
 * open), a click `no_click`, a reply `no_reply`. The engine and the validator read it through
 * TIMEOUT_BROKEN_BY and familyTimeout.
 */
const TIMEOUT_MEANING: Readonly<
  Record<TimeoutEvent, { family: EngagementEvent; brokenBy: readonly EngagementEvent[] }>
> = {
  no_open: { family: 'opened', brokenBy: ['opened', 'clicked'] },
  no_click: { family: 'clicked', brokenBy: ['clicked'] },
  no_reply: { family: 'replied', brokenBy: ['replied'] },
};

/** The engagement events whose genuine occurrence breaks each timeout's condition (DESIGN section 4 rule 6). */
export const TIMEOUT_BROKEN_BY: Readonly<Record<TimeoutEvent, readonly EngagementEvent[]>> = {
  no_open: TIMEOUT_MEANING.no_open.brokenBy,
  no_click: TIMEOUT_MEANING.no_click.brokenBy,
  no_reply: TIMEOUT_MEANING.no_reply.brokenBy,
};

/** The timeout of an engagement event's family (`opened` -> `no_open`); undefined for one with none. */
export function familyTimeout(event: EngagementEvent): TimeoutEvent | undefined {
  return TIMEOUT_EVENTS.find((timeout) => TIMEOUT_MEANING[timeout].family === event);
}

export function isEngagementEvent(value: unknown): value is EngagementEvent {
  return typeof value === 'string' && (ENGAGEMENT_EVENTS as readonly string[]).includes(value);
}

export function isTimeoutEvent(value: unknown): value is TimeoutEvent {
  return typeof value === 'string' && (TIMEOUT_EVENTS as readonly string[]).includes(value);
}

/** Plan format versions this engine reads (DESIGN sections 3 and 10). */
export const PLAN_VERSIONS = ['1.0', '1.1'] as const;
export type PlanVersion = (typeof PLAN_VERSIONS)[number];

/**
 * The ISO 8601 durations isValidIsoDuration accepts, as a regular expression (without its 366-day
 * bound and its largest-part bound, which a pattern cannot express): upper-case designators, at
 * least one part, no bare 'T'; a fraction ('.' or ',') only in the last part given, and in a
 * calendar part (Y, M, W, D) only a zero one (P1.0D is one day; P1.5D is refused). It goes into the
 * JSON Schema so structured output cannot produce "3 days".
 */
export const ISO_DURATION_PATTERN = isoDurationPattern();

function isoDurationPattern(): string {
  const int = '\\d+';
  const frac = '\\d+(?:[.,]\\d+)?';
  const zeroFrac = '\\d+(?:[.,]0+)?';
  const parts = (units: readonly string[]): string => units.map((u) => `(?:${int}${u})?`).join('');
  /** Optional whole parts `units`, then the last one with the given number form. */
  const lastOf = (units: readonly string[], num: string): string[] =>
    units.map((unit, i) => `${parts(units.slice(0, i))}${num}${unit}`);
  const time = `T(?:${lastOf(['H', 'M', 'S'], frac).join('|')})`;
  const withTime = `${parts(['Y', 'M', 'W', 'D'])}(?:${time})?`;
  const calendarLast = lastOf(['Y', 'M', 'W', 'D'], zeroFrac).join('|');
  return `^P(?!$)(?:${withTime}|${calendarLast})$`;
}

/** A 24-hour local time of day, HH:MM (DESIGN sections 3 and 10). */
export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

// The pattern is JSON Schema metadata only: parsing keeps accepting any string, so a 1.0 plan's
// issues stay those of the semantic checks (invalid_duration), and a plan they pass still parses.
const isoDuration = z
  .string()
  .meta({ pattern: ISO_DURATION_PATTERN })
  .describe(
    'ISO 8601 duration, at most 366 days (P1Y counts as 366 days, P1M as 31). P1D is a calendar day in the plan zone (wall clock kept across DST); PT24H is 24 elapsed hours. Years, months, weeks and days are whole numbers (write PT12H, not P0.5D); hours, minutes and seconds may have a fraction in the last part (PT1.5H).',
  );

const nodeId = z.string().min(1).describe('Node id, unique within the plan.');

export const transitionSchema = z
  .strictObject({
    on: z
      .enum([...ENGAGEMENT_EVENTS, ...TIMEOUT_EVENTS])
      .describe(
        'Engagement event of the node reference message, or a timeout event (no_open, no_click, no_reply) that needs `after`.',
      ),
    to: nodeId.describe('Id of the node to enter.'),
    within: isoDuration
      .optional()
      .describe(
        'Engagement events only: the event counts only if it happens within this duration of the node anchor.',
      ),
    after: isoDuration
      .optional()
      .describe(
        'Timeout events only: fires this long after the node anchor (the send time, or the wait entry time).',
      ),
  })
  .describe('A move to another node, taken on the first matching event in plan order.');

const transitions = z.array(transitionSchema);

/** Day names of a send window, Monday first (DESIGN section 10). */
export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayName = (typeof DAY_NAMES)[number];

/** Delivery channels of a `send` node (1.1 adds `sms`). */
export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Events only an email has (DESIGN section 10: an SMS has no opens or clicks). Reported for an SMS
 * message they are refused as `channel_event_mismatch`, the code a plan that waits for one on an SMS
 * node gets; they could never fire a transition and would count as engagement in analytics.
 */
export const EMAIL_ONLY_EVENTS: readonly EngagementEvent[] = ['opened', 'clicked'];

/** Events that exist for an SMS send (DESIGN section 10); any other on an SMS node is `channel_event_mismatch`. */
export const SMS_EVENTS: readonly TransitionEvent[] = [
  'delivered',
  'bounced',
  'replied',
  'unsubscribed',
  'no_reply',
];

const timeOfDay = z
  .string()
  .regex(new RegExp(TIME_OF_DAY_PATTERN))
  .describe('Local time of day as HH:MM, 24-hour clock, such as "09:00" or "17:30" (not "9am").');

export const sendWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(DAY_NAMES))
      .min(1)
      .describe(
        'Days a send may go on, as three-letter lower-case names: mon, tue, wed, thu, fri, sat, sun.',
      ),
    start: timeOfDay.describe('HH:MM local time the window opens (inclusive).'),
    end: timeOfDay.describe(
      'HH:MM local time the window closes (exclusive); after start (no crossing midnight).',
    ),
  })
  .describe('Version 1.1: sends go only on these days between start and end, local time.');

export const holidaysSchema = z
  .strictObject({
    country: z
      .string()
      .optional()
      .describe('ISO 3166-1 alpha-2 country whose public holidays have no sends, such as "US" or "DE".'),
    region: z
      .string()
      .optional()
      .describe('ISO 3166-2 subdivision of the country, such as "BY" (Bavaria) or "CA" (California).'),
    dates: z
      .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
      .optional()
      .describe('More local dates with no sends, as YYYY-MM-DD.'),
  })
  .describe('Version 1.1: dates with no sends (public holidays of a country or region, and listed dates).');

export const sendNodeSchema = z
  .strictObject({
    id: nodeId,
    action: z.literal('send'),
    channel: z
      .enum(CHANNELS)
      .optional()
      .describe('Delivery channel: "email" (default) or, from version 1.1, "sms".'),
    subject: z
      .string()
      .max(998)
      .optional()
      .describe(
        'Email subject template: {{name}}, {{email}}, any contact attribute, {{var|default}}. At most 998 characters. Required for email unless "thread" follows an earlier email.',
      ),
    body: z.string().optional().describe('Email body template; values are HTML-escaped. Required for email.'),
    text: z
      .string()
      .optional()
      .describe('Version 1.1, SMS only: the message text template (plain text, no subject or body).'),
    thread: z
      .boolean()
      .optional()
      .describe(
        'Version 1.1, email only: send as a reply in the thread of the campaign\'s latest email ("Re: " subject, In-Reply-To).',
      ),
    sendWindow: sendWindowSchema
      .optional()
      .describe("Version 1.1: this send's window, replacing the plan's."),
    schedule: z
      .strictObject({
        delay: isoDuration
          .optional()
          .describe('Wait this long after entering the node before sending (default PT0S).'),
        expireAfter: isoDuration
          .optional()
          .describe(
            'Version 1.1: skip the send (and stop the campaign) if it cannot go within this long of its due time.',
          ),
      })
      .optional(),
    transitions: transitions.optional().describe('Empty or absent: the campaign completes after this send.'),
  })
  .describe('Send one email or SMS, then wait for its engagement or timeouts.');

export const waitNodeSchema = z
  .strictObject({
    id: nodeId,
    action: z.literal('wait'),
    transitions: transitions.describe(
      'Must include a timeout transition, or the campaign could wait forever.',
    ),
  })
  .describe('Send nothing; react to the latest message sent before this node was entered.');

export const endNodeSchema = z
  .strictObject({ id: nodeId, action: z.literal('end') })
  .describe('Terminal node.');

export const branchNodeSchema = z
  .strictObject({
    id: nodeId,
    action: z.literal('branch'),
    branches: z
      .array(z.strictObject({ when: conditionSchema, to: nodeId }))
      .describe('Tried in order; the first whose condition holds is taken.'),
    otherwise: nodeId.describe('Taken when no branch holds.'),
  })
  .describe('Version 1.1: a zero-time choice on who the contact is or what they did.');

export const splitNodeSchema = z
  .strictObject({
    id: nodeId,
    action: z.literal('split'),
    experiment: z
      .string()
      .min(1)
      .optional()
      .describe('Experiment name the assignment hashes (default: the node id).'),
    variants: z
      .array(
        z.strictObject({
          id: z.string().min(1),
          weight: z.number().int().positive(),
          to: nodeId,
        }),
      )
      .min(2)
      .max(10)
      .describe('2 to 10 variants with unique ids and integer weights > 0.'),
  })
  .describe('Version 1.1: a zero-time deterministic A/B split.');

export const planNodeSchema = z.discriminatedUnion('action', [
  sendNodeSchema,
  waitNodeSchema,
  endNodeSchema,
  branchNodeSchema,
  splitNodeSchema,
]);

export const quietHoursSchema = z
  .strictObject({
    // Pattern as metadata only (see isoDuration): the zones check judges quiet hours.
    start: z
      .string()
      .meta({ pattern: TIME_OF_DAY_PATTERN })
      .describe('HH:MM local time when quiet hours start (inclusive).'),
    end: z
      .string()
      .meta({ pattern: TIME_OF_DAY_PATTERN })
      .describe('HH:MM local time when quiet hours end (exclusive); may be earlier than start.'),
  })
  .describe('Sends falling in [start, end) local time move to the next end.');

export const planSchema = z
  .strictObject({
    version: z
      .enum(PLAN_VERSIONS)
      .describe('"1.1" to use send windows, holidays, expiry, branch, split, SMS or goals.'),
    timezone: z
      .string()
      .optional()
      .describe(
        'IANA tz database zone name of every local-time rule, such as "America/Los_Angeles" (not an abbreviation such as "PST" or an offset such as "+02:00"); may be omitted when the contact has a timezone.',
      ),
    quietHours: quietHoursSchema.optional(),
    sendWindow: sendWindowSchema.optional(),
    holidays: holidaysSchema.optional(),
    startNodeId: nodeId.describe('Id of the node entered at activation.'),
    exitOn: z
      .array(z.enum(ENGAGEMENT_EVENTS))
      .optional()
      .describe(
        'Engagement events that stop the campaign. Default: replied, bounced, complained, unsubscribed.',
      ),
    goals: z
      .array(goalNameSchema)
      .optional()
      .describe(
        'Version 1.1: custom event names (POST /v1/events type "custom") that stop the campaign as converted: status completed, reason "goal:<name>".',
      ),
    nodes: z.array(planNodeSchema).min(1),
  })
  .describe('Campaign plan (version 1.0 or 1.1) for one contact.');

export type Plan = z.infer<typeof planSchema>;

/** The transitions of a node that waits for events (`send`, `wait`); none for the others. */
export function nodeTransitions(node: PlanNode): readonly Transition[] {
  return node.action === 'send' || node.action === 'wait' ? (node.transitions ?? []) : [];
}

/**
 * Every node a node can move to, in plan order: its transitions' targets, a branch's targets then
 * `otherwise`, a split's variants' targets.
 */
export function nodeTargets(node: PlanNode): string[] {
  switch (node.action) {
    case 'branch':
      return [...node.branches.map((b) => b.to), node.otherwise];
    case 'split':
      return node.variants.map((v) => v.to);
    default:
      return nodeTransitions(node).map((t) => t.to);
  }
}
export type PlanNode = z.infer<typeof planNodeSchema>;
export type SendNode = z.infer<typeof sendNodeSchema>;
export type WaitNode = z.infer<typeof waitNodeSchema>;
export type EndNode = z.infer<typeof endNodeSchema>;
export type BranchNode = z.infer<typeof branchNodeSchema>;
export type SplitNode = z.infer<typeof splitNodeSchema>;
export type SendWindow = z.infer<typeof sendWindowSchema>;
export type Holidays = z.infer<typeof holidaysSchema>;
export type Transition = z.infer<typeof transitionSchema>;
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** The plan's JSON Schema (draft 2020-12), generated from the zod schema, for LLM structured output. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(planSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
