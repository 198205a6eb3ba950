/**
 * The whole composition root, for tools that drive the app from outside a function (the local
 * stack's seeding and publishing, scripts). Functions import only the pieces they use from
 * `./wiring/`, so each bundle builds only its own clients and adapters; the objects here are
 * those same module-scope singletons.
 */
export { aggregates } from './wiring/aggregates.ts';
export { clock } from './wiring/clock.ts';
export { eventStore } from './wiring/event-store.ts';
export { journeyDeps } from './wiring/journey-deps.ts';
export { executions, journeyRuntime, journeyTargets } from './wiring/journeys.ts';
export { mail } from './wiring/mail.ts';
export { outbound } from './wiring/outbound.ts';
export { secretBox } from './wiring/secret-box.ts';
export { store } from './wiring/store.ts';
export { templates } from './wiring/templates.ts';
export { versions } from './wiring/versions.ts';
