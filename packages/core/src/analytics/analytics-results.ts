import { z } from 'zod';

/*
 * What the analytics endpoints answer (issue 14 item 4, DESIGN section 12), as zod schemas (the OpenAPI
 * document is built from them) and the pure arithmetic on top of the counts the store reads.
 *
 * Definitions: a message belongs to a range by its `sent_at`; shadow messages (and messages never sent)
 * are left out. Counts are unique messages: `delivered` has a `delivered` event, `opened`, `clicked`
 * and `replied` a genuine one (no machine or bot open, no bot click, no auto-reply), `bounced`,
 * `complained` and `unsubscribed` such an event. A rate is a count over `delivered` and over `sent`,
 * null when its denominator is 0. A conversion is a campaign stopped by a goal (reason `goal:<name>`).
 */

/** Every count of messages an analytics row carries. */
export const ENGAGEMENT_COUNT_KEYS = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'replied',
  'bounced',
  'complained',
  'unsubscribed',
] as const;
export type EngagementCounts = Record<(typeof ENGAGEMENT_COUNT_KEYS)[number], number>;

/** The counts that get rates (everything but the denominators). */
export const RATED_KEYS = ['opened', 'clicked', 'replied', 'bounced', 'complained', 'unsubscribed'] as const;

const count = z.number().int().min(0);
const rateValue = z.number().min(0).nullable();

export const engagementCountsSchema = z
  .object(
    Object.fromEntries(ENGAGEMENT_COUNT_KEYS.map((k) => [k, count])) as Record<
      keyof EngagementCounts,
      typeof count
    >,
  )
  .describe(
    'Unique messages sent in the range (shadow excluded) with each kind of event; opens, clicks and replies genuine only.',
  );

export const rateSchema = z
  .object({
    overDelivered: rateValue.describe('Count over `delivered`; null when nothing was delivered.'),
    overSent: rateValue.describe('Count over `sent`; null when nothing was sent.'),
  })
  .describe('A rate with both denominators (they are in `counts`).');
export type Rate = z.infer<typeof rateSchema>;

export const ratesSchema = z.object(
  Object.fromEntries(RATED_KEYS.map((k) => [k, rateSchema])) as Record<
    (typeof RATED_KEYS)[number],
    typeof rateSchema
  >,
);
export type Rates = z.infer<typeof ratesSchema>;

/** `numerator / denominator`, or null when the denominator is 0. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** The rates of `counts`: each rated count over delivered and over sent. */
export function ratesOf(counts: EngagementCounts): Rates {
  return Object.fromEntries(
    RATED_KEYS.map((k) => [
      k,
      { overDelivered: ratio(counts[k], counts.delivered), overSent: ratio(counts[k], counts.sent) },
    ]),
  ) as Rates;
}

export const distributionSchema = z
  .object({
    count: count,
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    p99: z.number().nullable(),
  })
  .describe('Percentiles by linear interpolation (Postgres percentile_cont), null when there are no values.');

const rangeSchema = z.object({
  from: z.iso.datetime({ offset: true }).describe('Start of the range (inclusive).'),
  to: z.iso.datetime({ offset: true }).describe('End of the range (exclusive).'),
});

export const nodeStatsSchema = z.object({
  nodeId: z.string(),
  channel: z.enum(['email', 'sms']),
  counts: engagementCountsSchema,
  rates: ratesSchema,
  conversions: count.describe(
    "Campaigns that got this node's message in the range and later reached a goal.",
  ),
  timeToFirstOpenSeconds: distributionSchema.describe(
    'From sending to the first genuine open, per opened message.',
  ),
  timeToFirstReplySeconds: distributionSchema.describe(
    'From sending to the first genuine reply, per replied message.',
  ),
});
export type NodeStats = z.infer<typeof nodeStatsSchema>;

export const zTestSchema = z
  .object({ z: z.number(), p: z.number().min(0).max(1) })
  .nullable()
  .describe(
    'Pooled two-proportion z-test against the first variant, two-sided; null for the first variant or when any cell is under 5.',
  );

export const variantStatsSchema = z.object({
  variant: z.string(),
  campaigns: count.describe(
    'Campaigns assigned this variant with a message sent in the range after the assignment.',
  ),
  campaignsOpened: count.describe('Of those, campaigns with a genuine open.'),
  campaignsReplied: count.describe('Of those, campaigns with a genuine reply.'),
  conversions: count.describe('Of those, campaigns stopped by a goal.'),
  openRate: rateValue.describe('campaignsOpened / campaigns.'),
  replyRate: rateValue.describe('campaignsReplied / campaigns.'),
  conversionRate: rateValue.describe('conversions / campaigns.'),
  counts: engagementCountsSchema,
  rates: ratesSchema,
  replyTest: zTestSchema,
  openTest: zTestSchema,
});
export type VariantStats = z.infer<typeof variantStatsSchema>;

export const experimentStatsSchema = z.object({
  experiment: z.string(),
  variants: z
    .array(variantStatsSchema)
    .describe("In the order of the experiment's split node; the first is the control."),
});
export type ExperimentStats = z.infer<typeof experimentStatsSchema>;

export const senderStatsSchema = z.object({
  senderId: z.string().nullable().describe('Null: the default sender (MAIL_FROM) of campaigns without one.'),
  channel: z.enum(['email', 'sms']),
  counts: engagementCountsSchema,
  rates: ratesSchema,
});
export type SenderStats = z.infer<typeof senderStatsSchema>;

export const shapeStatsSchema = z.object({
  shape: z
    .string()
    .describe(
      "SHA-256 (hex) of the plan graph's canonical form: actions, channels, transition events and targets in BFS order.",
    ),
  campaigns: count.describe('Campaigns of this shape with a message sent in the range.'),
  conversions: count,
  conversionRate: rateValue,
  campaignsReplied: count,
  replyRate: rateValue,
  counts: engagementCountsSchema,
  rates: ratesSchema,
});
export type ShapeStats = z.infer<typeof shapeStatsSchema>;

export const latenessBucketSchema = z.object({
  start: z.iso.datetime({ offset: true }),
  latenessMs: distributionSchema,
});

export const latenessStatsSchema = z.object({
  range: rangeSchema,
  bucket: z.enum(['hour', 'day']).describe('Hourly buckets for a range up to 7 days, daily beyond.'),
  timers: distributionSchema.describe(
    'Executed timeouts in the range: execution time minus the adjusted due time, in milliseconds.',
  ),
  buckets: z
    .array(latenessBucketSchema)
    .describe('The same per bucket of execution time, buckets without timers left out.'),
});
export type LatenessStats = z.infer<typeof latenessStatsSchema>;

export const nodesAnswerSchema = z.object({ range: rangeSchema, nodes: z.array(nodeStatsSchema) });
export const experimentsAnswerSchema = z.object({
  range: rangeSchema,
  experiments: z.array(experimentStatsSchema),
});
export const sendersAnswerSchema = z.object({ range: rangeSchema, senders: z.array(senderStatsSchema) });
export const shapesAnswerSchema = z.object({
  range: rangeSchema,
  shapes: z
    .array(shapeStatsSchema)
    .describe('By conversion rate, then reply rate (highest first; null last), then campaigns.'),
});
