import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Contact,
  contactSchema,
  DEFAULT_CONTACT,
  ImplausibleEventTimeError,
  type PlanValidationOptions,
  type PlanValidationResult,
  planGraph,
  planJsonSchema,
  repairPlan,
  sendTimeIssues,
  simulate,
  simulationEventsSchema,
  validatePlan,
} from '@campaign/core';
import { remoteCommand } from './remote/commands.ts';
import { statsCommand } from './stats.ts';

export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  cwd: string;
  /** CAMPAIGN_API_URL and CAMPAIGN_API_KEY for the remote commands (bin.ts passes process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Exit codes: 0 ok (a valid plan, warnings allowed), 1 invalid plan, 2 usage error or unreadable input. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

const USAGE = `usage: campaign <command> [options]

commands:
  schema                                 print the plan JSON Schema
  validate <plan.json> [--json] [--contact <contact.json>]
                                         check a plan (or a {"contact", "plan"} campaign request)
  validate <plan.json> --fix [--json] [--contact <contact.json>]
                                         apply every issue's obvious fix: the repaired plan on stdout
                                         (with --json: {valid, issues, plan}), the fixes and the
                                         issues left on stderr; exits as validate on the repaired plan
  simulate <plan.json> --start <ISO instant> [--events <events.json>] [--contact <contact.json>]
           [--until <ISO instant>]      run the plan on a virtual clock and print its timeline;
                                         exits 1 with the issues (as validate --json) when the
                                         campaign could not start (missing_variable, missing_phone,
                                         no_send_time, ...)
  contact.json: {"id"?, "email"?, "phone"? (E.164), "name"?, "timezone"?, "attributes"?}, with an
                email or a phone; the split key is the id, else the email, else the phone
  graph <plan.json>                      print the plan as a Mermaid flowchart

remote commands (the API at --url, else CAMPAIGN_API_URL, else http://127.0.0.1:3000; key in
CAMPAIGN_API_KEY; --json for machine output; exit 1 for an API problem, 2 for an unreachable server):
  list [--status <s>] [--email <e>]      list campaigns, newest first
  get <id>                               a campaign, its timeline in the plan's local time and UTC
  events post <events.json>              post the body of POST /v1/events
  stats <nodes|experiments|senders|shapes|lateness> [--from ISO] [--to ISO]   analytics over a range
  <command> --help                       that command's usage; --version the CLI's version
`;

class UsageError extends Error {}

/** Runs the `campaign` command with `argv` (without node and script) and returns its exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const local = ['schema', 'validate', 'simulate', 'graph'];
    if (local.includes(command ?? '') && (rest.includes('--help') || rest.includes('-h'))) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    switch (command) {
      case 'schema':
        noArgs(rest);
        io.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
        return EXIT_OK;
      case 'validate':
        return await validateCommand(rest, io);
      case 'simulate':
        return await simulateCommand(rest, io);
      case 'graph':
        return await graphCommand(rest, io);
      case 'list':
      case 'get':
      case 'events':
        return await remoteCommand(command, rest, io);
      case 'stats':
        return await statsCommand(rest, io);
      case '--version':
      case '-v':
        io.stdout.write(
          `${(createRequire(import.meta.url)('../package.json') as { version: string }).version}\n`,
        );
        return EXIT_OK;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout.write(USAGE);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`campaign: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

function noArgs(args: readonly string[]): void {
  if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(
  args: readonly string[],
  options: T,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function readJson(io: CliIo, file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} "${file}" is not JSON: ${(error as Error).message}`);
  }
}

function onePositional(positionals: readonly string[], what: string): string {
  const [file, extra] = positionals;
  if (file === undefined) throw new UsageError(`missing ${what}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return file;
}

async function readContact(io: CliIo, file: string | undefined): Promise<Contact | undefined> {
  if (file === undefined) return undefined;
  return parseContact(await readJson(io, file, 'contact file'), file);
}

function parseContact(raw: unknown, where: string): Contact {
  const parsed = contactSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UsageError(
      `contact in "${where}" is invalid at /${first?.path.join('/') ?? ''}: ${first?.message ?? ''}`,
    );
  }
  return parsed.data;
}

/** A file holds a bare plan, or a campaign request `{"contact", "plan"}` as POST /v1/campaigns takes it. */
async function readPlanInput(
  io: CliIo,
  file: string,
): Promise<{ plan: unknown; contact: Contact | undefined }> {
  const raw = await readJson(io, file, 'plan file');
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'plan' in raw && !('nodes' in raw)) {
    const request = raw as { plan: unknown; contact?: unknown };
    return {
      plan: request.plan,
      contact: request.contact === undefined ? undefined : parseContact(request.contact, file),
    };
  }
  return { plan: raw, contact: undefined };
}

function validationOptions(contact: Contact | undefined) {
  return contact ? { contact, contactTimezone: contact.timezone ?? null } : {};
}

function printIssuesJson(io: CliIo, result: PlanValidationResult): void {
  io.stdout.write(`${JSON.stringify({ valid: result.valid, issues: result.issues }, null, 2)}\n`);
}

async function validateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean' },
    contact: { type: 'string' },
    fix: { type: 'boolean' },
  });
  const input = await readPlanInput(io, onePositional(positionals, 'plan file'));
  const contact = (await readContact(io, values.contact)) ?? input.contact;
  if (values.fix) return fixCommand(io, input.plan, validationOptions(contact), values.json === true);
  const result = validatePlan(input.plan, validationOptions(contact));
  if (values.json) {
    printIssuesJson(io, result);
  } else {
    for (const issue of result.issues) {
      io.stdout.write(`${issue.severity.padEnd(7)} ${issue.path || '/'}  ${issue.code}: ${issue.message}\n`);
    }
    const errors = result.issues.filter((i) => i.severity === 'error').length;
    const warnings = result.issues.length - errors;
    io.stdout.write(
      result.valid
        ? `plan is valid${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}\n`
        : `plan is invalid: ${errors} error${errors > 1 ? 's' : ''}${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}\n`,
    );
  }
  return result.valid ? EXIT_OK : EXIT_INVALID;
}

/** `validate --fix`: repairs the plan with every issue's obvious fix (repairPlan) and reports what is left. */
function fixCommand(io: CliIo, plan: unknown, options: PlanValidationOptions, json: boolean): number {
  const result = repairPlan(plan, options);
  if (json) {
    const { valid, issues, plan: repaired } = result;
    io.stdout.write(`${JSON.stringify({ valid, issues, plan: repaired }, null, 2)}\n`);
  } else {
    io.stdout.write(`${JSON.stringify(result.plan, null, 2)}\n`);
    for (const fixed of result.applied) {
      io.stderr.write(`fixed   ${fixed.path}  ${fixed.code}: ${JSON.stringify(fixed.fix)}\n`);
    }
    for (const issue of result.issues) {
      io.stderr.write(`${issue.severity.padEnd(7)} ${issue.path || '/'}  ${issue.code}: ${issue.message}\n`);
    }
    const errors = result.issues.filter((i) => i.severity === 'error').length;
    const fixes = `${result.applied.length} fix${result.applied.length === 1 ? '' : 'es'} applied`;
    io.stderr.write(
      result.valid
        ? `${fixes}; the repaired plan is valid\n`
        : `${fixes}; the repaired plan is invalid: ${errors} error${errors === 1 ? '' : 's'} left\n`,
    );
  }
  return result.valid ? EXIT_OK : EXIT_INVALID;
}

function parseInstant(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  // An instant needs a date, a time and an offset: a bare local time would depend on this machine's zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new UsageError(
      `${flag} must be an ISO 8601 instant with an offset, e.g. 2026-03-06T17:00:00Z (got "${value}")`,
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag} is not a valid instant: "${value}"`);
  return date;
}

async function simulateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    start: { type: 'string' },
    events: { type: 'string' },
    contact: { type: 'string' },
    until: { type: 'string' },
  });
  const file = onePositional(positionals, 'plan file');
  const start = parseInstant(values.start, '--start');
  if (!start) throw new UsageError('missing --start <ISO instant>');
  const until = parseInstant(values.until, '--until');
  if (until && until.getTime() < start.getTime()) throw new UsageError('--until is before --start');
  const input = await readPlanInput(io, file);
  const contact = (await readContact(io, values.contact)) ?? input.contact ?? DEFAULT_CONTACT;
  let events: ReturnType<typeof simulationEventsSchema.parse> = [];
  if (values.events !== undefined) {
    const parsed = simulationEventsSchema.safeParse(await readJson(io, values.events, 'events file'));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new UsageError(
        `events file "${values.events}" is invalid at /${first?.path.join('/') ?? ''}: ${first?.message ?? ''}`,
      );
    }
    events = parsed.data;
  }
  const result = validatePlan(input.plan, { contact, contactTimezone: contact.timezone ?? null });
  if (!result.valid || !result.plan) {
    printIssuesJson(io, result);
    return EXIT_INVALID;
  }
  const timezone = result.plan.timezone ?? contact.timezone;
  if (timezone === undefined) throw new Error('validation accepted a plan with no zone');
  // Activation-time errors the service would refuse the campaign with: a send that can never go.
  const activationIssues = sendTimeIssues(result.plan, timezone, start);
  if (activationIssues.length > 0) {
    printIssuesJson(io, { ...result, valid: false, issues: [...result.issues, ...activationIssues] });
    return EXIT_INVALID;
  }
  let outcome: ReturnType<typeof simulate>;
  try {
    outcome = simulate({ definition: { plan: result.plan, timezone }, contact, start, events, until });
  } catch (error) {
    // Bad input, like a malformed events file: exit 2 with the event named, and no timeline.
    if (!(error instanceof ImplausibleEventTimeError)) throw error;
    io.stderr.write(
      `campaign: events file "${values.events}" is invalid at ${error.pointer}: ${error.code}: ${error.message}\n`,
    );
    return EXIT_USAGE;
  }
  io.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  return EXIT_OK;
}

async function graphCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parse(args, {});
  const input = await readPlanInput(io, onePositional(positionals, 'plan file'));
  const result = validatePlan(input.plan);
  if (!result.valid || !result.plan) {
    printIssuesJson(io, result);
    return EXIT_INVALID;
  }
  io.stdout.write(planGraph(result.plan));
  return EXIT_OK;
}
