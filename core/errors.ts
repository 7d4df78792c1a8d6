/**
 * Every error Flowcast raises on purpose, each with a stable code. The API's error handler maps
 * them to HTTP answers (serving/error-handler.ts); processes print `code: message` and exit.
 */
export class FlowcastError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 500,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConfigError extends FlowcastError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('FC_CONFIG_INVALID', message, 500);
  }
}

export interface FieldIssue {
  index?: number;
  path: string;
  message: string;
}

export class ValidationError extends FlowcastError {
  constructor(message: string, readonly issues: FieldIssue[]) {
    super('FC_VALIDATION', message, 400, { issues });
  }
}

export class PayloadTooLargeError extends FlowcastError {
  constructor(message: string) {
    super('FC_PAYLOAD_TOO_LARGE', message, 413);
  }
}

export class UnauthorizedError extends FlowcastError {
  constructor(message = 'missing or unknown API key: send it in the x-api-key header') {
    super('FC_UNAUTHORIZED', message, 401);
  }
}

export class ForbiddenError extends FlowcastError {
  constructor(message: string) {
    super('FC_FORBIDDEN', message, 403);
  }
}

export class NotFoundError extends FlowcastError {
  constructor(message: string) {
    super('FC_NOT_FOUND', message, 404);
  }
}

export class UnsupportedMediaTypeError extends FlowcastError {
  constructor(message: string) {
    super('FC_UNSUPPORTED_MEDIA_TYPE', message, 415);
  }
}

/**
 * Not one report of a request was valid. (A request with at least one valid report is accepted
 * with 202 and lists its rejected ones instead.) Details carry every rejection, as the 202 does.
 */
export class ReportsRejectedError extends FlowcastError {
  constructor(readonly rejected: FieldIssue[]) {
    const first = rejected[0];
    // Rejection messages already name their field path (`ts: …`, `not valid JSON at metrics.x …`).
    const summary = first ? `; first, report ${first.index ?? 0}: ${first.message}` : '';
    super('FC_REPORTS_REJECTED', `no valid report in the request (${rejected.length} rejected${summary})`, 400, {
      accepted: 0,
      rejected,
    });
  }
}

export class NotReadyError extends FlowcastError {
  constructor(message: string) {
    super('FC_NOT_READY', message, 503);
  }
}

/** A model, version or artifact the registry does not have, or a status change it refuses. */
export class ModelRegistryError extends FlowcastError {
  constructor(message: string, httpStatus = 404) {
    super('FC_MODEL_REGISTRY', message, httpStatus);
  }
}

/** A history file the importer cannot use at all (missing, unreadable, unmapped required field). */
export class ImportError extends FlowcastError {
  constructor(message: string) {
    super('FC_IMPORT', message, 400);
  }
}

/** A caller exceeded its key's request budget; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends FlowcastError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super('FC_RATE_LIMITED', message, 429, { retryAfterSeconds });
  }
}

/** An alert cannot make the asked change from its current state (e.g. acknowledging a resolved one). */
export class AlertStateError extends FlowcastError {
  constructor(message: string, readonly state: string) {
    super('FC_ALERT_STATE', message, 409, { state });
  }
}

/** No champion delay model is available to score with yet. */
export class ModelUnavailableError extends FlowcastError {
  constructor(message: string) {
    super('FC_MODEL_UNAVAILABLE', message, 503);
  }
}
