/* Analytics (issue 14 item 4, DESIGN section 12): the pure parts; the queries live in packages/db. */
export * from './analytics-range.ts';
export * from './analytics-ranking.ts';
export * from './analytics-results.ts';
export * from './percentiles.ts';
export * from './plan-shape.ts';
export * from './z-test.ts';
