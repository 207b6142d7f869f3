import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COMPOSE_CONTAINER_EVENTS, DockerEventStream } from '../../../electron/docker/events';

/** An engine whose `GET /events` the test controls: each call takes the next outcome. */
function fakeEngine() {
  const streams: PassThrough[] = [];
  const calls: unknown[] = [];
  let refuse = false;
  return {
    streams,
    calls,
    set down(value: boolean) {
      refuse = value;
    },
    getEvents: async (options: unknown) => {
      calls.push(options);
      if (refuse) throw new Error('connect ENOENT /var/run/docker.sock');
      const stream = new PassThrough();
      streams.push(stream);
      return stream;
    },
  };
}

function setup(engineUp: () => Promise<boolean> = async () => true) {
  const engine = fakeEngine();
  const seen = { events: 0, lost: 0, checks: 0 };
  const events = new DockerEventStream(engine as never, {
    filters: COMPOSE_CONTAINER_EVENTS,
    onEvent: () => void seen.events++,
    onLost: () => void seen.lost++,
    engineUp: () => {
      seen.checks++;
      return engineUp();
    },
    retryMs: 3000,
  });
  return { engine, seen, events };
}

describe('DockerEventStream', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks for compose container events only and passes each one on', async () => {
    const { engine, seen, events } = setup();
    await events.start();
    expect(engine.calls).toEqual([
      { filters: { type: ['container'], label: ['com.docker.compose.project'] } },
    ]);
    expect(events.isOpen).toBe(true);
    engine.streams[0]?.write('{"status":"die"}\n');
    engine.streams[0]?.write('{"status":"start"}\n');
    expect(seen.events).toBe(2);
    // Opening twice (watch called again) keeps the one stream.
    await events.start();
    expect(engine.calls).toHaveLength(1);
    events.stop();
  });

  it('reports a lost stream and reopens it once the engine is back', async () => {
    let up = false;
    const { engine, seen, events } = setup(async () => up);
    await events.start();
    engine.streams[0]?.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.lost).toBe(1);
    expect(events.isOpen).toBe(false);

    // Down: looked at every 3 s, not reopened.
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen.checks).toBe(2);
    expect(engine.calls).toHaveLength(1);

    up = true;
    await vi.advanceTimersByTimeAsync(3000);
    expect(engine.calls).toHaveLength(2);
    expect(events.isOpen).toBe(true);
    engine.streams[1]?.write('{}\n');
    expect(seen.events).toBe(1);
    // Open again: checked every 15 s only (the stall watch).
    await vi.advanceTimersByTimeAsync(30_000);
    expect(seen.checks).toBe(5);
    events.stop();
  });

  it('a stream that stalls without ending: a failed check while open counts as lost, and it is reopened', async () => {
    let up = true;
    const { engine, seen, events } = setup(async () => up);
    await events.start();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(seen.checks).toBe(1);
    expect(seen.lost).toBe(0);
    // The engine hangs: the stream neither ends nor errors, but the check fails.
    up = false;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(seen.lost).toBe(1);
    expect(events.isOpen).toBe(false);
    up = true;
    await vi.advanceTimersByTimeAsync(3000);
    expect(engine.calls).toHaveLength(2);
    expect(events.isOpen).toBe(true);
    events.stop();
  });

  it('a stream silent for 5 minutes is replaced by a fresh one (no loss reported)', async () => {
    const { engine, seen, events } = setup();
    await events.start();
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    engine.streams[0]?.write('{}\n');
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    // Data 4 minutes ago: kept.
    expect(engine.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000 + 15_000);
    expect(engine.calls).toHaveLength(2);
    expect(engine.streams[0]?.destroyed).toBe(true);
    expect(seen.lost).toBe(0);
    engine.streams[1]?.write('{}\n');
    expect(seen.events).toBe(2);
    events.stop();
  });

  it('retries a stream that could not be opened (engine down at start), without a loss report', async () => {
    const { engine, seen, events } = setup();
    engine.down = true;
    await events.start();
    expect(events.isOpen).toBe(false);
    expect(seen.lost).toBe(0);
    engine.down = false;
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen.checks).toBe(1);
    expect(events.isOpen).toBe(true);
    events.stop();
  });

  it('counts an error on the stream as lost, once, however many ways it ends', async () => {
    const { engine, seen, events } = setup(async () => false);
    await events.start();
    const stream = engine.streams[0];
    stream?.emit('error', new Error('socket hang up'));
    stream?.emit('close');
    expect(seen.lost).toBe(1);
    events.stop();
  });

  it('stop closes the stream and ends the retries; later events and checks do nothing', async () => {
    const { engine, seen, events } = setup(async () => false);
    await events.start();
    const stream = engine.streams[0];
    events.stop();
    expect(stream?.destroyed).toBe(true);
    stream?.emit('data', '{}');
    expect(seen.events).toBe(0);
    expect(seen.lost).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen.checks).toBe(0);
    await events.start();
    expect(engine.calls).toHaveLength(1);
  });

  it('stopped while a retry looks at the engine: nothing is reopened', async () => {
    let release!: (up: boolean) => void;
    const { engine, events } = setup(() => new Promise<boolean>((r) => (release = r)));
    engine.down = true;
    await events.start();
    engine.down = false;
    await vi.advanceTimersByTimeAsync(3000);
    events.stop();
    release(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(engine.calls).toHaveLength(1);
    expect(events.isOpen).toBe(false);
  });
});
