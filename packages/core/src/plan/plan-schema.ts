import { z } from 'zod';

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

const isoDuration = z
  .string()
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

export const sendNodeSchema = z
  .strictObject({
    id: nodeId,
    action: z.literal('send'),
    channel: z.literal('email').optional().describe('Delivery channel; only email exists today.'),
    subject: z
      .string()
      .max(998)
      .describe(
        'Subject template: {{name}}, {{email}}, any contact attribute, {{var|default}}. At most 998 characters.',
      ),
    body: z.string().describe('Body template; values are HTML-escaped.'),
    schedule: z
      .strictObject({
        delay: isoDuration
          .optional()
          .describe('Wait this long after entering the node before sending (default PT0S).'),
      })
      .optional(),
    transitions: transitions.optional().describe('Empty or absent: the campaign completes after this send.'),
  })
  .describe('Send one email, then wait for its engagement or timeouts.');

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

export const planNodeSchema = z.discriminatedUnion('action', [sendNodeSchema, waitNodeSchema, endNodeSchema]);

export const quietHoursSchema = z
  .strictObject({
    start: z.string().describe('HH:MM local time when quiet hours start (inclusive).'),
    end: z.string().describe('HH:MM local time when quiet hours end (exclusive); may be earlier than start.'),
  })
  .describe('Sends falling in [start, end) local time move to the next end.');

export const planSchema = z
  .strictObject({
    version: z.literal('1.0'),
    timezone: z
      .string()
      .optional()
      .describe(
        'IANA tz database zone name of every local-time rule, such as "America/Los_Angeles" (not an abbreviation such as "PST" or an offset such as "+02:00"); may be omitted when the contact has a timezone.',
      ),
    quietHours: quietHoursSchema.optional(),
    startNodeId: nodeId.describe('Id of the node entered at activation.'),
    exitOn: z
      .array(z.enum(ENGAGEMENT_EVENTS))
      .optional()
      .describe(
        'Engagement events that stop the campaign. Default: replied, bounced, complained, unsubscribed.',
      ),
    nodes: z.array(planNodeSchema).min(1),
  })
  .describe('Campaign plan v1.0 for one contact.');

export type Plan = z.infer<typeof planSchema>;
export type PlanNode = z.infer<typeof planNodeSchema>;
export type SendNode = z.infer<typeof sendNodeSchema>;
export type WaitNode = z.infer<typeof waitNodeSchema>;
export type EndNode = z.infer<typeof endNodeSchema>;
export type Transition = z.infer<typeof transitionSchema>;
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** The plan's JSON Schema (draft 2020-12), generated from the zod schema, for LLM structured output. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(planSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
