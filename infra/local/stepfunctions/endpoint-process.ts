/**
 * The local endpoint alone in its own process, for tests that kill it: `tsx endpoint-process.ts
 * <dataDir>` prints `{"endpoint": "..."}` on one line once it listens. Every Lambda Task answers
 * `{}` at once.
 */
import { startStepFunctionsLocal } from './server.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: endpoint-process.ts <dataDir>');
const local = await startStepFunctionsLocal({ port: 0, dataDir, timeScale: 1, invokeFunction: async () => ({}) });
process.stdout.write(`${JSON.stringify({ endpoint: local.endpoint })}\n`);
