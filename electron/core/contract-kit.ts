/**
 * The pieces every capability's `contract.ts` is made of, and the merge that turns them into the one
 * contract. A capability declares its invoke channels (`defineInvoke`), its events (`defineEvents`)
 * and its streaming topics (`defineTopics`); `electron/contract.ts` merges them, refusing a name that
 * two pieces both define, so no channel is ever written twice.
 */
import type { z } from 'zod';

/** One invoke channel: renderer → main, one argument object, one result. */
export interface InvokeSpec {
  input: z.ZodType;
  output: z.ZodType;
}

/** One streaming topic: what a subscriber passes, and the shape of each item it then receives. */
export interface TopicSpec {
  params: z.ZodType;
  item: z.ZodType;
}

export const defineInvoke = <T extends Record<string, InvokeSpec>>(channels: T): T => channels;
export const defineEvents = <T extends Record<string, z.ZodType>>(events: T): T => events;
export const defineTopics = <T extends Record<string, TopicSpec>>(topics: T): T => topics;

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void
  ? I
  : never;

/** `{...a, ...b, ...c}` typed as their intersection, and a thrown error when two pieces share a key. */
export function mergePieces<T extends readonly object[]>(
  what: string,
  ...pieces: T
): UnionToIntersection<T[number]> {
  const merged: Record<string, unknown> = {};
  for (const piece of pieces) {
    for (const [key, value] of Object.entries(piece)) {
      if (key in merged) throw new Error(`${what} "${key}" is defined by two capabilities`);
      merged[key] = value;
    }
  }
  return merged as UnionToIntersection<T[number]>;
}

/** The handlers of one piece: each gets its channel's parsed input and answers its output. */
export type HandlersOf<C extends Record<string, InvokeSpec>> = {
  [K in keyof C]: (input: z.output<C[K]['input']>) => Promise<z.output<C[K]['output']>>;
};
