/**
 * What an error message may show of a value a user gave: numbers, booleans, `null` and `undefined` as written;
 * anything else by its kind only. A string in the wrong option may be a secret put there by mistake (a key, a
 * password), and messages end up in logs.
 *
 * @since 0.2.0
 */

/**
 * @since 0.2.0
 * @category formatting
 */
export const describe = (value: unknown): string => {
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) {
    return String(value)
  }
  if (typeof value === "string") return `a string of ${value.length} characters`
  return Array.isArray(value) ? "an array" : `a ${typeof value}`
}
