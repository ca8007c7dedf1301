import { accessSync, constants } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'

/**
 * Where tests put their files: in memory (tmpfs, /dev/shm) where the OS offers it, else the OS's
 * temp directory. The tests that use it test the router and the stores, not the disk: the fsyncs
 * of SQLite's commits, opens and closes would otherwise be a good part of their CPU (the store
 * contract's self-tests took 13 CPU-s on disk, 8 in memory). What survives a killed process is
 * the same on either: a SIGKILL leaves the page cache as it was.
 */
export function tempBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK)
    return '/dev/shm'
  } catch {
    return os.tmpdir()
  }
}

/** A new, empty directory under {@link tempBase}, named `<prefix><random>`; the caller removes it. */
export function tempDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tempBase(), prefix))
}
