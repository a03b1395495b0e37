/**
 * Where the files that go with `--output FILE` live (its `.ledger` and `.lock`): beside the real file, wherever it is
 * named from. A symbolic link to FILE, or another path through one, finds the same ledger and takes the same lock, so
 * a run killed while writing through a link is seen as unfinished by a run that names FILE itself. (A hard link is
 * another name they do not see.)
 */
import { realpathSync } from "node:fs"
import { basename, dirname, join } from "node:path"

export const besideOutput = (output: string, suffix: string): string => {
  try {
    return `${realpathSync(output)}${suffix}`
  } catch {
    // Not there yet: the real folder, and the name in it.
    try {
      return `${join(realpathSync(dirname(output)), basename(output))}${suffix}`
    } catch {
      return `${output}${suffix}`
    }
  }
}
