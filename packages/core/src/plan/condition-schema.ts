import { z } from 'zod';

/*
 * The conditions of a `branch` node (DESIGN section 10) and the names of custom events and goals
 * (section 14), apart from plan-schema.ts so that each file stays one concern.
 */

/**
 * A custom event's name, as a plan's `goals` and an `event` condition name it and `POST /v1/events`
 * takes it: 1 to 100 characters, a letter or digit first, then letters, digits, `_`, `-`, `.` or `:`
 * (`signed_up`, `demo-booked`, `crm:closed_won`). Case-sensitive.
 */
export const GOAL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$';

export const goalNameSchema = z
  .string()
  .regex(new RegExp(GOAL_NAME_PATTERN))
  .describe(
    'Custom event name: a letter or digit, then up to 99 letters, digits, "_", "-", "." or ":" (such as "signed_up").',
  );

const nodeId = z.string().min(1).describe('Node id, unique within the plan.');

/** `{ "attribute": name, op: value }`: exactly one operator. */
export const attributeConditionSchema = z.strictObject({
  attribute: z.string().min(1).describe('Key of the contact attributes.'),
  equals: z.unknown().optional(),
  notEquals: z.unknown().optional(),
  in: z.array(z.unknown()).optional(),
  gte: z.number().optional(),
  lte: z.number().optional(),
  exists: z.boolean().optional(),
  contains: z.string().optional(),
});

export const ENGAGED_EVENTS = ['opened', 'clicked', 'replied'] as const;

export const engagedConditionSchema = z.strictObject({
  engaged: z.enum(ENGAGED_EVENTS).describe('A genuine event of this type on a message of this campaign.'),
  node: nodeId.optional().describe('Only the message of this send node.'),
});

/** `{ "event": name }`: the custom event `name` occurred for the contact before the branch was entered. */
export const eventConditionSchema = z.strictObject({
  event: goalNameSchema.describe(
    'A custom event (POST /v1/events type "custom") of this name occurred for the contact at or before the instant the branch is entered.',
  ),
});

export type AttributeCondition = z.infer<typeof attributeConditionSchema>;
export type EngagedCondition = z.infer<typeof engagedConditionSchema>;
export type EventCondition = z.infer<typeof eventConditionSchema>;
export type Condition =
  | AttributeCondition
  | EngagedCondition
  | EventCondition
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    attributeConditionSchema,
    engagedConditionSchema,
    eventConditionSchema,
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);
