/**
 * Takes the SDK's logger middleware off a client. It runs every request and response through
 * the schema's sensitive-data filter for the client's logger, even the default logger that logs
 * nothing, which walks every attribute of every item: a few percent of the CPU of each call.
 * No client here is given a logger (errors reach the caller and are logged there).
 */
export function withoutSdkLogger<T extends { middlewareStack: { remove(name: string): boolean } }>(client: T): T {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
