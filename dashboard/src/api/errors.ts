// One error model for every answer that is not a success: the platform's JSON error body
// ({"error": {"code", "message", "fields", "request_id"}}), the Open Inference Protocol's
// ({"error": "..."}), or a proxy that could not reach the service.
export type ServiceName = "prediction" | "training" | "monitoring";

export interface FieldProblem {
  field: string;
  problem: string;
}

export class ApiFailure extends Error {
  readonly service: ServiceName;
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[];
  readonly retryAfterS: number | null;
  readonly requestId: string | null;

  constructor(
    service: ServiceName,
    status: number,
    code: string,
    message: string,
    extra: {
      fields?: FieldProblem[];
      retryAfterS?: number | null;
      requestId?: string | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = "ApiFailure";
    this.service = service;
    this.status = status;
    this.code = code;
    this.fields = extra.fields ?? [];
    this.retryAfterS = extra.retryAfterS ?? null;
    this.requestId = extra.requestId ?? null;
  }

  /** The service could not be reached, or a proxy answered for it. */
  get unreachable(): boolean {
    return this.status === 0 || this.code === "unreachable";
  }

  /** What a person should read: the reason, and what to do where there is something to do. */
  explain(): string {
    if (this.unreachable) return `The ${this.service} service is down or unreachable.`;
    if (this.status === 401) return `Your API key was refused: ${this.message}`;
    if (this.status === 403) {
      const scope = /needs '([a-z]+)'/.exec(this.message)?.[1];
      return scope
        ? `This needs an API key with the '${scope}' scope. ${this.message}`
        : this.message;
    }
    if (this.status === 429) {
      const wait = this.retryAfterS === null ? "a moment" : `${this.retryAfterS} s`;
      return `Too many requests: retry in ${wait}.`;
    }
    const fields = this.fields.map((f) => `${f.field}: ${f.problem}`).join("; ");
    return fields && !this.message.includes(fields) ? `${this.message} (${fields})` : this.message;
  }
}

interface PlatformErrorBody {
  error?: { code?: string; message?: string; fields?: FieldProblem[]; request_id?: string } | string;
}

/** The ApiFailure an unsuccessful response stands for. */
export async function failureFrom(service: ServiceName, response: Response): Promise<ApiFailure> {
  const retry = response.headers.get("Retry-After");
  const retryAfterS = retry !== null && /^\d+$/.test(retry) ? Number(retry) : null;
  const requestId = response.headers.get("X-Request-ID");
  let body: PlatformErrorBody | null = null;
  try {
    body = (await response.clone().json()) as PlatformErrorBody;
  } catch {
    body = null;
  }
  const error = body?.error;
  if (error && typeof error === "object") {
    return new ApiFailure(
      service,
      response.status,
      error.code ?? `http_${response.status}`,
      error.message ?? response.statusText,
      { fields: error.fields ?? [], retryAfterS, requestId: error.request_id ?? requestId },
    );
  }
  if (typeof error === "string") {
    return new ApiFailure(service, response.status, `http_${response.status}`, error, {
      retryAfterS,
      requestId,
    });
  }
  if (response.status === 502 || response.status === 503 || response.status === 504 || response.status === 500) {
    // Not the platform's answer: the proxy in front of a service that does not answer.
    return new ApiFailure(service, response.status, "unreachable", `the ${service} service does not answer`);
  }
  return new ApiFailure(service, response.status, `http_${response.status}`, response.statusText || `HTTP ${response.status}`, {
    retryAfterS,
    requestId,
  });
}
