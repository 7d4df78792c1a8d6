import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import express, { type Request, type RequestHandler } from 'express';

const buffered = Symbol('flowcast.bufferedBody');

/** Marks a request whose body was already read (by the prediction fast path) before Express saw it. */
export function setBufferedBody(req: IncomingMessage, body: Buffer): void {
  (req as IncomingMessage & { [buffered]?: Buffer })[buffered] = body;
}

/**
 * express.json({limit}), which also parses a body read before Express got the request: it then
 * runs the same parser on a replay of those bytes with the same headers, so the result and
 * every error (size, charset, syntax, strictness) are exactly what reading the socket would give.
 */
export function bufferedJsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) => {
    const body = (req as Request & { [buffered]?: Buffer })[buffered];
    if (!body) return parse(req, res, next);
    const replay = new IncomingMessage(new PassThrough() as unknown as Socket);
    replay.headers = req.headers;
    replay.method = req.method;
    replay.url = req.url;
    replay.push(body);
    replay.push(null);
    const replayed = replay as unknown as Request;
    void parse(replayed, res, (err?: unknown) => {
      if (err) return next(err);
      req.body = replayed.body as unknown;
      next();
    });
  };
}
