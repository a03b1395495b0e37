/**
 * `--output FILE`: results written with one synchronous write per chunk, in the order of the rows. A write that
 * returns is in the kernel's hands, so a crash or SIGKILL afterwards cannot lose it; one that a crash cuts short
 * leaves a torn last line, which `Recovery` finds and a resumed run cuts off.
 */
import { createHash, type Hash } from "node:crypto"
import { closeSync, openSync, truncateSync, writeSync } from "node:fs"
import * as FileError from "../FileError.ts"

export interface ResultFile {
  readonly write: (text: string) => void
  /** Bytes the file holds. */
  readonly size: () => number
  /** SHA-256 (hex) of the bytes the file holds. */
  readonly digest: () => string
  readonly close: () => void
}

const opened = (path: string, fd: number, start: number, hash: Hash): ResultFile => {
  let size = start
  return {
    write: (text) => {
      const bytes = Buffer.from(text)
      FileError.whileWriting(path, () => {
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at)
      })
      hash.update(bytes)
      size += bytes.length
    },
    size: () => size,
    digest: () => hash.copy().digest("hex"),
    close: () => closeSync(fd)
  }
}

/** A new, empty FILE (replacing any). */
export const create = (path: string): ResultFile =>
  opened(
    path,
    FileError.whileWriting(path, () => openSync(path, "w")),
    0,
    createHash("sha256")
  )

/** FILE cut to its first `size` bytes (its complete rows), to be continued; `hash` holds those bytes' SHA-256. */
export const reopen = (path: string, size: number, hash: Hash): ResultFile =>
  opened(
    path,
    FileError.whileWriting(path, () => {
      truncateSync(path, size)
      return openSync(path, "a")
    }),
    size,
    hash
  )
