/**
 * Sentinel values: how a key is traced through Compose. Each key of a run gets a unique number as
 * its value in one candidate file; wherever that number shows up in the resolved config, the file's
 * value arrives there. Pure (the randomness is a parameter): the resolver runs Compose around it.
 *
 * Sentinels are 7-digit numbers (`1` + 4 random digits + a 2-digit index): they pass Compose's typed
 * fields (`cpus`, `mem_limit`, timeouts…) and survive its float32 fields exactly (< 2^24), where a
 * text sentinel would make `config` fail and a longer number would come back rounded.
 */
import { randomInt } from 'node:crypto';
import { sameArrival, walkLeaves, type Arrival, type ServicesJson } from './reach-model';

/** Sentinels per base (a 2-digit index after it); more keys take more bases. */
export const SENTINELS_PER_RUN = 100;

/**
 * A 5-digit base (`1` + 4 random digits) that occurs nowhere in `sources` (every text a resolved
 * value can come from), so no number in the resolved config is mistaken for a sentinel.
 */
export function sentinelBase(sources: string, draw: () => number = () => randomInt(1000, 10_000)): string {
  let base: string;
  do base = `1${draw()}`;
  while (sources.includes(base));
  return base;
}

/**
 * As many distinct bases as `count` sentinels need (100 per base), none occurring in `sources`:
 * one Compose run can then trace every key of every file at once.
 */
export function sentinelBases(
  sources: string,
  count: number,
  draw: () => number = () => randomInt(1000, 10_000),
): string[] {
  const bases: string[] = [];
  const needed = Math.max(1, Math.ceil(count / SENTINELS_PER_RUN));
  while (bases.length < needed) {
    const base = sentinelBase(sources, draw);
    if (!bases.includes(base)) bases.push(base);
  }
  return bases;
}

/** Sentinel → id: a base followed by a 2-digit index; the first 100 ids on the first base, and so on. */
export function sentinelsOver(ids: readonly string[], bases: readonly string[]): Map<string, string> {
  return new Map(
    ids.map((id, i) => {
      const base = bases[Math.floor(i / SENTINELS_PER_RUN)];
      if (base === undefined) throw new Error(`${ids.length} sentinels need more than ${bases.length} bases`);
      return [`${base}${String(i % SENTINELS_PER_RUN).padStart(2, '0')}`, id];
    }),
  );
}

/** Key → where its sentinel arrived in the resolved services (every key listed, maybe with none). */
export function findSentinels(
  services: ServicesJson,
  base: string | readonly string[],
  sentinels: ReadonlyMap<string, string>,
): Map<string, Arrival[]> {
  const found = new Map<string, Arrival[]>([...sentinels.values()].map((k) => [k, []]));
  const bases = typeof base === 'string' ? [base] : base;
  const pattern = new RegExp(`(?:${bases.join('|')})\\d{2}`, 'g');
  for (const [service, config] of Object.entries(services)) {
    walkLeaves(config, [], (leafPath, text) => {
      for (const m of text.matchAll(pattern)) {
        const key = sentinels.get(m[0]);
        if (!key) continue;
        const list = found.get(key) as Arrival[];
        const isEnv = leafPath[0] === 'environment' && leafPath.length === 2;
        const arrival: Arrival = isEnv
          ? { service, name: String(leafPath[1]) }
          : { service, name: null, field: leafPath.join('.') };
        if (!list.some((a) => sameArrival(a, arrival))) list.push(arrival);
      }
    });
  }
  return found;
}
