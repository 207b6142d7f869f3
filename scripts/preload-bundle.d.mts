import type { BuildOptions } from 'esbuild';

export declare const preloadBundle: BuildOptions & { entryPoints: string[]; outfile: string };
export declare const PRELOAD_MAX_BYTES: number;
