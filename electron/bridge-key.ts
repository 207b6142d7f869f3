/**
 * The name of the bridge on `window`. Kept apart from contract.ts (which re-exports it) so the
 * renderer can import it without pulling zod into its bundle.
 */
export const BRIDGE_KEY = 'difyStack';
