/**
 * The pools a fake serves: what a user writes (`PoolOptions`) and what the fake runs on (`ResolvedPool`).
 *
 * Undocumented points decided here (the service's settings are documented, their exact rules are not):
 * - A pool gets its numbers from `numbers`, or `size` numbers generated from its id (10 digits, deterministic:
 *   the same id gives the same numbers on every run). Neither given: 10 numbers.
 * - Every number, overflow numbers included, belongs to one pool only, so that a call to a number names one
 *   allocation (attribution). Options that break this throw at once.
 * - `overflowNumber` defaults to a number generated from the id as well, distinct from the pool's numbers.
 *
 * @since 0.1.0
 */

/**
 * One pool, as a test describes it. Names follow the service's RingPool settings (`allow_overflow`,
 * `lifetime_seconds`, `max_pool_size`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolOptions {
  /** The RingPool id of the API URL (`<id>/allocate_number.json`). */
  readonly id: string | number
  /** The `ring_pool_key` the pool accepts; any other key gets the documented `InvalidKey` row error. */
  readonly key: string
  /** How many numbers to generate (1 to 9,999,999). Give this or `numbers`. */
  readonly size?: number | undefined
  /** The pool's own 10-digit numbers, handed out in this order first. Give this or `size`. */
  readonly numbers?: ReadonlyArray<string> | undefined
  /** The number every visitor beyond the pool's capacity shares (10 digits). Default: generated from the id. */
  readonly overflowNumber?: string | undefined
  /** When false, a row that finds no free number gets the `NoNumberAvailable` row error. Default true. */
  readonly allowOverflow?: boolean | undefined
  /** How long an allocation holds its number, at least (the service's `lifetime_seconds`). Default 1800. */
  readonly lifetimeSeconds?: number | undefined
}

/**
 * The pool a fake serves when it is given none: id `demo`, key `demo-key`, 10 numbers.
 *
 * @since 0.1.0
 * @category constants
 */
export const demoPool: PoolOptions = { id: "demo", key: "demo-key", size: 10 }

/**
 * A pool with its defaults applied and its numbers known.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedPool {
  readonly id: string
  readonly key: string
  readonly size: number
  /** The pool's number at a position (0 to `size - 1`). Generated numbers are made on demand, not stored. */
  readonly numberAt: (position: number) => string
  readonly overflowNumber: string
  readonly allowOverflow: boolean
  readonly lifetimeMs: number
}

const tenDigits = /^\d{10}$/
const known = new Set(["id", "key", "size", "numbers", "overflowNumber", "allowOverflow", "lifetimeSeconds"])
const maxGeneratedSize = 9_999_999

function fail(pool: string, text: string): never {
  throw new TypeError(`@ringpool/testkit: pool ${pool}: ${text}`)
}

/** FNV-1a: a stable hash of the id, so that generated numbers do not change between runs. */
const hash = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

// Generated numbers are `<area><7 digits>`: the area (200 to 999) comes from the id, the overflow number is
// `<area>0000000` and the pool's numbers follow it. Areas are never shared, so generated numbers never collide.
const areas = 800
const firstArea = 200

interface Checked {
  readonly options: PoolOptions
  readonly id: string
  readonly label: string
}

const check = (options: PoolOptions, index: number): Checked => {
  if (options === null || typeof options !== "object")
    fail(`#${index + 1}`, "expected an object like { id, key, size }")
  const rawId = options.id
  const id = typeof rawId === "number" && Number.isSafeInteger(rawId) && rawId >= 0 ? String(rawId) : rawId
  if (typeof id !== "string" || id === "" || /[/?#\s]/.test(id)) {
    fail(`#${index + 1}`, "id must be a non-empty string or integer without '/', '?', '#' or spaces, e.g. 12345")
  }
  const label = JSON.stringify(id)
  for (const name of Object.keys(options)) {
    if (!known.has(name)) fail(label, `unknown option ${JSON.stringify(name)}; known: ${[...known].join(", ")}`)
  }
  // The key itself is never quoted: it is secret material, even in a test.
  if (typeof options.key !== "string" || options.key === "") fail(label, "key must be a non-empty string")
  const { size, numbers, overflowNumber, allowOverflow, lifetimeSeconds } = options
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 1 || size > maxGeneratedSize)) {
    fail(label, `size must be an integer from 1 to ${maxGeneratedSize}`)
  }
  if (numbers !== undefined) {
    if (!Array.isArray(numbers) || numbers.length === 0)
      fail(label, "numbers must be a non-empty array of 10-digit strings")
    for (const number of numbers) {
      if (typeof number !== "string" || !tenDigits.test(number))
        fail(label, `numbers must be 10-digit strings such as "8883906665", got ${JSON.stringify(number)}`)
    }
    if (size !== undefined && size !== numbers.length)
      fail(label, `size (${size}) and numbers (${numbers.length}) disagree: give one of them`)
  }
  if (overflowNumber !== undefined && (typeof overflowNumber !== "string" || !tenDigits.test(overflowNumber))) {
    fail(label, `overflowNumber must be a 10-digit string such as "8883906665"`)
  }
  if (allowOverflow !== undefined && typeof allowOverflow !== "boolean") fail(label, "allowOverflow must be a boolean")
  if (
    lifetimeSeconds !== undefined &&
    (typeof lifetimeSeconds !== "number" || !Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0)
  ) {
    fail(label, "lifetimeSeconds must be a positive number of seconds, e.g. 1800")
  }
  return { options, id, label }
}

/**
 * Checks the pools and applies the defaults. A mistake throws a `TypeError` that says what to write instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (pools: ReadonlyArray<PoolOptions> = [demoPool]): Array<ResolvedPool> => {
  if (!Array.isArray(pools)) throw new TypeError("@ringpool/testkit: pools must be an array of { id, key, size }")
  const checked = pools.map(check)
  const owner = new Map<string, string>()
  const usedAreas = new Set<number>()
  const claim = (number: string, label: string) => {
    const other = owner.get(number)
    if (other !== undefined)
      fail(label, `number ${number} is also in pool ${other}: every number belongs to one pool only`)
    owner.set(number, label)
  }
  const ids = new Set<string>()
  for (const { options, id, label } of checked) {
    if (ids.has(id)) fail(label, "two pools have this id")
    ids.add(id)
    for (const number of options.numbers ?? []) claim(number, label)
    if (options.overflowNumber !== undefined) claim(options.overflowNumber, label)
  }
  const explicitAreas = new Set([...owner.keys()].map((number) => Number(number.slice(0, 3))))
  const areaFor = (id: string, label: string): number => {
    const start = hash(id) % areas
    for (let step = 0; step < areas; step++) {
      const area = firstArea + ((start + step) % areas)
      if (!usedAreas.has(area) && !explicitAreas.has(area)) {
        usedAreas.add(area)
        return area
      }
    }
    return fail(label, "no free range left for generated numbers: give this pool explicit numbers")
  }
  return checked.map(({ options, id, label }): ResolvedPool => {
    const explicit = options.numbers
    const needsArea = explicit === undefined || options.overflowNumber === undefined
    const prefix = needsArea ? String(areaFor(id, label) * 10_000_000) : ""
    const generated = (position: number) => {
      const digits = String(position + 1)
      return prefix.slice(0, 10 - digits.length) + digits
    }
    return {
      id,
      key: options.key,
      size: explicit?.length ?? options.size ?? 10,
      numberAt: explicit === undefined ? generated : (position) => explicit[position]!,
      overflowNumber: options.overflowNumber ?? prefix,
      allowOverflow: options.allowOverflow ?? true,
      lifetimeMs: (options.lifetimeSeconds ?? 1800) * 1000
    }
  })
}
