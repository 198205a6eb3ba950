/**
 * Names the compiled state machine uses besides node ids. Node ids cannot contain ':', so the
 * helper states a node adds (`reminder:route`, `reminder:wait`) never clash with another node.
 */

/** Any failure lands here: the enrollment is recorded as failed, so nobody is left "active". */
export const ON_ERROR = 'on-error';
/** The Fail state after `on-error`. */
export const FAILED = 'failed';
/** Where an enrollment goes when an exit rule, a goal or an operator ended it mid-journey. */
export const EXITED = 'exited';

export const RESERVED_STATE_NAMES: ReadonlySet<string> = new Set([ON_ERROR, FAILED, EXITED]);

/** The Choice after a step that picks the successor (branch, split, random split, send deferral). */
export const routeState = (id: string) => `${id}:route`;
/** The Wait a node adds (wait-until's computed time, a deferred send's retry time). */
export const waitState = (id: string) => `${id}:wait`;

/**
 * Error names are API: the compiled Catch matches them. A step Lambda throws this when the
 * enrollment has already ended or an exit rule holds; the execution then stops at EXITED.
 */
export const ENROLLMENT_EXITED_ERROR = 'EnrollmentExited';
