import { z } from 'zod';
import { alertRulesSchema } from '../pipelines/alerts/alert-rules';
import { alertSchema } from '../pipelines/alerts/alert';
import {
  alertListAnswer, listAlertsQuery, predictDelayAnswer, predictDelayBody, shipmentAnswer, bookShipmentBody, streamEvent, transitionBody, webhookBody,
} from './api-schemas';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' });
const out = (s: z.ZodType) => z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any', io: 'output' });

const errorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { description: 'For FC_VALIDATION: {issues: [{path, message}]}' } },
      required: ['code', 'message'],
    },
  },
};

const errors = {
  '400': { description: 'Invalid request: every field path with its message', content: { 'application/json': { schema: errorBody } } },
  '401': { description: 'Missing or unknown API key', content: { 'application/json': { schema: errorBody } } },
  '403': { description: 'The key lacks the scope', content: { 'application/json': { schema: errorBody } } },
  '429': { description: 'Rate limit of the key exceeded (Retry-After)', content: { 'application/json': { schema: errorBody } } },
};

const jsonBody = (s: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schema(s) } } });
const ok = (s: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema: out(s) } } });

/** Query parameters of an object schema, one by one. */
function queryParams(s: z.ZodObject): unknown[] {
  const json = schema(s) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, p]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: p }));
}

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const secured = (scope: string) => ({ security: [{ apiKey: [] }], 'x-scope': scope });

/** The OpenAPI 3 document of the alert, shipment and prediction routes, generated from the zod schemas the routes validate with. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Flowcast API', version: '0.1.0', description: 'Alerts, shipments and delay predictions. Every answer is limited to the API key\'s tenant.' },
    components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    paths: {
      '/v1/alerts': {
        get: { summary: 'List alerts, newest first', ...secured('read'), parameters: queryParams(listAlertsQuery), responses: { '200': ok(alertListAnswer), ...errors } },
      },
      '/v1/alerts/{id}/ack': {
        post: { summary: 'Acknowledge an open alert', ...secured('read'), parameters: [idParam], requestBody: { ...jsonBody(transitionBody), required: false }, responses: { '200': ok(alertSchema), '404': errors['400'], '409': { description: 'Not open' }, ...errors } },
      },
      '/v1/alerts/{id}/resolve': {
        post: { summary: 'Resolve an alert, with a reason', ...secured('read'), parameters: [idParam], requestBody: { ...jsonBody(transitionBody), required: false }, responses: { '200': ok(alertSchema), '409': { description: 'Already resolved' }, ...errors } },
      },
      '/v1/alerts/stream': {
        get: {
          summary: 'Server-sent events of alert changes (event `alert`, id = event id); send Last-Event-ID to resume',
          ...secured('read'),
          parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
          responses: { '200': { description: 'text/event-stream; each data line is this JSON', content: { 'text/event-stream': { schema: out(streamEvent) } } }, ...errors },
        },
      },
      '/v1/alert-rules': {
        get: { summary: "The tenant's alert rules (defaults filled in)", ...secured('admin'), responses: { '200': ok(alertRulesSchema), ...errors } },
        put: { summary: "Replace the tenant's alert rules", ...secured('admin'), requestBody: jsonBody(alertRulesSchema), responses: { '200': ok(alertRulesSchema), ...errors } },
      },
      '/v1/webhooks': {
        post: { summary: 'Register a webhook receiver (HMAC-SHA256 signed deliveries)', ...secured('admin'), requestBody: jsonBody(webhookBody), responses: { '201': { description: 'Created' }, ...errors } },
      },
      '/v1/shipments/{id}': {
        get: { summary: 'Shipment status, last position, planned vs predicted arrival, P(late), open alerts', ...secured('read'), parameters: [idParam], responses: { '200': ok(shipmentAnswer), ...errors } },
        put: {
          summary: "Book or replace a shipment's plan (legs in order, each leaving where the one before arrives); answers as GET",
          ...secured('ingest'), parameters: [idParam], requestBody: jsonBody(bookShipmentBody), responses: { '200': ok(shipmentAnswer), ...errors },
        },
      },
      '/v1/predictions/delay': {
        post: {
          summary: 'Delay prediction for one leg or up to 1,000',
          ...secured('predict'),
          requestBody: jsonBody(predictDelayBody),
          responses: { '200': ok(predictDelayAnswer), '503': { description: 'No champion model yet' }, ...errors },
        },
      },
    },
  };
}

/** A self-contained page listing the operations of /openapi.json (no assets from elsewhere). */
export const docsPage = `<!doctype html><html><head><meta charset="utf-8"><title>Flowcast API</title>
<style>body{font:14px system-ui;margin:2em;max-width:70em}code,pre{background:#f4f4f4}pre{padding:.5em;overflow:auto;max-height:20em}h3{margin-bottom:.2em}</style></head>
<body><h1>Flowcast API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Send the API key in <code>x-api-key</code>.</p><div id="ops">loading…</div>
<script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  const el=document.getElementById('ops');el.textContent='';
  for(const [path,ops] of Object.entries(doc.paths))for(const [method,op] of Object.entries(ops)){
    const s=document.createElement('section');
    const h=document.createElement('h3');h.textContent=method.toUpperCase()+' '+path+'  (scope: '+op['x-scope']+')';s.appendChild(h);
    const p=document.createElement('p');p.textContent=op.summary;s.appendChild(p);
    const pre=document.createElement('pre');pre.textContent=JSON.stringify({parameters:op.parameters,requestBody:op.requestBody,responses:op.responses},null,1);s.appendChild(pre);
    el.appendChild(s);
  }
});
</script></body></html>`;
