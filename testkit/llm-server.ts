import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Chat Completions request as the server received it. */
export interface ChatRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
    seed?: number;
    [key: string]: unknown;
  };
}

export interface ScriptedReply {
  /** HTTP status; anything but 200 answers with an OpenAI-style error body. */
  readonly status?: number;
  readonly content?: string | null;
  readonly refusal?: string;
  readonly finishReason?: string;
  readonly usage?: { prompt: number; completion: number };
  readonly headers?: Record<string, string>;
  /** Never answer: hold the request until the client gives up on it (a reply slower than any timeout). */
  readonly hang?: boolean;
}

/** May answer later (a promise): tests hold replies to see how many requests are in flight. */
export type Script = (request: ChatRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface LlmServer {
  /** e.g. http://127.0.0.1:43123/v1 */
  readonly baseUrl: string;
  /** Every request received, in arrival order, retries included. */
  readonly requests: ChatRequest[];
  script: Script;
  close(): Promise<void>;
}

/** A reply whose content is this value as JSON. */
export function json(value: unknown, usage = { prompt: 100, completion: 50 }): ScriptedReply {
  return { content: JSON.stringify(value), usage };
}

/** 429 or 5xx with retry-after-ms 1, so the client's retries take no real time. */
export function failure(status: number): ScriptedReply {
  return { status, headers: { 'retry-after-ms': '1' } };
}

/** Replies in order; past the end, `rest` answers. */
export function inOrder(replies: readonly ScriptedReply[], rest: Script = () => failure(500)): Script {
  return (request, index) => replies[index] ?? rest(request, index);
}

/**
 * A local server of ours speaking the OpenAI Chat Completions protocol on a
 * free loopback port, answering by script: the LLM client, strategy and
 * reviewer are tested over real HTTP, with the real openai client's retries.
 */
export async function startLlmServer(script: Script): Promise<LlmServer> {
  const requests: ChatRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const request: ChatRequest = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      const index = requests.push(request) - 1;
      const reply = await handle.script(request, index);
      if (reply.hang) return; // the client's timeout aborts the socket; close() destroys what is left
      const headers = { 'content-type': 'application/json', ...reply.headers };
      const status = reply.status ?? 200;
      if (status !== 200) {
        res.writeHead(status, headers).end(JSON.stringify({ error: { message: `scripted ${status}`, type: 'scripted', code: null } }));
        return;
      }
      const usage = reply.usage ?? { prompt: 0, completion: 0 };
      res.writeHead(200, headers).end(
        JSON.stringify({
          id: `chatcmpl-${index}`,
          object: 'chat.completion',
          created: 0,
          model: request.body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: reply.content ?? null, refusal: reply.refusal ?? null },
              finish_reason: reply.finishReason ?? 'stop',
            },
          ],
          usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const handle: LlmServer = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
  return handle;
}
