/**
 * Whether a process with this pid runs on this machine. EPERM means it runs under another user: alive.
 * (A pid can be reused; callers that must know it is the same process compare its start time too.)
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
