import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

/*
 * The integration tier's statement capture (issue 15 item 5): every database handle the test harness
 * makes (createTestDatabase) goes through this plugin while a capture is installed, and each distinct SQL
 * text is kept once. scripts/vitest-statement-capture.ts installs it per test file and writes the texts
 * to a file; scripts/vitest-statement-routing.ts judges them all after the run (statement-routing.ts).
 */

const KEY = Symbol.for('campaign.statementCapture');

interface CaptureHolder {
  [KEY]?: Set<string>;
}

/** Starts keeping the SQL of every handle createTestDatabase makes from now on, in this worker. */
export function installStatementCapture(): Set<string> {
  const holder = globalThis as CaptureHolder;
  holder[KEY] ??= new Set<string>();
  return holder[KEY];
}

/** The capture of this worker, when one is installed. */
export function activeStatementCapture(): Set<string> | undefined {
  return (globalThis as CaptureHolder)[KEY];
}

/** A plugin that compiles each query as Postgres would receive it and records its text. */
export class StatementCapturePlugin implements KyselyPlugin {
  readonly #compiler = new PostgresQueryCompiler();
  readonly #into: Set<string>;

  constructor(into: Set<string>) {
    this.#into = into;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    // Compiling twice costs microseconds; recording must never break the statement it watches.
    try {
      this.#into.add(this.#compiler.compileQuery(args.node, args.queryId).sql);
    } catch {
      // A node the compiler cannot print is still executed by kysely and fails there on its own.
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
