import { KyselyAnalytics } from '@campaign/db';
import type { Runtime } from './runtime.ts';

/**
 * The analytics reader (issue 14 item 4) over the runtime's database, for the API's analytics routes
 * (which run no SQL of their own).
 */
export function runtimeAnalytics(runtime: Pick<Runtime, 'database'>): KyselyAnalytics {
  return new KyselyAnalytics(runtime.database.db);
}
