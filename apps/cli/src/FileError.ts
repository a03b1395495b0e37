/**
 * A file system error in words a user acts on, rather than a Node error code.
 */
import * as CliFailure from "./CliFailure.ts"

export const describe = (error: unknown): string => {
  switch ((error as { code?: unknown }).code) {
    case "ENOENT":
      return "no such file"
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "EISDIR":
      return "it is a directory"
    case "ENOSPC":
      return "the disk is full"
    case "EROFS":
      return "the file system is read-only"
    default:
      return error instanceof Error ? error.message : String(error)
  }
}

/** Runs a write to `path`; its file system error becomes the one line a user acts on (a full disk), not a bug report. */
export const whileWriting = <A>(path: string, write: () => A): A => {
  try {
    return write()
  } catch (error) {
    throw CliFailure.usage(`cannot write ${path}: ${describe(error)}`)
  }
}
