// Server-Sent Events with the session's key. EventSource cannot send an Authorization header,
// so the stream is read with fetch and parsed by eventsource-parser.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { apiBase } from "./client";
import { failureFrom, type ServiceName } from "./errors";
import { currentKey } from "./key";

export async function streamEvents(
  service: ServiceName,
  path: string,
  onEvent: (message: EventSourceMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  const key = currentKey();
  const response = await fetch(`${apiBase()}/${service}${path}`, {
    headers: { Accept: "text/event-stream", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    signal,
  });
  if (!response.ok || !response.body) throw await failureFrom(service, response);
  const parser = createParser({ onEvent });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.feed(value);
  }
}
