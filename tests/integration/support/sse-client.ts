export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/** Reads a server-sent-events stream with fetch, collecting events until close(). */
export function openSse(url: string, headers: Record<string, string>): { events: SseEvent[]; status: Promise<number>; close(): void } {
  const events: SseEvent[] = [];
  const controller = new AbortController();
  const status = fetch(url, { headers, signal: controller.signal }).then((res) => {
    void read(res, events).catch(() => undefined);
    return res.status;
  });
  return { events, status, close: () => controller.abort() };
}

async function read(res: Response, events: SseEvent[]): Promise<void> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const e: SseEvent = { id: '', event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) e.id = line.slice(4);
        else if (line.startsWith('event: ')) e.event = line.slice(7);
        else if (line.startsWith('data: ')) e.data += line.slice(6);
      }
      if (e.id) events.push(e);
    }
  }
}
