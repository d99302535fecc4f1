/** DI tokens for values that are not classes. */
export const RUNTIME = Symbol('Runtime');
export const WEBHOOK_INTAKE = Symbol('WebhookIntake');
