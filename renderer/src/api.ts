/**
 * The renderer's only way to the main process: a typed client over the bridge the preload script puts
 * on `window` (and the E2E harness imitates). Results are unwrapped here so that pages deal with values
 * and `ApiError`s, never with `{ok, value}` envelopes.
 */
import { BRIDGE_KEY } from '../../electron/bridge-key';
import { errorInfo } from '../../electron/core/presentation';
import type {
  DifyStackBridge,
  ErrorInfo,
  EventName,
  EventPayload,
  InvokeChannel,
  InvokeInput,
  InvokeOutput,
} from '../../electron/contract';

export class ApiError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly params: Record<string, string | number> | undefined;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
    this.detail = info.detail;
    this.params = info.params;
  }

  toInfo(): ErrorInfo {
    return errorInfo(this);
  }
}

/** Any thrown value → the error shape the UI renders (unexpected ones keep their text as detail). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof ApiError) return e.toInfo();
  const text = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: text, detail: text };
}

export function getBridge(): DifyStackBridge | null {
  const candidate: unknown = (window as unknown as Record<string, unknown>)[BRIDGE_KEY];
  if (typeof candidate !== 'object' || candidate === null) return null;
  const bridge = candidate as Partial<DifyStackBridge>;
  return typeof bridge.invoke === 'function' && typeof bridge.on === 'function'
    ? (bridge as DifyStackBridge)
    : null;
}

function requireBridge(): DifyStackBridge {
  const bridge = getBridge();
  if (!bridge) {
    throw new ApiError({ code: 'INTERNAL', message: 'The app bridge is not available in this window.' });
  }
  return bridge;
}

export async function invoke<C extends InvokeChannel>(
  channel: C,
  input: InvokeInput<C>,
): Promise<InvokeOutput<C>> {
  const result = await requireBridge().invoke(channel, input);
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}

export function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return requireBridge().on(event, listener);
}
