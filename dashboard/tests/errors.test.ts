import { describe, expect, it } from "vitest";
import { ApiFailure, failureFrom } from "../src/api/errors";

function reply(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, { status, headers: { "Content-Type": "application/json", ...headers } });
}

describe("failureFrom", () => {
  it("reads the platform's error body: code, message, fields, request id", async () => {
    const failure = await failureFrom(
      "prediction",
      reply(422, {
        error: {
          code: "invalid_features",
          message: "records[0].age: expected a number",
          fields: [{ field: "records[0].age", problem: "expected a number" }],
          request_id: "r-1",
        },
      }),
    );
    expect(failure).toBeInstanceOf(ApiFailure);
    expect([failure.status, failure.code, failure.requestId]).toEqual([422, "invalid_features", "r-1"]);
    expect(failure.fields).toEqual([{ field: "records[0].age", problem: "expected a number" }]);
    expect(failure.explain()).toBe("records[0].age: expected a number");
  });

  it("names the missing scope on a 403", async () => {
    const failure = await failureFrom(
      "training",
      reply(403, { error: { code: "insufficient_scope", message: "this key has scopes ['predict']; this call needs 'admin'" } }),
    );
    expect(failure.explain()).toMatch(/^This needs an API key with the 'admin' scope\./);
  });

  it("gives the retry time of a 429 from Retry-After", async () => {
    const failure = await failureFrom(
      "prediction",
      reply(429, { error: { code: "rate_limited", message: "too many requests" } }, { "Retry-After": "7" }),
    );
    expect(failure.retryAfterS).toBe(7);
    expect(failure.explain()).toBe("Too many requests: retry in 7 s.");
  });

  it("reads the Open Inference Protocol's string errors", async () => {
    const failure = await failureFrom("prediction", reply(400, { error: "unknown output 'x'" }));
    expect([failure.status, failure.message]).toEqual([400, "unknown output 'x'"]);
  });

  it("calls a bodiless 502/504 from the proxy a service that is down", async () => {
    for (const status of [502, 504, 500]) {
      const failure = await failureFrom("monitoring", new Response("", { status }));
      expect(failure.unreachable).toBe(true);
      expect(failure.explain()).toBe("The monitoring service is down or unreachable.");
    }
  });

  it("keeps a 500 with the platform's body as the platform's error, not as down", async () => {
    const failure = await failureFrom("training", reply(500, { error: { code: "internal_error", message: "boom" } }));
    expect(failure.unreachable).toBe(false);
    expect(failure.code).toBe("internal_error");
  });
});
