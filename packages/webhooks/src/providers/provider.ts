import type { WebhookRequest, WebhookResult } from '../types.ts';

/** A successful verification. */
export type WebhookSuccess = Extract<WebhookResult, { ok: true }>;

/**
 * Verifies and normalizes one provider's request. Refusals are thrown as `WebhookVerificationError`,
 * which `handle` turns into `{ ok: false }`.
 */
export type ProviderHandler = (request: WebhookRequest, now: Date) => Promise<WebhookSuccess>;
