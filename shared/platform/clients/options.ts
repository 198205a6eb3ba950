import { config } from '../config.ts';

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Options for an SDK client: the configured region, and for a local service its endpoint with
 * placeholder credentials. On AWS no endpoint is set and the SDK finds the function's role.
 */
export const clientOptions = (endpoint: string | undefined) =>
  endpoint ? { region: config.AWS_REGION, endpoint, credentials: localCredentials } : { region: config.AWS_REGION };
