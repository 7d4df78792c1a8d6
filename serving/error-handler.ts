import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { FlowcastError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors';

/** The one JSON shape of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * The API's single error handler: FlowcastErrors keep their code and status, body-parser's
 * errors become the matching FlowcastError, anything else is a logged 500 whose internals stay
 * out of the answer.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const answer = errorAnswer(err, logger, req.method, req.originalUrl);
    if (answer.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(answer.status).json(answer.body);
  };
}

/** The status and body of the answer to `err` (logged as errorHandler logs it): for handlers outside Express. */
export function errorAnswer(err: unknown, logger: Logger, method: string | undefined, url: string | undefined): { status: number; body: ErrorBody } {
  const known = toFlowcastError(err);
  const status = known?.httpStatus ?? 500;
  if (!known || status >= 500) logger.error({ err, method, url }, 'request failed');
  else logger.debug({ code: known.code, status, url }, known.message);
  const e = known ?? new FlowcastError('FC_INTERNAL', 'internal error: the request could not be completed', 500);
  // HTTP requires a 401 to say which scheme it wants (errorHandler sets WWW-Authenticate).
  return { status, body: { error: { code: e.code, message: e.message, details: e.details } } };
}

/** Errors of body-parser (and http-errors) carry a `type` and a client-safe `status`. */
interface HttpLibraryError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
  message: string;
}

export function toFlowcastError(err: unknown): FlowcastError | undefined {
  if (err instanceof FlowcastError) return err;
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & HttpLibraryError;
  switch (e.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(
        `the request body is larger than the limit of ${formatBytes(e.limit)} (HTTP_MAX_BODY_BYTES): split it into smaller requests`,
      );
    case 'entity.parse.failed':
      return new ValidationError(`the body is not valid JSON: ${e.message}`, [{ path: '', message: e.message }]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError(`${e.message}: send UTF-8, optionally gzip- or deflate-encoded`);
  }
  if (e.expose && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new FlowcastError('FC_BAD_REQUEST', e.message, e.status);
  }
  return undefined;
}

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return 'the configured size';
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${bytes} bytes (${Number(mb.toFixed(2))} MB)` : `${bytes} bytes`;
}
