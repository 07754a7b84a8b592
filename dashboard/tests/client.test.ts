import { afterEach, describe, expect, it, vi } from "vitest";
import { data, training } from "../src/api/client";
import { ApiFailure } from "../src/api/errors";
import { storeKey } from "../src/api/key";

afterEach(() => vi.unstubAllGlobals());

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("the typed clients", () => {
  it("send the session's key as a Bearer token to the service's proxy path", async () => {
    const fetch = vi.fn(async () => answer(200, { models: [] }));
    vi.stubGlobal("fetch", fetch);
    storeKey("mlaas_abcd1234_secret");
    await expect(data(training.GET("/v1/models"))).resolves.toEqual({ models: [] });
    const request = (fetch.mock.calls[0] as unknown as [Request])[0];
    expect(new URL(request.url).pathname).toBe("/api/training/v1/models");
    expect(request.headers.get("Authorization")).toBe("Bearer mlaas_abcd1234_secret");
  });

  it("throw an ApiFailure for every answer that is not a success", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer(401, { error: { code: "invalid_api_key", message: "API key revoked" } })));
    const failure = await data(training.GET("/v1/models")).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect((failure as ApiFailure).status).toBe(401);
    expect((failure as ApiFailure).explain()).toBe("Your API key was refused: API key revoked");
  });

  it("report a network failure as the service being unreachable", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const failure = (await data(training.GET("/v1/models")).catch((error: unknown) => error)) as ApiFailure;
    expect(failure.unreachable).toBe(true);
    expect(failure.service).toBe("training");
  });
});
