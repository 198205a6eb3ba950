/**
 * Every AWS SDK client the app uses, for tools that want them all (the local stack's helpers,
 * the benchmarks). Functions import the one module per client they use from `./clients/`, so
 * a bundle carries only those clients. The objects are the same module-scope singletons.
 */
export { dynamo, dynamoClient } from './clients/dynamodb.ts';
export { kms } from './clients/kms.ts';
export { secrets } from './clients/secrets-manager.ts';
export { ses } from './clients/ses.ts';
export { sfn } from './clients/sfn.ts';
