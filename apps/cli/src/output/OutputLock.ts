/**
 * One run at a time per `--output FILE`: `FILE.lock`, holding the run's process id.
 *
 * Two runs writing one FILE (a `--resume` started while the first still runs) would each send rows the other sends
 * too, and interleave their results: numbers spent twice, rows lost. So a run takes the lock before it reads the
 * ledger and gives it back when it ends.
 *
 * A lock whose process is gone (a run killed with SIGKILL, or a crash) is stale and is taken over. Its process id
 * may since have gone to another, unrelated process: then the run refuses, and the message says how to tell and what
 * to remove, which errs towards refusing rather than towards two runs.
 */
import { closeSync, linkSync, lstatSync, openSync, readSync, rmSync, writeFileSync } from "node:fs"
import * as CliFailure from "../CliFailure.ts"
import * as FileError from "../FileError.ts"
import { besideOutput } from "./BesideOutput.ts"

/** The lock of the file `output` names, beside the real file (see `BesideOutput`). */
export const pathOf = (output: string): string => besideOutput(output, ".lock")

export interface OutputLock {
  readonly release: () => void
}

/** Whether a process of that id runs (ours or not): signal 0 checks without sending anything. */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as { code?: string }).code === "EPERM"
  }
}

/**
 * Who holds a lock: its process id, or why none can be told (gone meanwhile; not readable; holding no id, so not a
 * lock a run wrote). Read from its first bytes only (a lock is one line), of a plain file only (see `isFile`).
 */
type Holder = { readonly pid: number } | { readonly none: "gone" | "unreadable" | "foreign"; readonly why?: string }

const holderOf = (path: string): Holder => {
  let fd: number
  try {
    fd = openSync(path, "r")
  } catch (error) {
    const code = (error as { code?: string }).code
    return code === "ENOENT" ? { none: "gone" } : { none: "unreadable", why: FileError.describe(error) }
  }
  try {
    const head = Buffer.alloc(32)
    const pid = Number(head.toString("utf8", 0, readSync(fd, head, 0, head.length, 0)).trim())
    return Number.isSafeInteger(pid) && pid > 0 ? { pid } : { none: "foreign" }
  } catch (error) {
    return { none: "unreadable", why: FileError.describe(error) }
  } finally {
    closeSync(fd)
  }
}

/** Whether `path` is a plain file, not a link to one (or gone meanwhile: then there is nothing in the way). */
const isFile = (path: string): boolean => {
  try {
    return lstatSync(path).isFile()
  } catch {
    return true
  }
}

/**
 * Writes a lock holding our process id at `path`, or returns false when one is there. The id is written to a file of
 * our own first and linked into place (`link` fails when the name exists), so a lock is never seen empty.
 */
const place = (path: string): boolean => {
  const own = `${path}.${process.pid}`
  // Created anew, never opened through what is there (a link would have us write where it points, a pipe wait).
  rmSync(own, { force: true })
  writeFileSync(own, `${process.pid}\n`, { flag: "wx" })
  try {
    linkSync(own, path)
    return true
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") return false
    throw error
  } finally {
    rmSync(own, { force: true })
  }
}

/** Takes the lock of `output`, or throws the usage failure that says which run holds it. */
export const acquire = (output: string): OutputLock => {
  const path = pathOf(output)
  // Twice at most: a stale lock is removed and taken once; if another run took it in between, it is that run's.
  // (Two runs that start in the same instant over a stale lock could both remove it and take it: not a case
  // that people starting runs from a terminal make.)
  let placed = false
  for (let attempt = 0; attempt < 2 && !placed; attempt++) {
    placed = FileError.whileWriting(output, () => place(path))
    if (placed) break
    // Something else under the lock's name (a folder, a pipe, a link) is not ours to read or remove: reading a pipe
    // would wait for ever, a link to a device read without end.
    if (!isFile(path)) {
      throw CliFailure.usage(
        `${path} is in the way of ${output}'s lock and is not a lock file: move it away, then run again`
      )
    }
    const holder = holderOf(path)
    if ("none" in holder) {
      if (holder.none === "gone") continue
      // A lock that cannot be read may be another run's; one that holds no id is no run's: neither is ours to remove.
      throw CliFailure.usage(
        holder.none === "unreadable"
          ? `cannot read ${path} (${holder.why}): another ringpool bulk may be writing ${output}; if none is, remove ${path}`
          : `${path} holds no process id, so it is not a lock a ringpool bulk wrote: if none is writing ${output}, remove it`
      )
    }
    if (isRunning(holder.pid)) {
      throw CliFailure.usage(
        `${output} is being written by another ringpool bulk (process ${holder.pid}): let it finish or stop it, then resume; if process ${holder.pid} is not a ringpool bulk, remove ${path}`
      )
    }
    // Stale: its run is gone.
    rmSync(path, { force: true })
  }
  if (!placed) throw CliFailure.usage(`${output} is being written by another ringpool bulk: let it finish, then resume`)
  let released = false
  const release = () => {
    if (released) return
    released = true
    process.off("exit", release)
    const holder = holderOf(path)
    if ("pid" in holder && holder.pid === process.pid) rmSync(path, { force: true })
  }
  // A second Ctrl-C exits at once: the lock goes with the process all the same.
  process.on("exit", release)
  return { release }
}
