import type { RequestHandler } from 'express';
import type { HttpMetrics } from './http-metrics';

/**
 * Times every request. The route label is the matched pattern (not the URL), so label values
 * stay few whatever paths clients try; unmatched requests share one label.
 */
export function requestMetrics(metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.requestSeconds.startTimer();
    res.once('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
