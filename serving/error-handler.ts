import type { ErrorRequestHandler, Response } from 'express';
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
    const known = toFlowcastError(err);
    const status = known?.httpStatus ?? 500;
    if (!known || status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    else logger.debug({ code: known.code, status, url: req.originalUrl }, known.message);
    send(res, status, known ?? new FlowcastError('FC_INTERNAL', 'internal error: the request could not be completed', 500));
  };
}

function send(res: Response, status: number, err: FlowcastError): void {
  const body: ErrorBody = { error: { code: err.code, message: err.message, details: err.details } };
  // HTTP requires a 401 to say which scheme it wants.
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(status).json(body);
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
