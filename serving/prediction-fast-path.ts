import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { predictDelayBody } from './api-schemas';
import type { Auth, Principal } from './auth';
import { setBufferedBody } from './buffered-json-body';
import type { DelayPredictor } from './delay-predictor';
import { errorAnswer } from './error-handler';
import type { HttpMetrics } from './http-metrics';
import { legsOf, predictionAnswerJson } from './prediction-answer';
import type { RateLimiter } from './rate-limit';

export interface PredictionFastPathDeps {
  auth: Auth;
  limiter: RateLimiter;
  predictor: DelayPredictor;
  metrics: HttpMetrics;
  logger: Logger;
  /** Largest body it reads (the route's JSON limit); larger ones go to Express, which refuses them. */
  maxBodyBytes: number;
}

const path = '/v1/predictions/delay';

/**
 * `POST /v1/predictions/delay` served beside Express rather than through it. Express's routing,
 * request decoration and body parsing cost several times what a single-leg prediction itself
 * costs, and this route is what routing systems call most. Only a request that will certainly
 * be answered 200 is served here: a key already cached, live and holding `predict`; a request
 * taken from the key's rate-limit budget; a plain UTF-8 JSON body of known length that
 * parses and validates; a champion. Anything else goes to the Express app (`next`), before any
 * side effect (a request taken from the budget is given back) and with the body already read
 * handed over (buffered-json-body.ts), so every refusal and error answer — 400, 401, 403, 413,
 * 415, 429, 503 — is Express's, byte for byte. The 200 answer is the route's own
 * (predictionAnswerJson) without an ETag (a POST answer is never revalidated). Timed in the same
 * request-duration histogram under the same route label.
 */
export function predictionFastPath(deps: PredictionFastPathDeps, next: RequestListener): RequestListener {
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== path) return void next(req, res);
    const h = req.headers;
    const length = Number(h['content-length']);
    if (h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined || !(length > 0 && length <= deps.maxBodyBytes) || !plainJson(h['content-type'])) {
      return void next(req, res);
    }
    const principal = deps.auth.peek(h, 'predict');
    if (!principal) return void next(req, res);
    if (deps.limiter.tryTake(principal.keyId)) return void read(deps, req, res, principal, next);
    // Nothing leased here yet (or used up): lease as the route would; refused or failed, Express says so.
    deps.limiter.take(principal.keyId).then(
      ({ ok }) => (ok ? read(deps, req, res, principal, next) : next(req, res)),
      () => next(req, res),
    );
  };
}

function read(deps: PredictionFastPathDeps, req: IncomingMessage, res: ServerResponse, principal: Principal, next: RequestListener): void {
  // Timed from here when served here; a request handed over is timed by Express's requestMetrics.
  const end = deps.metrics.requestSeconds.startTimer();
  const chunks: Buffer[] = [];
  let done = false;
  req.on('data', (c: Buffer) => chunks.push(c));
  req.once('end', () => {
    done = true;
    void serve(deps, req, res, principal, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), next, end);
  });
  req.once('close', () => {
    // The client went away before its body arrived: nothing was served.
    if (!done) deps.limiter.refund(principal.keyId);
  });
}

type EndTimer = (labels: { method: string; route: string; status: string }) => void;

async function serve(
  deps: PredictionFastPathDeps, req: IncomingMessage, res: ServerResponse, principal: Principal, body: Buffer, next: RequestListener, end: EndTimer,
): Promise<void> {
  const handOver = () => {
    deps.limiter.refund(principal.keyId);
    setBufferedBody(req, body);
    next(req, res);
  };
  const value = strictJson(body.toString('utf8'));
  const parsed = value === undefined ? undefined : predictDelayBody.safeParse(value);
  if (!parsed?.success) return handOver();
  const legs = legsOf(parsed.data);
  try {
    const prediction = await deps.predictor.predict({ tenant: principal.tenant, legs });
    if (!prediction) return handOver();
    write(res, 200, predictionAnswerJson(prediction, legs), end);
  } catch (err) {
    const { status, body: answer } = errorAnswer(err, deps.logger, req.method, req.url);
    write(res, status, JSON.stringify(answer), end);
  }
}

function write(res: ServerResponse, status: number, json: string, end: EndTimer): void {
  res.once('finish', () => end({ method: 'POST', route: path, status: String(status) }));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

/** `application/json`, optionally with charset utf-8: what express.json reads as it is. */
function plainJson(type: string | undefined): boolean {
  if (type === undefined) return false;
  const t = type.toLowerCase().replace(/\s+/g, '');
  return t === 'application/json' || t === 'application/json;charset=utf-8';
}

/** The value of an object or array JSON text (express.json's strict mode), or undefined for anything else. */
function strictJson(text: string): unknown {
  let i = 0;
  // JSON's whitespace: space, tab, line feed, carriage return.
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  if (text[i] !== '{' && text[i] !== '[') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
