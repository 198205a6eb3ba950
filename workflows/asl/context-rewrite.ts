import { type AslDefinition, type AslState, mapStates } from './asl.ts';
import { MAX_TIMER_SECONDS } from './wait-rewrite.ts';

/**
 * aws-local-stepfunctions builds the context object (`$$`) once per run with only `Execution.Id`,
 * `Execution.Input`, `Execution.StartTime` (the time *this run* started), what the caller passes,
 * and `Map.Item` inside Map iterations. `$$.Task.Token`, `$$.State.EnteredTime` and
 * `$$.State.Name` fail with States.Runtime ("does not point to a value"). A per-run object cannot
 * fix that: State differs per state and Parallel branches run concurrently.
 *
 * So, like the Wait rewrite, the definition is rewritten before it runs: in the Parameters of Task
 * states (and of Pass states, which then run as Tasks), a field `"x.$": "<context path>"` becomes
 * `"x": "<placeholder>"`, and the state's local handler swaps the placeholder for the real value
 * with `fillContext`. Only whole-value references are rewritten (not intrinsic-function arguments),
 * and `$$.Task.Token` only in `.waitForTaskToken` Tasks, the only states that have a token.
 */

/** The context paths this rewrite serves. */
export const CONTEXT_PATHS = [
  '$$.Task.Token',
  '$$.State.EnteredTime',
  '$$.State.Name',
  '$$.Execution.StartTime',
] as const;

export type ContextPath = (typeof CONTEXT_PATHS)[number];

/** Values for the placeholders of one state; a missing value leaves its placeholder in place. */
export type ContextValues = Partial<Record<ContextPath, unknown>>;

/** Resource of a Pass state rewritten into a Task; only the local handler answers it. */
export const PASS_TASK_RESOURCE = 'arn:aws:states:::tend.local:pass';

const PLACEHOLDER_PREFIX = '\u0000tend.local.context:';

/** The literal a context path is replaced with. The NUL makes a clash with real data implausible. */
export function contextPlaceholder(path: ContextPath): string {
  return `${PLACEHOLDER_PREFIX}${path}`;
}

export interface RewrittenContext {
  definition: AslDefinition;
  /** The context paths each rewritten state's handler must fill, by state name. */
  uses: Map<string, ReadonlySet<ContextPath>>;
}

/** True for `arn:aws:states:::<service>:<action>.waitForTaskToken` resources. */
export function waitsForTaskToken(state: AslState): boolean {
  return state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken');
}

/**
 * Rewrites context references in Parameters (nested states included); see the module comment.
 * A Pass state with a `Result` ignores its Parameters' output and is left alone.
 */
export function rewriteContextPaths(definition: AslDefinition): RewrittenContext {
  const uses = new Map<string, ReadonlySet<ContextPath>>();
  const rewritten = mapStates(definition, (name, state) => {
    const isTask = state.Type === 'Task';
    const isPass = state.Type === 'Pass' && state.Result === undefined;
    if ((!isTask && !isPass) || state.Parameters === undefined) return state;
    const allowed = (path: ContextPath): boolean => path !== '$$.Task.Token' || waitsForTaskToken(state);
    const found = new Set<ContextPath>();
    const parameters = rewriteTemplate(state.Parameters, allowed, found);
    if (found.size === 0) return state;
    uses.set(name, found);
    if (isTask) return { ...state, Parameters: parameters };
    // A Pass with Parameters is a Task whose result is its effective input.
    const { Type: _pass, Result: _result, ...kept } = state;
    return {
      ...kept,
      Type: 'Task',
      Resource: PASS_TASK_RESOURCE,
      Parameters: parameters,
      TimeoutSeconds: MAX_TIMER_SECONDS,
    };
  });
  return { definition: rewritten, uses };
}

function rewriteTemplate(value: unknown, allowed: (path: ContextPath) => boolean, found: Set<ContextPath>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteTemplate(item, allowed, found));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const path = key.endsWith('.$') ? asContextPath(field) : undefined;
    if (path !== undefined && allowed(path)) {
      found.add(path);
      out[key.slice(0, -2)] = contextPlaceholder(path);
    } else {
      out[key] = rewriteTemplate(field, allowed, found);
    }
  }
  return out;
}

function asContextPath(value: unknown): ContextPath | undefined {
  return CONTEXT_PATHS.find((path) => path === value);
}

/** A copy of `value` with every placeholder that has a value in `values` replaced by it. */
export function fillContext(value: unknown, values: ContextValues): unknown {
  if (typeof value === 'string') {
    if (!value.startsWith(PLACEHOLDER_PREFIX)) return value;
    const path = asContextPath(value.slice(PLACEHOLDER_PREFIX.length));
    return path !== undefined && values[path] !== undefined ? values[path] : value;
  }
  if (Array.isArray(value)) return value.map((item) => fillContext(item, values));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, fillContext(field, values)]));
}
