/** The engine's Runtime (@campaign/runtime): its store, scheduler, logger, metrics and clock. */
export const CAMPAIGN_ENGINE_RUNTIME = Symbol('CAMPAIGN_ENGINE_RUNTIME');

/**
 * What runs the engine's jobs in this app, and closes the engine on shutdown: the Scheduler started with
 * the service's handler and the reconcile loop (`workers` true), or only the close (false). Tests
 * override it to start the Scheduler with a handler of their own.
 */
export const CAMPAIGN_ENGINE_WORKER = Symbol('CAMPAIGN_ENGINE_WORKER');

/** The options a `forRootAsync` factory returned (internal). */
export const CAMPAIGN_ENGINE_SETTINGS = Symbol('CAMPAIGN_ENGINE_SETTINGS');
