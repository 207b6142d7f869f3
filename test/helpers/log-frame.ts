/** One frame of the engine's multiplexed log stream: type (1 stdout, 2 stderr, 3 the engine's error), three zero bytes, big-endian length, payload. */
export function logFrame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}
