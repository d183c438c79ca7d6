import { connect } from 'node:net';

/** What came back on one connection: the status, or undefined when the server closed it without one. */
export interface RawReply {
  readonly status: number | undefined;
  readonly text: string;
}

/**
 * Writes `request` verbatim to a fresh loopback connection and reads until the server closes it.
 * fetch and http.request normalise what they send; hostile request targets need the raw bytes.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), text });
    };
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no reply within ${timeoutMs} ms to ${JSON.stringify(String(request).slice(0, 200))}`));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', done);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may drop a connection it could not parse while we still write: that is a refusal, not a crash.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') done();
      else reject(error);
    });
    socket.end(request);
  });
}

/** A GET of `target` as the raw bytes a client may send. */
export const rawGet = (target: string, method = 'GET') => `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;

/** The JSON body of a reply (after the blank line), for replies that have one. */
export function replyJson(reply: RawReply): unknown {
  const body = reply.text.slice(reply.text.indexOf('\r\n\r\n') + 4);
  return JSON.parse(body);
}
