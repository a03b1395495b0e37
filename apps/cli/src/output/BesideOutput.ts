/**
 * Where the files that go with `--output FILE` live (its `.ledger` and `.lock`): beside the real file, wherever it is
 * named from. A symbolic link to FILE, or another path through one, finds the same ledger and takes the same lock, so
 * a run killed while writing through a link is seen as unfinished by a run that names FILE itself. A link whose
 * target does not exist yet leads where its target will be, as the file it will create: the lock taken before FILE
 * exists and the ledger made after it are then beside the same file. (A hard link is another name they do not see.)
 */
import { lstatSync, readlinkSync, realpathSync } from "node:fs"
import { basename, dirname, join, resolve } from "node:path"

/** The real path `output` names or will name once written, following links (even to a file not there yet). */
export const realPathOf = (output: string, links = 0): string => {
  try {
    return realpathSync(output)
  } catch {
    // A link to a file not there yet: where writing through it will create the file (at most 40 links, as Linux).
    const isLink = links < 40 && (lstatSync(output, { throwIfNoEntry: false })?.isSymbolicLink() ?? false)
    if (isLink) return realPathOf(resolve(dirname(output), readlinkSync(output)), links + 1)
    try {
      return join(realpathSync(dirname(output)), basename(output))
    } catch {
      return output
    }
  }
}

export const besideOutput = (output: string, suffix: string): string => `${realPathOf(output)}${suffix}`
