/** DI tokens for values that are not classes. */
export const RUNTIME = Symbol('Runtime');
export const METRICS = Symbol('Metrics');
export const API_KEY = Symbol('ApiKey');
export const WEBHOOKS = Symbol('WebhookVerifier');
