/** What benchmarks read of an alert event on `GET /v1/alerts/stream`. */
export interface StreamedAlert {
  kind: string;
  deviceId: string | null;
  subject: { id: string };
  triggeredAt: string;
}

/** Opens the SSE stream and calls `onOpened` for every `opened` event until close(). */
export async function listenForOpenedAlerts(url: string, key: string, onOpened: (alert: StreamedAlert) => void): Promise<{ close(): void }> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { 'x-api-key': key }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`SSE stream answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const e = JSON.parse(data.slice(6)) as { action: string; alert: StreamedAlert };
        if (e.action === 'opened') onOpened(e.alert);
      }
    }
  })().catch(() => undefined); // aborted by close()
  return { close: () => controller.abort() };
}
