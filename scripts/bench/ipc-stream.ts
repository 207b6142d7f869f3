/**
 * IPC streaming benchmark (job output as deltas through subscriptions):
 *  a. What reaches the renderer during one `up` of the Dify-shaped test stack (after a `down`, so
 *     every container is created and started again), counted as Electron sends it (structured clone,
 *     measured with v8.serialize): the scheme before subscriptions — every job update a full snapshot
 *     with up to 400 output lines, throttled to one per 100 ms per job, reproduced here from the same
 *     `up` (its job manager reports each call the old one sent an update for) — against today's wire (`wireEvents` + one `job-output` subscription opened when the
 *     job first shows up, as the job panel does). Both listen to the same `up`. Status events are the
 *     same in both and reported apart. Target: job traffic ≤ 10 % of the old bytes.
 *  b. 50,000 output lines pushed into one subscription: time until the receiver has them all, each
 *     batch cloned and deserialised as IPC does, against `JSON.stringify` of the same lines. Target:
 *     ≤ 2×. (The topic keeps 50,000 items here; the default bound of 10,000 would drop most of a
 *     burst pushed in one go, which is its job.)
 * Runs: BENCH_RUNS (default 3 `up`s; part b runs 5× as often). `npx tsx scripts/bench/ipc-stream.ts`
 * runs it alone.
 */
import { join } from 'node:path';
import { deserialize, serialize, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { topicContract, type EventName, type SubscriptionBatch } from '../../electron/contract';
import {
  JobManager,
  type JobContext,
  type JobHandle,
  type JobSnapshot,
  type JobSpec,
} from '../../electron/core/jobs';
import { SubscriptionHub, type TopicSink } from '../../electron/core/subscriptions';
import { JOB_EVENT_INTERVAL_MS, wireEvents } from '../../electron/handlers';
import { assembleServices, type AppServices } from '../../electron/services';
import { SettingsSchema } from '../../electron/settings/schema';
import { SettingsStore } from '../../electron/settings/store';
import { StackService } from '../../electron/stack/stack-service';
import { createTempDir, removeTempDir } from '../../test/helpers/temp-dir';
import { createTestStack } from '../../test/helpers/test-stack';
import { type BenchResult, median, printResult, runAsScript } from './stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LINES = 50_000;

/** Bytes and messages of one kind of traffic. */
class Wire {
  bytes = 0;
  messages = 0;
  add(channel: string, payload: unknown): void {
    // The channel name travels with each message too.
    this.bytes += serialize(payload).length + channel.length;
    this.messages++;
  }
}

interface UpTraffic {
  oldJobs: Wire;
  /** Today's `job` events (state only). */
  jobState: Wire;
  /** Today's job-output: the subscribe request, its answer and the `subscription` batches. */
  output: Wire;
  status: Wire;
  outputLines: number;
}

/**
 * The old JobManager sent an update for every log, step and progress call (a poll loop repeating the
 * same progress included); today's sends one only when something changed, and none per line. This
 * one tells the bench about every such call, so the baseline sees what the old one sent.
 */
class CallReportingJobManager extends JobManager {
  onCall: ((jobId: string) => void) | null = null;

  override start<T>(spec: JobSpec, fn: (ctx: JobContext) => Promise<T>): JobHandle<T> {
    return super.start(spec, (ctx) =>
      fn({
        ...ctx,
        log: (line) => {
          ctx.log(line);
          this.onCall?.(ctx.id);
        },
        step: (key, params) => {
          ctx.step(key, params);
          this.onCall?.(ctx.id);
        },
        progress: (fraction) => {
          ctx.progress(fraction);
          this.onCall?.(ctx.id);
        },
      }),
    );
  }
}

/**
 * The job events of the scheme before subscriptions, as `wireEvents` sent them: on every update of
 * the old JobManager (each state change and each log/step/progress call) the job with its last 400
 * lines, at most one per 100 ms per job, the final state at once.
 */
function legacyJobEvents(jobs: CallReportingJobManager, send: (job: unknown) => void): () => void {
  const pending = new Map<string, { timer: NodeJS.Timeout | null; lastSent: number; latest: unknown }>();
  const states = new Map<string, string>();
  const flush = (id: string): void => {
    const entry = pending.get(id);
    if (!entry?.latest) return;
    entry.timer = null;
    entry.lastSent = Date.now();
    const job = entry.latest;
    entry.latest = null;
    send(job);
  };
  const update = (id: string): void => {
    const snapshot = jobs.get(id);
    if (!snapshot) return;
    const { outputLines: _counted, ...rest } = snapshot;
    const old = { ...rest, lines: jobs.output(id) ?? [] };
    const entry = pending.get(id) ?? { timer: null, lastSent: 0, latest: null };
    pending.set(id, entry);
    entry.latest = old;
    if (snapshot.finishedAt !== null) {
      if (entry.timer) clearTimeout(entry.timer);
      pending.delete(id);
      send(old);
      return;
    }
    if (entry.timer) return;
    const wait = entry.lastSent + JOB_EVENT_INTERVAL_MS - Date.now();
    if (wait <= 0) flush(id);
    else entry.timer = setTimeout(() => flush(id), wait);
  };
  jobs.onCall = update;
  // State changes (queued, running, finished) were updates too; step and progress come as calls.
  const off = jobs.onUpdate((job: JobSnapshot) => {
    if (states.get(job.id) === job.state) return;
    states.set(job.id, job.state);
    update(job.id);
  });
  return () => {
    jobs.onCall = null;
    off();
    for (const entry of pending.values()) if (entry.timer) clearTimeout(entry.timer);
  };
}

async function measureUp(services: AppServices, jobs: CallReportingJobManager): Promise<UpTraffic> {
  const traffic: UpTraffic = {
    oldJobs: new Wire(),
    jobState: new Wire(),
    output: new Wire(),
    status: new Wire(),
    outputLines: 0,
  };
  const offLegacy = legacyJobEvents(jobs, (job) => traffic.oldJobs.add('event:job', job));
  const followed = new Set<string>();
  const unwire = wireEvents(services, 'bench-window', (event: EventName, payload: unknown) => {
    if (event === 'status') {
      traffic.status.add(`event:${event}`, payload);
      return;
    }
    if (event === 'subscription') {
      traffic.output.add(`event:${event}`, payload);
      traffic.outputLines += (payload as SubscriptionBatch).items.length;
    } else traffic.jobState.add(`event:${event}`, payload);
    if (event === 'job') {
      const job = payload as JobSnapshot;
      if (followed.has(job.id)) return;
      followed.add(job.id);
      // The job panel subscribes when the job appears: the request and its answer count too.
      const request = { topic: 'job-output', params: { jobId: job.id } };
      traffic.output.add('invoke:subscriptions:subscribe', request);
      const id = services.subscriptions.subscribe('bench-window', request.topic, request.params);
      traffic.output.add('invoke:subscriptions:subscribe', { ok: true, value: { id } });
    }
  });
  try {
    await services.stack.startStack().done;
    // The last output batch follows the final job state by up to one batch interval.
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    unwire();
    offLegacy();
  }
  return traffic;
}

async function trafficOfUps(): Promise<UpTraffic[]> {
  const stack = createTestStack({ prefix: 'benchstream' });
  const dir = await createTempDir('dst-bench-stream-');
  // The app's assembly (as createServices does it), with the job manager the baseline listens to.
  const settings = await SettingsStore.open(join(dir, 'settings.json'));
  const jobs = new CallReportingJobManager();
  const stackService = new StackService({
    jobs,
    getSettings: () => ({ ...SettingsSchema.parse({}), difyDir: stack.dir, language: 'en' }),
  });
  const services = assembleServices(settings, jobs, stackService);
  try {
    await services.stack.watch();
    const runs: UpTraffic[] = [];
    for (let i = 0; i < RUNS; i++) {
      await services.stack.downStack().done;
      runs.push(await measureUp(services, jobs));
    }
    return runs;
  } finally {
    await services.dispose();
    await stack.dispose();
    await removeTempDir(dir);
  }
}

interface BurstTimes {
  /** From the first push until the receiver has every line, deserialised. */
  burst: number[];
  /** Its parts: the pushes into the hub, the structured clone, the deserialisation. */
  push: number[];
  clone: number[];
  deserialise: number[];
  stringify: number[];
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * A full collection before each timed run, so a run pays for its own garbage only: the two alternate
 * (so load on the machine hits both), and V8 runs pending collection work between event-loop turns,
 * which the asynchronous side would otherwise pay for the synchronous side's 4 MB strings.
 */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** 50,000 lines into one subscription until all are deserialised, against JSON.stringify of them. */
async function burstAgainstStringify(lines: string[]): Promise<BurstTimes> {
  const gc = collectGarbage();
  const hub = new SubscriptionHub(topicContract);
  let sink: TopicSink<string> | null = null;
  hub.register(
    'job-output',
    (_params, s) => {
      sink = s;
    },
    { maxQueue: LINES },
  );
  let received = 0;
  let done: (() => void) | null = null;
  let cloned = 0;
  let deserialised = 0;
  hub.connect('bench', (batch) => {
    const t0 = now();
    const bytes = serialize(batch);
    const t1 = now();
    const copy = deserialize(bytes) as SubscriptionBatch;
    cloned += t1 - t0;
    deserialised += now() - t1;
    received += copy.items.length;
    if (received >= LINES) done?.();
  });
  const times: BurstTimes = { burst: [], push: [], clone: [], deserialise: [], stringify: [] };
  try {
    for (let i = -2; i < RUNS * 5; i++) {
      received = cloned = deserialised = 0;
      const id = hub.subscribe('bench', 'job-output', { jobId: 'bench' });
      const all = new Promise<void>((r) => (done = r));
      const into = sink as unknown as TopicSink<string>;
      gc();
      const start = now();
      for (const line of lines) into.push(line);
      const pushed = now();
      await all;
      const end = now();
      hub.unsubscribe(id);
      gc();
      const json = now();
      JSON.stringify(lines);
      const jsonEnd = now();
      if (i < 0) continue; // warm-up
      times.burst.push(end - start);
      times.push.push(pushed - start);
      times.clone.push(cloned);
      times.deserialise.push(deserialised);
      times.stringify.push(jsonEnd - json);
    }
    return times;
  } finally {
    hub.dispose();
  }
}

export async function runIpcStreamBench(): Promise<BenchResult> {
  // Compose-like lines of a realistic length.
  const lines = Array.from(
    { length: LINES },
    (_, i) => ` Container benchstream-plugin_daemon-1  Started ${i} (took ${(i % 997) * 3} ms, healthy)`,
  );
  const times = await burstAgainstStringify(lines);
  const ups = await trafficOfUps();

  const med = (f: (t: UpTraffic) => number): number => median(ups.map(f));
  const oldBytes = med((t) => t.oldJobs.bytes);
  const newBytes = med((t) => t.jobState.bytes + t.output.bytes);
  const oldMsgs = med((t) => t.oldJobs.messages);
  const newMsgs = med((t) => t.jobState.messages + t.output.messages);
  const stateBytes = med((t) => t.jobState.bytes);
  const stateMsgs = med((t) => t.jobState.messages);
  const outputBytes = med((t) => t.output.bytes);
  const outputMsgs = med((t) => t.output.messages);
  const statusBytes = med((t) => t.status.bytes);
  const statusMsgs = med((t) => t.status.messages);
  const outputLines = med((t) => t.outputLines);
  const byteRatio = newBytes / oldBytes;
  const totalRatio = (newBytes + statusBytes) / (oldBytes + statusBytes);
  const burstMs = median(times.burst);
  const jsonMs = median(times.stringify);
  const timeRatio = burstMs / jsonMs;
  const kb = (b: number): string => `${(b / 1024).toFixed(1)} kB`;
  const ok = byteRatio <= 0.1 && timeRatio <= 2;
  return {
    title: `IPC streaming: job output as deltas (one up of the test stack, ${outputLines} output lines; ${LINES.toLocaleString('en')} lines through one subscription)`,
    rows: [
      {
        name: `${LINES.toLocaleString('en')} lines via subscription (clone + deserialise)`,
        medianMs: burstMs,
        runs: times.burst.length,
        note: `push ${median(times.push).toFixed(1)}, clone ${median(times.clone).toFixed(1)}, deserialise ${median(times.deserialise).toFixed(1)} ms`,
      },
      {
        name: 'JSON.stringify of the same lines',
        medianMs: jsonMs,
        runs: times.stringify.length,
        note: 'baseline',
      },
    ],
    verdict: [
      `up, job traffic before (full snapshots, 100 ms): ${kb(oldBytes)} in ${oldMsgs} messages (baseline)`,
      `up, job traffic now: ${kb(newBytes)} in ${newMsgs} messages (job state ${kb(stateBytes)} in ${stateMsgs}, job-output ${kb(outputBytes)} in ${outputMsgs})`,
      `up, status events (unchanged, in both): ${kb(statusBytes)} in ${statusMsgs} messages`,
      `job bytes now / before: ${(byteRatio * 100).toFixed(1)} % (target ≤ 10 %): ${byteRatio <= 0.1 ? 'met' : 'NOT met'}; with status events: ${(totalRatio * 100).toFixed(1)} %`,
      `subscription / JSON.stringify: ${timeRatio.toFixed(2)}× (target ≤ 2×): ${timeRatio <= 2 ? 'met' : 'NOT met'}`,
      `(medians of ${ups.length} ups)`,
    ],
    ok,
  };
}

if (require.main === module) runAsScript(runIpcStreamBench, printResult);
