/**
 * Typed errors. HTTP errors carry the status and a message safe to show the caller; the error
 * middleware exposes messages only below 500. Names are API: ASL Retry/Catch match on them.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options);
    this.details = options?.details;
  }
  readonly details: unknown;
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new HttpError(400, code, message, { details });
export const unauthorized = (code: string, message: string) => new HttpError(401, code, message);
export const notFound = (code: string, message: string) => new HttpError(404, code, message);
export const conflict = (code: string, message: string) => new HttpError(409, code, message);
export const unprocessable = (code: string, message: string, details?: unknown) =>
  new HttpError(422, code, message, { details });

/** A failure worth retrying (throttling, a dependency briefly down). */
export class TransientError extends Error {
  override name = 'TransientError';
}
