/** Marks a switch as exhaustive: type checking fails when a union member is not handled. */
export function assertUnreachable(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
