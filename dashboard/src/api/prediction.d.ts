// Generated from docs/openapi/prediction.json by `npm run gen`; do not edit.
export interface paths {
    "/admin/reload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reload
         * @description Re-read the registry aliases now and swap in what changed (admin).
         */
        post: operations["reload_admin_reload_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live
         * @description The process answers.
         */
        get: operations["live_health_live_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Ready
         * @description Ready once every champion is loaded (503 before).
         */
        get: operations["ready_health_ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/invocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Invocations
         * @description Score a model with MLflow's input formats: the one named by `X-Model-Name`, else the
         *     default (MLAAS_SERVING_DEFAULT_MODEL, or the only model served).
         */
        post: operations["invocations_invocations_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ping": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Ping
         * @description MLflow's health check: 200 once models are loaded (the body is a newline, as MLflow's).
         */
        get: operations["ping_ping_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job
         * @description Status of an async prediction job, with its result once it succeeded.
         */
        get: operations["job_v1_jobs__job_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Me
         * @description Who the key is and what it may do (the dashboard shows pages by its scopes).
         */
        get: operations["me_v1_me_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Served Models
         * @description Every served model with the versions its aliases point at.
         */
        get: operations["served_models_v1_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model Detail
         * @description Versions (aliases, holdout metrics, lineage) and the champion's input signature.
         */
        get: operations["model_detail_v1_models__name__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/importance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Importance
         * @description Global feature importance of the champion (sums to 1).
         */
        get: operations["importance_v1_models__name__importance_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/invocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Model Invocations
         * @description Score a named model with MLflow's input formats.
         */
        post: operations["model_invocations_v1_models__name__invocations_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict
         * @description Predict one record or a few (features inline or entity ids from the feature store).
         */
        post: operations["predict_v1_models__name__predict_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/predict/async": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict Async
         * @description Queue up to 10,000 records; answers 202 with the job id (validated before queueing).
         */
        post: operations["predict_async_v1_models__name__predict_async_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/predict/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict Batch
         * @description Predict up to 10,000 records in one call (no cache; scored as one matrix).
         */
        post: operations["predict_batch_v1_models__name__predict_batch_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/routing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Update Routing
         * @description Split traffic between champion and challenger, and/or shadow the challenger (admin).
         */
        put: operations["update_routing_v1_models__name__routing_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/score-file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Score File
         * @description Score a file in the object store; the worker writes `<name>.scored.parquet` beside it.
         */
        post: operations["score_file_v1_models__name__score_file_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Summary
         * @description Request rate, error rates and p50/p99 latency over the last minute.
         */
        get: operations["summary_v1_summary_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Server Metadata
         * @description Server metadata.
         */
        get: operations["server_metadata_v2_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * V2 Live
         * @description Liveness.
         */
        get: operations["v2_live_v2_health_live_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * V2 Ready
         * @description Readiness: every champion loaded.
         */
        get: operations["v2_ready_v2_health_ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * V2 Model Metadata
         * @description Model metadata: inputs (one tensor per feature) and outputs.
         */
        get: operations["v2_model_metadata_v2_models__name__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * V2 Infer
         * @description Inference with v2 tensors (JSON, or Triton's binary tensor extension); the request id
         *     is echoed.
         */
        post: operations["v2_infer_v2_models__name__infer_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * V2 Model Ready
         * @description Whether that model (version) is loaded.
         */
        get: operations["v2_model_ready_v2_models__name__ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * V2 Model Metadata
         * @description Model metadata: inputs (one tensor per feature) and outputs.
         */
        get: operations["v2_model_metadata_v2_models__name__versions__version__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/versions/{version}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * V2 Infer
         * @description Inference with v2 tensors (JSON, or Triton's binary tensor extension); the request id
         *     is echoed.
         */
        post: operations["v2_infer_v2_models__name__versions__version__infer_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/versions/{version}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * V2 Model Ready
         * @description Whether that model (version) is loaded.
         */
        get: operations["v2_model_ready_v2_models__name__versions__version__ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/version": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Version
         * @description The server version, as plain text (as MLflow answers its own).
         */
        get: operations["version_version_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * Caller
         * @description The key a request was made with: the dashboard shows pages and actions by its scopes.
         */
        Caller: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Name */
            name: string;
            /** Prefix */
            prefix: string;
            /** Scopes */
            scopes: string[];
        };
        /**
         * ErrorBody
         * @description Every error of the native routes.
         */
        ErrorBody: {
            error: components["schemas"]["ErrorDetail"];
        };
        /** ErrorDetail */
        ErrorDetail: {
            /**
             * Code
             * @description Machine code, e.g. invalid_features, model_not_found
             */
            code: string;
            /**
             * Fields
             * @description Each field at fault
             * @default null
             */
            fields: components["schemas"]["FieldProblemBody"][] | null;
            /**
             * Message
             * @description What is wrong, for people
             */
            message: string;
        };
        /** FeatureSignature */
        FeatureSignature: {
            /** Accepts */
            accepts: string;
            /**
             * Categories
             * @description A category feature's training categories (any other is unseen: it sets none of the feature's one-hot columns)
             */
            categories?: string[] | null;
            /** Name */
            name: string;
            /** Type */
            type: string;
            /** @description How a null reaches the model (absent for a model on the generic path) */
            when_null?: components["schemas"]["WhenNull"] | null;
        };
        /** FieldProblemBody */
        FieldProblemBody: {
            /**
             * Field
             * @description Where: a body path (records[3].age), a query parameter
             */
            field: string;
            /** Problem */
            problem: string;
        };
        /** Importance */
        Importance: {
            /**
             * Importance
             * @description Share of each feature (sums to 1)
             */
            importance: {
                [key: string]: number;
            };
            /** Model */
            model: string;
            /** Version */
            version: string;
        };
        /** JobQueued */
        JobQueued: {
            /** Job Id */
            job_id: string;
            /**
             * Status
             * @constant
             */
            status: "queued";
        };
        /** JobStatus */
        JobStatus: {
            /** Error */
            error?: string | null;
            /** Id */
            id: string;
            /** Kind */
            kind: string;
            /** Model */
            model: string;
            /** Request Id */
            request_id: string;
            /** Result */
            result?: {
                [key: string]: unknown;
            } | null;
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "running" | "succeeded" | "failed";
            /** Submitted At */
            submitted_at: string;
        };
        /**
         * MlflowErrorBody
         * @description Errors of MLflow's scoring protocol (/invocations): its code and message, plus ours.
         */
        MlflowErrorBody: {
            /** Error */
            error: string;
            /** Error Code */
            error_code: string;
            /** Message */
            message: string;
        };
        /** MlflowPredictions */
        MlflowPredictions: {
            /** Predictions */
            predictions: unknown[];
        };
        /** ModelDetail */
        ModelDetail: {
            /** Name */
            name: string;
            routing: components["schemas"]["Routing"];
            /** Served */
            served: {
                [key: string]: string;
            };
            signature: components["schemas"]["Signature"];
            /** Task */
            task: string;
            /** Versions */
            versions: components["schemas"]["VersionSummary"][];
        };
        /**
         * OipErrorBody
         * @description Errors of the Open Inference Protocol routes (/v2), as the protocol defines them.
         */
        OipErrorBody: {
            /** Error */
            error: string;
        };
        /**
         * PredictRequest
         * @description Feature values (one record or a list) or entity ids looked up in the feature store.
         * @example {
         *       "explain": true,
         *       "features": {
         *         "age": 42,
         *         "balance": 1200.5,
         *         "country": "Germany",
         *         "credit_score": 640,
         *         "estimated_salary": 52000,
         *         "gender": "Female",
         *         "has_credit_card": true,
         *         "is_active_member": false,
         *         "num_products": 2,
         *         "support_calls": 1,
         *         "tenure_months": 18
         *       }
         *     }
         * @example {
         *       "entity_ids": [
         *         1001,
         *         1002
         *       ]
         *     }
         */
        PredictRequest: {
            /** Entity Ids */
            entity_ids?: (number | string)[] | null;
            /**
             * Explain
             * @default false
             */
            explain: boolean;
            /**
             * Explain Class
             * @description Explain this class instead of the default (binary: the positive class; multi-class: the predicted one); implies `explain`
             */
            explain_class?: number | string | boolean | null;
            /** Features */
            features?: {
                [key: string]: unknown;
            } | {
                [key: string]: unknown;
            }[] | null;
            /**
             * Routing Key
             * @description Same key, same variant (A/B stickiness)
             */
            routing_key?: string | null;
        };
        /** PredictResponse */
        PredictResponse: {
            /** Cached */
            cached: boolean;
            /** Model */
            model: string;
            /** Predictions */
            predictions: components["schemas"]["PredictionItem"][];
            /** Request Id */
            request_id: string;
            /** Variant */
            variant: string;
            /** Version */
            version: string;
        };
        /** PredictionItem */
        PredictionItem: {
            /**
             * Explained Class
             * @description Classifiers: the class the explanation explains (binary: the positive class; multi-class: the predicted one)
             */
            explained_class?: number | string | null;
            /**
             * Explanation
             * @description With `explain: true`: each feature's contribution and `_base`; they add up to the explained output (log-odds of `explained_class` for most classifiers)
             */
            explanation?: {
                [key: string]: number;
            } | null;
            /**
             * Imputed
             * @description Only when the record had nulls: the value that replaced each imputed null (a feature the model takes as missing natively, or as a category of its own, is in `missing` only)
             */
            imputed?: {
                [key: string]: number | string;
            } | null;
            /**
             * Missing
             * @description Only when the record had nulls: the features it sent as null (how each reaches the model: `when_null` in `GET /v1/models/{name}`)
             */
            missing?: string[] | null;
            /** Output */
            output: number | string;
            /**
             * Probabilities
             * @description Classifiers: the probability of every class, by class label
             */
            probabilities?: {
                [key: string]: number;
            } | null;
        };
        /** Reloaded */
        Reloaded: {
            /** Changes */
            changes: string[];
            /** Served */
            served: {
                [key: string]: {
                    [key: string]: string;
                };
            };
        };
        /**
         * RequestSummary
         * @description The service's traffic over the last `window_s` seconds (probes not counted).
         */
        RequestSummary: {
            /**
             * Client Error Rate
             * @description Share of requests answered 4xx
             */
            client_error_rate: number;
            /**
             * P50 Ms
             * @description Median latency; null with no requests
             */
            p50_ms: number | null;
            /** P99 Ms */
            p99_ms: number | null;
            /**
             * Rate Per S
             * @description Requests per second over the window
             */
            rate_per_s: number;
            /** Requests */
            requests: number;
            /**
             * Server Error Rate
             * @description Share of requests answered 5xx
             */
            server_error_rate: number;
            /** Service */
            service: string;
            /** Uptime S */
            uptime_s: number;
            /** Window S */
            window_s: number;
        };
        /** Routing */
        Routing: {
            /** Challenger Weight */
            challenger_weight: number;
            /** Model */
            model: string;
            /** Shadow */
            shadow: boolean;
            /** Updated At */
            updated_at: string | null;
            /** Updated By */
            updated_by: string | null;
        };
        /** RoutingRequest */
        RoutingRequest: {
            /** Challenger Weight */
            challenger_weight: number;
            /**
             * Reason
             * @default
             */
            reason: string;
            /**
             * Shadow
             * @default false
             */
            shadow: boolean;
        };
        /** ScoreFileRequest */
        ScoreFileRequest: {
            /** Key */
            key: string;
        };
        /** ServedModel */
        ServedModel: {
            /**
             * Aliases
             * @description alias -> version served under it
             */
            aliases: {
                [key: string]: string;
            };
            /** Name */
            name: string;
        };
        /** ServedModels */
        ServedModels: {
            /** Models */
            models: components["schemas"]["ServedModel"][];
        };
        /** Signature */
        Signature: {
            /** Inputs */
            inputs: components["schemas"]["FeatureSignature"][];
            outputs: components["schemas"]["SignatureOutputs"];
        };
        /** SignatureOutputs */
        SignatureOutputs: {
            /** Classes */
            classes: string[];
            /**
             * Decision Threshold
             * @description Binary classifiers: the probability of the positive class at or above which the answer is the positive class (fixed by the spec or tuned in training)
             */
            decision_threshold?: number | null;
            /**
             * Positive Class
             * @description Binary classifiers: the class `decision_threshold` is about
             */
            positive_class?: string | null;
            /** Target */
            target: string;
            /** Task */
            task: string;
        };
        /** V2InferResponse */
        V2InferResponse: {
            /** Id */
            id: string;
            /** Model Name */
            model_name: string;
            /** Model Version */
            model_version: string;
            /** Outputs */
            outputs: components["schemas"]["V2OutputTensor"][];
        };
        /** V2ModelMetadata */
        V2ModelMetadata: {
            /** Inputs */
            inputs: components["schemas"]["V2Tensor"][];
            /** Name */
            name: string;
            /** Outputs */
            outputs: components["schemas"]["V2Tensor"][];
            /** Platform */
            platform: string;
            /** Versions */
            versions: string[];
        };
        /** V2ModelReady */
        V2ModelReady: {
            /** Name */
            name: string;
            /** Ready */
            ready: boolean;
        };
        /** V2OutputTensor */
        V2OutputTensor: {
            /** Data */
            data: unknown[];
            /** Datatype */
            datatype: string;
            /** Name */
            name: string;
            /**
             * Parameters
             * @description `predict_proba`: `classes`, the class of each column, in order
             */
            parameters?: {
                [key: string]: unknown;
            } | null;
            /** Shape */
            shape: number[];
        };
        /** V2Ready */
        V2Ready: {
            /** Ready */
            ready: boolean;
        };
        /** V2ServerMetadata */
        V2ServerMetadata: {
            /** Extensions */
            extensions: string[];
            /** Name */
            name: string;
            /** Version */
            version: string;
        };
        /** V2Tensor */
        V2Tensor: {
            /** Datatype */
            datatype: string;
            /** Name */
            name: string;
            /**
             * Parameters
             * @description `predict_proba`: `classes`, the class of each column, in order
             */
            parameters?: {
                [key: string]: unknown;
            } | null;
            /** Shape */
            shape: number[];
        };
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
        /** VersionSummary */
        VersionSummary: {
            /** Aliases */
            aliases: string[];
            /** Lineage */
            lineage: {
                [key: string]: string;
            };
            /**
             * Metrics
             * @description Holdout metrics
             */
            metrics: {
                [key: string]: number;
            };
            /** Version */
            version: string;
        };
        /** WhenNull */
        WhenNull: {
            /**
             * Strategy
             * @description How a null reaches the model: `median`, `mean` or `most_frequent` (the training statistic replaces it), `native` (the model takes it as missing) or `category` (missing is a category of its own)
             */
            strategy: string;
            /**
             * Value
             * @description The value that replaces a null
             */
            value?: number | string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    reload_admin_reload_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reloaded"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    live_health_live_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    ready_health_ready_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    invocations_invocations_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description The model to score when several are served (default: the default model) */
                "X-Model-Name"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    dataframe_records?: Record<string, never>[];
                    dataframe_split?: {
                        columns: string[];
                        data: unknown[][];
                    };
                    inputs?: Record<string, never> | unknown[];
                    instances?: unknown[];
                };
                "text/csv": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowPredictions"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
        };
    };
    ping_ping_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Models are still loading */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": unknown;
                };
            };
        };
    };
    job_v1_jobs__job_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    me_v1_me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Caller"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    served_models_v1_models_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServedModels"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    model_detail_v1_models__name__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelDetail"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    importance_v1_models__name__importance_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Importance"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    model_invocations_v1_models__name__invocations_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    dataframe_records?: Record<string, never>[];
                    dataframe_split?: {
                        columns: string[];
                        data: unknown[][];
                    };
                    inputs?: Record<string, never> | unknown[];
                    instances?: unknown[];
                };
                "text/csv": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowPredictions"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MlflowErrorBody"];
                };
            };
        };
    };
    predict_v1_models__name__predict_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PredictRequest"];
            };
        };
        responses: {
            /** @description Predictions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PredictResponse"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    predict_async_v1_models__name__predict_async_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PredictRequest"];
            };
        };
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobQueued"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    predict_batch_v1_models__name__predict_batch_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PredictRequest"];
            };
        };
        responses: {
            /** @description Predictions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PredictResponse"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    update_routing_v1_models__name__routing_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RoutingRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Routing"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    score_file_v1_models__name__score_file_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ScoreFileRequest"];
            };
        };
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobQueued"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    summary_v1_summary_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestSummary"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    server_metadata_v2_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2ServerMetadata"];
                };
            };
        };
    };
    v2_live_v2_health_live_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: boolean;
                    };
                };
            };
        };
    };
    v2_ready_v2_health_ready_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2Ready"];
                };
            };
            /** @description Not every champion is loaded yet */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2Ready"];
                };
            };
        };
    };
    v2_model_metadata_v2_models__name__get: {
        parameters: {
            query?: {
                version?: string | null;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2ModelMetadata"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
        };
    };
    v2_infer_v2_models__name__infer_post: {
        parameters: {
            query?: {
                version?: string | null;
            };
            header?: {
                /** @description Triton's binary tensor extension: the body is this many bytes of JSON request, then the raw data of each input whose parameters give a binary_data_size */
                "Inference-Header-Content-Length"?: number;
            };
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    id?: string;
                    inputs: {
                        data: unknown[];
                        /** @enum {string} */
                        datatype: "BOOL" | "INT8" | "INT16" | "INT32" | "INT64" | "UINT8" | "UINT16" | "UINT32" | "UINT64" | "FP16" | "FP32" | "FP64" | "BYTES";
                        name: string;
                        shape: number[];
                    }[];
                    outputs?: {
                        name: string;
                    }[];
                    parameters?: Record<string, never>;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2InferResponse"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
        };
    };
    v2_model_ready_v2_models__name__ready_get: {
        parameters: {
            query?: {
                version?: string | null;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2ModelReady"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
        };
    };
    v2_model_metadata_v2_models__name__versions__version__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: string | null;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2ModelMetadata"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
        };
    };
    v2_infer_v2_models__name__versions__version__infer_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description Triton's binary tensor extension: the body is this many bytes of JSON request, then the raw data of each input whose parameters give a binary_data_size */
                "Inference-Header-Content-Length"?: number;
            };
            path: {
                name: string;
                version: string | null;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    id?: string;
                    inputs: {
                        data: unknown[];
                        /** @enum {string} */
                        datatype: "BOOL" | "INT8" | "INT16" | "INT32" | "INT64" | "UINT8" | "UINT16" | "UINT32" | "UINT64" | "FP16" | "FP32" | "FP64" | "BYTES";
                        name: string;
                        shape: number[];
                    }[];
                    outputs?: {
                        name: string;
                    }[];
                    parameters?: Record<string, never>;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2InferResponse"];
                };
            };
            /** @description Malformed request (not JSON, or not the protocol's shape) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
        };
    };
    v2_model_ready_v2_models__name__versions__version__ready_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: string | null;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["V2ModelReady"];
                };
            };
            /** @description No API key, or an unknown or revoked one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The API key lacks the scope this route needs */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description What the path names does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description The request is well-formed but invalid; `fields` names each problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Over the key's rate limit (retry after `Retry-After` seconds) or quota */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
            /** @description Not ready, or a server it depends on is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OipErrorBody"];
                };
            };
        };
    };
    version_version_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
}
