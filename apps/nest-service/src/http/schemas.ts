import { apiEventItemSchema, jsonFaults, MAX_JSON_DEPTH } from '@campaign/core';
import { z } from 'zod';
import { ProblemError } from './problem.ts';

/* Request bodies, validated at the edge. The OpenAPI document is generated from these same schemas. */

/** The longest string anywhere in a request body outside a plan (attribute values included), in characters. */
export const MAX_TEXT_LENGTH = 10_000;

/** RFC 5321: an address is at most 254 characters (a path of 256 minus the angle brackets), its local part 64. */
const emailAddress = z
  .email()
  .max(254, 'an email address is at most 254 characters')
  .refine((email) => email.lastIndexOf('@') <= 64, {
    message: 'the local part of an email address (before the @) is at most 64 characters',
  });

// Strings in attributes (and everywhere else) are bounded by parseBody.
const attributes = z
  .record(z.string().max(200, 'an attribute name is at most 200 characters'), z.unknown())
  .describe(
    `Template variables: strings of at most ${MAX_TEXT_LENGTH} characters, no NUL, nested at most ${MAX_JSON_DEPTH} levels deep in the request body.`,
  );

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9][0-9]{1,14}$/;

const phoneNumber = z
  .string()
  .regex(
    E164,
    'contact.phone must be a phone number in E.164 form: a plus, the country code and the number, digits only (such as "+14155550123")',
  )
  .describe('E.164 (such as "+14155550123"); SMS sends (plan 1.1) go to it.');

export const contactBody = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'Your id for the contact; absent: derived from the email, else the phone. A split hashes it.',
      ),
    email: emailAddress.optional().describe('Required unless the contact has a phone.'),
    phone: phoneNumber.optional(),
    name: z.string().max(200).optional(),
    timezone: z.string().max(100).optional(),
    attributes: attributes.optional(),
  })
  .refine((contact) => contact.email !== undefined || contact.phone !== undefined, {
    message: 'a contact needs an email or a phone (E.164)',
  });

export const createCampaignBody = z.strictObject({
  contact: contactBody,
  plan: z.unknown().describe('A campaign plan, version 1.0 or 1.1 (GET /v1/plans/schema).'),
  activate: z.boolean().optional().describe('Default true; false stores the campaign pending.'),
  idempotencyKey: z.string().min(1).max(200).optional(),
  senderIds: z
    .strictObject({
      email: z.string().min(1).max(100).optional(),
      sms: z.string().min(1).max(100).optional(),
    })
    .optional()
    .describe(
      'The sender per channel the plan uses; a channel not named gets the least-loaded enabled sender (email without any: MAIL_FROM).',
    ),
  mode: z
    .enum(['live', 'shadow'])
    .optional()
    .describe('Default live; shadow renders and records every message (status shadow) and never sends one.'),
});

export const planBody = z.strictObject({
  plan: z.unknown().describe('A campaign plan, version 1.0 or 1.1 (GET /v1/plans/schema).'),
});

/** One item of `POST /v1/events` (core's schema: items are checked one by one there). */
export const eventItem = apiEventItemSchema;

export const eventsBody = z.strictObject({ events: z.array(z.unknown()).min(1).max(1000) });

function pointer(path: readonly PropertyKey[]): string {
  return `/${path.map((segment) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/**
 * Parses a body or throws a 400 problem (`invalid_request`) that lists every issue with its JSON
 * pointer. Before the schema, the whole body is checked for what Postgres cannot store (a NUL or a
 * lone surrogate in any string or key), for strings longer than MAX_TEXT_LENGTH and for nesting
 * deeper than MAX_JSON_DEPTH; a top-level `plan` is left to core's plan validation, which reports
 * the same faults as plan issues (`invalid_plan`) and allows a longer body.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const checked =
    typeof body === 'object' && body !== null && !Array.isArray(body) && 'plan' in body
      ? { ...body, plan: null }
      : body;
  const faults = jsonFaults(checked, { maxStringLength: MAX_TEXT_LENGTH });
  if (faults.length > 0) {
    throw new ProblemError(
      400,
      'invalid_request',
      'Invalid request body',
      'the request body holds text that cannot be stored or is nested too deeply',
      { issues: faults },
    );
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ProblemError(
    400,
    'invalid_request',
    'Invalid request body',
    'the request body does not match the schema',
    {
      issues: parsed.error.issues.map((i) => ({ path: pointer(i.path), message: i.message })),
    },
  );
}
