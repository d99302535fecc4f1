export * from './plan/plan-schema.ts';
