import {
  experimentsAnswerSchema,
  latenessStatsSchema,
  MAX_RANGE_DAYS,
  nodesAnswerSchema,
  sendersAnswerSchema,
  shapesAnswerSchema,
} from '@campaign/core';
import { z } from 'zod';

/*
 * The analytics routes of the OpenAPI document (issue 14 item 4, DESIGN section 12), their answers
 * generated from core's result schemas.
 */

const json = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'output' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const secured = [{ apiKey: [] }];

const rangeParams = [
  {
    name: 'from',
    in: 'query',
    required: true,
    description:
      'Start of the range (inclusive): an ISO 8601 instant with an offset. A message belongs to the range by its sent time.',
    schema: { type: 'string', format: 'date-time' },
    example: '2026-03-01T00:00:00Z',
  },
  {
    name: 'to',
    in: 'query',
    required: true,
    description: `End of the range (exclusive); not before \`from\`, at most ${MAX_RANGE_DAYS} days after it.`,
    schema: { type: 'string', format: 'date-time' },
    example: '2026-03-08T00:00:00Z',
  },
];

function route(operationId: string, summary: string, description: string, schema: string) {
  return {
    get: {
      operationId,
      tags: ['analytics'],
      summary,
      description,
      security: secured,
      parameters: rangeParams,
      responses: {
        200: { description: summary, content: { 'application/json': { schema: ref(schema) } } },
        400: problem(
          `invalid_range: from or to missing or malformed, to before from, or over ${MAX_RANGE_DAYS} days`,
        ),
      },
    },
  };
}

export const analyticsSchemas = {
  AnalyticsNodes: json(nodesAnswerSchema),
  AnalyticsExperiments: json(experimentsAnswerSchema),
  AnalyticsSenders: json(sendersAnswerSchema),
  AnalyticsShapes: json(shapesAnswerSchema),
  AnalyticsLateness: json(latenessStatsSchema),
};

const common =
  'Shadow messages are excluded; opens, clicks and replies count when genuine (no machine or bot open, no bot click, no auto-reply), once per message. Rates are over delivered and over sent.';

export const analyticsPaths = {
  '/v1/analytics/nodes': route(
    'getAnalyticsNodes',
    'Engagement per plan node',
    `${common} Conversions: campaigns that got the node's message and later reached a goal. Time to first open and reply in seconds.`,
    'AnalyticsNodes',
  ),
  '/v1/analytics/experiments': route(
    'getAnalyticsExperiments',
    'Experiment variants with their significance',
    `${common} Per variant, the campaigns assigned it with a message in the range after the assignment; reply and open rates per campaign, each variant tested against the first (pooled two-proportion z-test, two-sided; null when a cell is under 5).`,
    'AnalyticsExperiments',
  ),
  '/v1/analytics/senders': route('getAnalyticsSenders', 'Engagement per sender', common, 'AnalyticsSenders'),
  '/v1/analytics/shapes': route(
    'getAnalyticsShapes',
    'Plan shapes ranked by conversion rate, then reply rate',
    `${common} A plan shape is the SHA-256 of the canonical JSON of its nodes' actions and channels and its transitions' events and targets in breadth-first order from the start node; ids, texts and durations left out.`,
    'AnalyticsShapes',
  ),
  '/v1/analytics/lateness': route(
    'getAnalyticsLateness',
    'Timer lateness percentiles',
    'Executed timeouts whose execution falls in the range: execution time minus the adjusted due time, in milliseconds, overall and per hour (ranges up to 7 days) or day.',
    'AnalyticsLateness',
  ),
};
