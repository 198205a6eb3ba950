import './polyfill.ts';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * Loose ASL shapes: enough structure to build, walk and rewrite a definition. The library's own types
 * are a strict union that makes transformations awkward; we cast at the boundary instead.
 */
export interface AslState {
  Type: string;
  [field: string]: unknown;
}

export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

/** The library's per-state Task handlers (`overrides.taskResourceLocalHandlers`), by state name. */
export type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

export type DefinitionCheck = { ok: true; definition: AslDefinition } | { ok: false; message: string };

// asl-validator compiles its JSON schemas on every call (~150 ms); re-checks of the same text
// (idempotent creates when the local stack restarts) should not pay that again.
const checked = new Map<string, DefinitionCheck>();
const MAX_CHECKED = 200;

/** Parses and validates a definition the way CreateStateMachine does (JSONPath ASL only). */
export function checkDefinition(text: string): DefinitionCheck {
  const cached = checked.get(text);
  if (cached) return cached;
  const result = uncachedCheck(text);
  if (checked.size >= MAX_CHECKED) checked.clear();
  checked.set(text, result);
  return result;
}

function uncachedCheck(text: string): DefinitionCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Invalid State Machine Definition: ${(error as Error).message}` };
  }
  if (!isDefinition(parsed)) {
    return { ok: false, message: "Invalid State Machine Definition: 'StartAt' and 'States' are required" };
  }
  if (parsed.QueryLanguage === 'JSONata') {
    return { ok: false, message: 'Invalid State Machine Definition: JSONata is not supported locally' };
  }
  try {
    // The constructor runs asl-validator and throws a readable list of problems.
    new StateMachine(parsed as unknown as StateMachineDefinition);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  return { ok: true, definition: parsed };
}

function isDefinition(value: unknown): value is AslDefinition {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.StartAt === 'string' && typeof candidate.States === 'object' && candidate.States !== null;
}

/** The nested definitions a Parallel or Map state runs. */
function childDefinitions(
  state: AslState,
): { key: 'Branches' | 'Iterator' | 'ItemProcessor'; defs: AslDefinition[] }[] {
  const children: { key: 'Branches' | 'Iterator' | 'ItemProcessor'; defs: AslDefinition[] }[] = [];
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    children.push({ key: 'Branches', defs: state.Branches as AslDefinition[] });
  }
  if (state.Type === 'Map') {
    for (const key of ['Iterator', 'ItemProcessor'] as const) {
      if (state[key]) children.push({ key, defs: [state[key] as AslDefinition] });
    }
  }
  return children;
}

/**
 * Returns a copy of `definition` with `transform` applied to every state, including states
 * nested in Parallel branches and Map processors (children are transformed first).
 */
export function mapStates(
  definition: AslDefinition,
  transform: (name: string, state: AslState) => AslState,
): AslDefinition {
  const states: Record<string, AslState> = {};
  for (const [name, original] of Object.entries(definition.States)) {
    let state: AslState = { ...original };
    for (const { key, defs } of childDefinitions(original)) {
      const mapped = defs.map((child) => mapStates(child, transform));
      state = { ...state, [key]: key === 'Branches' ? mapped : mapped[0] };
    }
    states[name] = transform(name, state);
  }
  return { ...definition, States: states };
}

export interface StateInfo {
  state: AslState;
  /** True for states of the top-level `States` map (the only ones an execution resumes at). */
  topLevel: boolean;
}

/**
 * Every state by name. ASL requires state names to be unique across the whole machine, which is
 * also what the library's per-name overrides rely on.
 */
export function collectStates(definition: AslDefinition): Map<string, StateInfo> {
  const found = new Map<string, StateInfo>();
  const visit = (def: AslDefinition, topLevel: boolean): void => {
    for (const [name, state] of Object.entries(def.States)) {
      found.set(name, { state, topLevel });
      for (const { defs } of childDefinitions(state)) {
        for (const child of defs) visit(child, false);
      }
    }
  };
  visit(definition, true);
  return found;
}
