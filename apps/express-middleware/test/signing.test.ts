// Signed visitor ids (`sticky.secret`): only ids this site issued are adopted; without a secret, a well-formed id is.
import request from "supertest"
import { expect, it } from "vitest"
import { memoryStore, type RingPoolOptions, ringPool } from "../src/index.ts"
import { clientFor, fakeAndSitePerTest, type PageBody, pool, startSite } from "./support/harness.ts"
import { recordingStore } from "./support/recordingStore.ts"

const fixture = fakeAndSitePerTest()

const secret = "s3cr3t-0123456789-abcdefghijklmnopqrstuvwxyz"
const previous = "old-secret-0123456789-abcdefghijklmnopqrstu"
const chosenId = "AAAAAAAAAAAAAAAAAAAAAA"

const cookieOf = (response: request.Response): string | undefined =>
  (response.headers["set-cookie"] as unknown as Array<string> | undefined)
    ?.find((line) => line.startsWith("ringpool_visitor="))
    ?.split(";")[0]

const numberOf = (response: request.Response) => response.body as PageBody

it("with a secret the cookie carries the id and its signature, and a signed id keeps its number", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({ pool, params: { m1: "a" }, client, sticky: { secret } })
  const first = await request(fixture.site.url).get("/page").expect(200)
  const cookie = cookieOf(first)!
  expect(cookie).toMatch(/^ringpool_visitor=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/)
  expect(cookie).not.toContain(secret.slice(0, 6))
  const again = await request(fixture.site.url).get("/page").set("Cookie", cookie).expect(200)
  expect(numberOf(again)).toEqual({ ...numberOf(first), source: "sticky" })
  await client.close()
})

it("with a secret, an id the client chose or signed itself is not adopted: it gets an id of the site's own", async () => {
  const client = clientFor(fixture.fake)
  const { store, log } = recordingStore()
  fixture.site = await startSite({ pool, params: { m1: "a" }, client, sticky: { secret, store } })
  const genuine = cookieOf(await request(fixture.site.url).get("/page"))!
  const [id, signature] = genuine.slice("ringpool_visitor=".length).split(".") as [string, string]
  const forgeries = [
    chosenId,
    `${chosenId}.${signature}`,
    `${id}.${"A".repeat(22)}`,
    `${id}.${signature.slice(0, 21)}`,
    `${id}.${signature}.${signature}`
  ]
  for (const forged of forgeries) {
    const response = await request(fixture.site.url).get("/page").set("Cookie", `ringpool_visitor=${forged}`)
    expect(numberOf(response).source).toBe("allocated")
    const issued = cookieOf(response)!
    expect(issued).not.toContain(chosenId)
    expect(issued.startsWith(`ringpool_visitor=${id}`)).toBe(false)
  }
  // The store only ever saw ids the site issued, never one a client made up.
  expect(log.some((entry) => entry.key.startsWith(chosenId))).toBe(false)
  expect(fixture.fake.allocations()).toHaveLength(1 + forgeries.length)
  await client.close()
})

it("secrets rotate: an id signed with the previous secret is still adopted, new ones are signed with the first", async () => {
  const client = clientFor(fixture.fake)
  const store = memoryStore()
  const before = await startSite({ pool, params: { m1: "a" }, client, sticky: { secret: previous, store } })
  const oldCookie = cookieOf(await request(before.url).get("/page"))!
  await before.close()
  fixture.site = await startSite({ pool, params: { m1: "a" }, client, sticky: { secret: [secret, previous], store } })
  expect(numberOf(await request(fixture.site.url).get("/page").set("Cookie", oldCookie)).source).toBe("sticky")
  const newCookie = cookieOf(await request(fixture.site.url).get("/page"))!
  expect(newCookie).not.toBe(oldCookie)
  // With only the new secret, the old cookie is a stranger's.
  const after = await startSite({ pool, params: { m1: "a" }, client, sticky: { secret, store } })
  expect(numberOf(await request(after.url).get("/page").set("Cookie", oldCookie)).source).toBe("allocated")
  expect(numberOf(await request(after.url).get("/page").set("Cookie", newCookie)).source).toBe("sticky")
  await after.close()
  await client.close()
})

it("without a secret, a well-formed id a client sends is adopted (the documented default)", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({ pool, params: { m1: "a" }, client })
  const first = await request(fixture.site.url).get("/page").set("Cookie", `ringpool_visitor=${chosenId}`)
  expect(cookieOf(first)).toBe(`ringpool_visitor=${chosenId}`)
  const again = await request(fixture.site.url).get("/page").set("Cookie", `ringpool_visitor=${chosenId}`)
  expect(numberOf(again).source).toBe("sticky")
  await client.close()
})

it("a secret too short, or not a string, throws at creation without showing it", () => {
  const client = clientFor(fixture.fake)
  const create = (value: unknown) => () =>
    ringPool({ pool, params: { m1: "" }, client, sticky: { secret: value } } as RingPoolOptions)
  for (const value of ["short-secret-value", ["x".repeat(40), "tiny-secret-abc"], [], 1234567890]) {
    expect(create(value)).toThrow(/^ringPool\(\): sticky\.secret must be/)
    try {
      create(value)()
    } catch (error) {
      expect((error as Error).message).not.toContain("short-")
      expect((error as Error).message).not.toContain("tiny-s")
    }
  }
  expect(create(secret)).not.toThrow()
  expect(create([secret, previous])).not.toThrow()
  return client.close()
})
