import { journeySchema } from './journey.schema.ts';
import type { Violation } from './violations.ts';

const NODE_TYPES = journeySchema.shape.nodes.valueType.options.map((o) => o.shape.type.value);

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
}

/** A zod issue path as the JSON path violations name (`$.nodes.welcome.next`, `$.triggers[0]`). */
export const jsonPath = (path: readonly PropertyKey[]): string =>
  `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;

/** Zod's issues as violations, with the node named and the unknown node type spelled out. */
export function schemaViolations(input: unknown, issues: readonly ZodIssueLike[]): Violation[] {
  return issues.map((issue) => {
    const nodeId = issue.path[0] === 'nodes' && typeof issue.path[1] === 'string' ? issue.path[1] : undefined;
    const path = jsonPath(issue.path);
    if (nodeId && issue.path.length <= 3 && (issue.path[2] === 'type' || issue.path.length === 2)) {
      const type = (input as { nodes?: Record<string, { type?: unknown }> }).nodes?.[nodeId]?.type;
      if (typeof type !== 'string' || !(NODE_TYPES as string[]).includes(type)) {
        return {
          nodeId,
          path: `$.nodes.${nodeId}.type`,
          message: `"${nodeId}" has type ${JSON.stringify(type ?? null)}, which journeys do not have. Fix: use one of ${NODE_TYPES.map((t) => `"${t}"`).join(', ')}.`,
        };
      }
    }
    const field = issue.path.length > 0 ? String(issue.path[issue.path.length - 1]) : 'the document';
    const where = nodeId
      ? `"${nodeId}"`
      : issue.path[0] === 'triggers'
        ? `trigger ${Number(issue.path[1]) + 1}`
        : 'the journey';
    return { nodeId, path, message: `${where}: ${field} — ${issue.message}.` };
  });
}
