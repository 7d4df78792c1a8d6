import type { AddressInfo } from 'node:net';
import express from 'express';
import { Writable } from 'node:stream';
import { createLogger } from '../core/logger';
import { ForbiddenError, UnauthorizedError } from '../core/errors';
import { errorHandler, toFlowcastError } from './error-handler';

describe('toFlowcastError', () => {
  it('turns body-parser\'s errors into catalog errors with a clear message', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, limit: 5242880 });
    expect(toFlowcastError(tooLarge)).toMatchObject({
      code: 'FC_PAYLOAD_TOO_LARGE',
      httpStatus: 413,
      message: 'the request body is larger than the limit of 5242880 bytes (5 MB) (HTTP_MAX_BODY_BYTES): split it into smaller requests',
    });
    const badJson = Object.assign(new Error('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    expect(toFlowcastError(badJson)).toMatchObject({ code: 'FC_VALIDATION', httpStatus: 400 });
    const gzip = Object.assign(new Error('unsupported content encoding "br"'), { type: 'encoding.unsupported', status: 415 });
    expect(toFlowcastError(gzip)).toMatchObject({ code: 'FC_UNSUPPORTED_MEDIA_TYPE', httpStatus: 415 });
  });

  it('keeps catalog errors and leaves unknown ones unmapped', () => {
    const forbidden = new ForbiddenError('no');
    expect(toFlowcastError(forbidden)).toBe(forbidden);
    expect(toFlowcastError(new TypeError('x is undefined'))).toBeUndefined();
    expect(toFlowcastError('a string')).toBeUndefined();
  });
});

describe('errorHandler', () => {
  async function answer(thrown: unknown) {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const app = express();
    app.get('/', () => {
      throw thrown;
    });
    app.use(errorHandler(createLogger({ level: 'debug', destination: sink })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      return { status: res.status, auth: res.headers.get('www-authenticate'), body: await res.json(), logs: lines.join('') };
    } finally {
      server.close();
    }
  }

  it('answers a catalog error with its status, code and message, and asks a 401 for a bearer key', async () => {
    const res = await answer(new UnauthorizedError());
    expect(res.status).toBe(401);
    expect(res.auth).toBe('Bearer');
    expect(res.body).toEqual({ error: { code: 'FC_UNAUTHORIZED', message: 'missing or unknown API key: send it in the x-api-key header' } });
  });

  it('answers an unknown error with a 500 that hides its internals, and logs it', async () => {
    const res = await answer(new Error('connection string postgres://secret@db'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'FC_INTERNAL', message: 'internal error: the request could not be completed' } });
    expect(res.logs).toContain('postgres://secret@db');
    expect(res.logs).toContain('"level":50');
  });
});
