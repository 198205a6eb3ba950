/**
 * What a warm function does as each invocation starts (the catalog cache checks its version
 * again). The handler wrapper calls `startInvocation`; modules register with `onInvocation`.
 */
const hooks: (() => void)[] = [];

export function onInvocation(hook: () => void): void {
  hooks.push(hook);
}

export function startInvocation(): void {
  for (const hook of hooks) hook();
}
