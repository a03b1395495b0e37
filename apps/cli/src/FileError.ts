/**
 * A file system error in words a user acts on, rather than a Node error code.
 */
export const describe = (error: unknown): string => {
  switch ((error as { code?: unknown }).code) {
    case "ENOENT":
      return "no such file"
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "EISDIR":
      return "it is a directory"
    default:
      return error instanceof Error ? error.message : String(error)
  }
}
