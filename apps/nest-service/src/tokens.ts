/** DI tokens for values that are not classes. */
export const RUNTIME = Symbol('Runtime');
export const WEBHOOKS = Symbol('WebhookVerifier');
