import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a warm function does as each invocation starts (the catalog cache checks its version
 * again), and which invocation the code running now belongs to. The handler wrapper runs each
 * invocation through `runInvocation`; modules register with `onInvocation`.
 *
 * On Lambda a process serves one invocation at a time; the local stack runs every function in one
 * process, several at once. The scope keeps what is per invocation (the catalog check, reads sent
 * together) to its own invocation there too, so local call counts are what AWS would see.
 */
const hooks: (() => void)[] = [];
const scope = new AsyncLocalStorage<object>();

export function onInvocation(hook: () => void): void {
  hooks.push(hook);
}

/** Runs one invocation of a handler in its own scope, after the start hooks. */
export function runInvocation<T>(fn: () => T): T {
  return scope.run({}, () => {
    for (const hook of hooks) hook();
    return fn();
  });
}

/** The invocation the caller runs in (an object unique to it), if any. */
export const currentInvocation = (): object | undefined => scope.getStore();
