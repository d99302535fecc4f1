import { ENGAGEMENT_EVENTS } from '@campaign/core';
import { z } from 'zod';
import { ProblemError } from './problem.ts';

/* Request bodies, validated at the edge. The OpenAPI document is generated from these same schemas. */

export const contactBody = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  email: z.string().email(),
  name: z.string().max(200).optional(),
  timezone: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

export const createCampaignBody = z.strictObject({
  contact: contactBody,
  plan: z.unknown().describe('A campaign plan v1.0 (GET /v1/plans/schema).'),
  activate: z.boolean().optional().describe('Default true; false stores the campaign pending.'),
  idempotencyKey: z.string().min(1).max(200).optional(),
});

export const planBody = z.strictObject({
  plan: z.unknown().describe('A campaign plan v1.0 (GET /v1/plans/schema).'),
});

export const eventItem = z.strictObject({
  id: z.string().min(1).max(500).describe('Your event id; the same id twice is stored once.'),
  messageId: z.string().min(1).describe('The `message` of a send in the campaign timeline.'),
  type: z.enum(ENGAGEMENT_EVENTS),
  occurredAt: z.iso.datetime({ offset: true }),
  machine: z.boolean().optional(),
  bot: z.boolean().optional(),
  autoReply: z.boolean().optional(),
});

export const eventsBody = z.strictObject({ events: z.array(z.unknown()).min(1).max(1000) });

/** Parses a body or throws a 400 problem that lists every issue with its JSON pointer. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ProblemError(
    400,
    'invalid_request',
    'Invalid request body',
    'the request body does not match the schema',
    {
      issues: parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
    },
  );
}
