/**
 * Which answer a request gets: the single API, the bulk API, `/healthz`, `/metrics`, or a clear refusal. Routing
 * knows nothing of sockets: the server hands it a method and a target (and the body, for bulk), and writes what
 * comes back.
 *
 * Decided here: `/healthz` answers 200 `ok` while the proxy serves and 503 `closing` once it is shutting down (so a
 * load balancer stops sending); it does not call the service, which would spend a number. A path the proxy does
 * not serve answers 404 with the list of those it does, without echoing the URL (it may hold a key).
 *
 * @since 0.1.0
 */
import { BulkProtocol, type PromiseClient } from "@ringpool/core"
import * as Answer from "./Answer.ts"
import type * as Budget from "./Budget.ts"
import * as BulkRelay from "./BulkRelay.ts"
import type * as Capacity from "./Capacity.ts"
import * as Failure from "./Failure.ts"
import * as ProxyMetrics from "./ProxyMetrics.ts"
import * as RequestBody from "./RequestBody.ts"
import * as SingleApiAnswer from "./SingleApiAnswer.ts"
import * as SingleApiRequest from "./SingleApiRequest.ts"

/**
 * One request, as routing sees it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Exchange {
  readonly method: string
  /** The request target as sent (a byte string), e.g. `/api/2014-07-28/ring_pools/1/allocate_number.xml?...`. */
  readonly target: string
  /** The body, read up to the limit; absent when the request has none the proxy can read. */
  readonly body: (() => Promise<string | RequestBody.Refused>) | undefined
  readonly budget: Budget.Budget
  /** What the request holds of the proxy's shared capacity (released once it is answered). */
  readonly hold: Capacity.Hold
}

/**
 * An answer, and what to count of it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Routed {
  readonly route: ProxyMetrics.Route
  readonly answer: Answer.Answer
  /** The class of the failure, when the request got no number (for spans). */
  readonly errorClass?: string | undefined
}

/**
 * What routing needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Dependencies {
  readonly client: PromiseClient.PromiseRingPoolClient
  readonly metrics: ProxyMetrics.ProxyMetrics
  readonly maxUrlBytes: number
  readonly maxBodyBytes: number
  readonly closing: () => boolean
}

const absoluteForm = /^https?:\/\/[^/]*/i

const notFound = Answer.text(
  404,
  "NotFound: the proxy serves GET /api/<date>/ring_pools/<id>/allocate_number.(json|xml|csv), POST /api/<date>/bulk.json, GET /healthz and GET /metrics"
)

const singleRoute = (format: SingleApiAnswer.Format): ProxyMetrics.Route => `allocate_number.${format}`

const refuse = (route: ProxyMetrics.Route, answer: Answer.Answer, errorClass: string): Routed => ({
  route,
  answer,
  errorClass
})

const allocate = async (
  client: PromiseClient.PromiseRingPoolClient,
  request: SingleApiRequest.SingleApiRequest,
  signal: AbortSignal
): Promise<Routed> => {
  const route = singleRoute(request.format)
  const failed = (failure: Failure.Failure) =>
    refuse(route, SingleApiAnswer.failed(request.format, failure), failure.errorClass)
  if (request.key === undefined) return failed(Failure.missingKey)
  if (request.params.length === 0) return failed(Failure.missingParameters)
  try {
    const allocation = await client.allocate(
      { ringPoolId: request.ringPoolId, ringPoolKey: request.key, params: request.params },
      { signal }
    )
    return { route, answer: SingleApiAnswer.allocated(request.format, allocation) }
  } catch (error) {
    return failed(Failure.of(error))
  }
}

/** Why a body was not read, as the bulk API's whole-call error. */
const bodyRefusal = (refused: RequestBody.Refused, budget: Budget.Budget): Failure.Failure =>
  refused instanceof RequestBody.TooLarge
    ? Failure.bodyTooLarge(refused.limit)
    : refused instanceof RequestBody.Busy
      ? Failure.busy
      : refused instanceof RequestBody.TimedOut
        ? Failure.bodyTimedOut(budget.timeoutMs)
        : Failure.incompleteBody

const relay = async (dependencies: Dependencies, exchange: Exchange): Promise<Routed> => {
  const text = exchange.body === undefined ? "" : await exchange.body()
  if (typeof text !== "string") {
    const failure = bodyRefusal(text, exchange.budget)
    return refuse(
      "bulk.json",
      BulkRelay.callError(failure.status, failure.errorClass, failure.message),
      failure.errorClass
    )
  }
  const answer = await BulkRelay.relay(dependencies.client, text, exchange.budget.signal, exchange.hold)
  return { route: "bulk.json", answer }
}

/**
 * Makes the router. Its answer never rejects: every request gets exactly one answer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make =
  (dependencies: Dependencies) =>
  (exchange: Exchange): Routed | Promise<Routed> => {
    let target = exchange.target
    const absolute = absoluteForm.exec(target)
    if (absolute !== null) target = target.slice(absolute[0].length) || "/"
    // A byte string: its length is its size in bytes.
    if (target.length > dependencies.maxUrlBytes) {
      const failure = Failure.urlTooLong(dependencies.maxUrlBytes)
      return refuse(
        "other",
        Answer.text(failure.status, `${failure.errorClass}: ${failure.message}`),
        failure.errorClass
      )
    }
    const question = target.indexOf("?")
    const path = question === -1 ? target : target.slice(0, question)
    const method = exchange.method
    const readOnly = method === "GET" || method === "HEAD"
    if (path === "/healthz" && readOnly) {
      return {
        route: "healthz",
        answer: dependencies.closing() ? Answer.text(503, "closing\n") : Answer.text(200, "ok\n")
      }
    }
    if (path === "/metrics" && readOnly) {
      return {
        route: "metrics",
        answer: { status: 200, contentType: ProxyMetrics.contentType, body: dependencies.metrics.render() }
      }
    }
    const single = SingleApiRequest.read(target)
    if (single !== undefined) {
      if (method === "GET") return allocate(dependencies.client, single, exchange.budget.signal)
      const failure = Failure.methodNotAllowed("GET")
      const answer = SingleApiAnswer.failed(single.format, failure)
      return refuse(singleRoute(single.format), { ...answer, headers: { allow: "GET" } }, failure.errorClass)
    }
    if (BulkProtocol.matchBulkPath(path) !== undefined) {
      if (method === "POST") return relay(dependencies, exchange)
      const failure = Failure.methodNotAllowed("POST")
      const answer = BulkRelay.callError(failure.status, failure.errorClass, failure.message)
      return refuse("bulk.json", { ...answer, headers: { allow: "POST" } }, failure.errorClass)
    }
    return refuse("other", notFound, "NotFound")
  }
