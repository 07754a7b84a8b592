// Generated from docs/openapi/training.json by `npm run gen`; do not edit.
export interface paths {
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
         * @description Ready when the platform DB answers (503 otherwise).
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
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Audit
         * @description Who did what, when and why: alias moves, registrations, jobs, keys (newest first).
         */
        get: operations["audit_v1_audit_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Keys
         * @description Every key, oldest first, revoked ones included.
         */
        get: operations["keys_v1_keys_get"];
        put?: never;
        /**
         * Create
         * @description A new key with these scopes; the answer holds the key itself, once.
         */
        post: operations["create_v1_keys_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{prefix}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke
         * @description Revoke a key: this service refuses it at once, the others within MLAAS_KEY_CACHE_S.
         */
        post: operations["revoke_v1_keys__prefix__revoke_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{prefix}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate
         * @description A new key with the same name, scopes, models and lifetime, and the old one revoked (this
         *     service at once, the others within MLAAS_KEY_CACHE_S); the answer holds the new key, once.
         */
        post: operations["rotate_v1_keys__prefix__rotate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/lineage/datasets/{content_hash}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Dataset Graph
         * @description Which versions used the dataset (a content hash or its first 6+ characters), with its
         *     validations, feature view, runs, alias moves and predictions, as nodes and edges.
         */
        get: operations["dataset_graph_v1_lineage_datasets__content_hash__get"];
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
         * Models
         * @description Registered models with their aliases and latest version.
         */
        get: operations["models_v1_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/aliases/{alias}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move Alias
         * @description Point an alias at a version (promote or roll back) with a reason; audited (admin).
         */
        post: operations["move_alias_v1_models__name__aliases__alias__post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Compare
         * @description Metrics side by side, the gate's paired significance test on the same holdout, plots.
         */
        get: operations["compare_v1_models__name__compare_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Versions
         * @description Every version: holdout metrics, aliases, lineage tags, the names of its plots.
         */
        get: operations["versions_v1_models__name__versions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/versions/{version}/card": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Card
         * @description The version's model card: intended use and owner, data lineage, holdout metrics with
         *     bootstrap intervals, per-slice metrics, fairness, the gate decision, importance and
         *     limitations (made at registration; made now for an older version).
         */
        get: operations["card_v1_models__name__versions__version__card_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/versions/{version}/lineage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Version Graph
         * @description What data trained the version (its dataset, source parts and validations), the feature
         *     view and run, its alias moves and the predictions it served, as nodes and edges.
         */
        get: operations["version_graph_v1_models__name__versions__version__lineage_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/versions/{version}/plots/{plot}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Plot
         * @description One holdout plot logged with the version (the names `versions` lists under `plots`).
         */
        get: operations["plot_v1_models__name__versions__version__plots__plot__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pipelines/{spec}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Runs
         * @description The DAG's latest runs with the state of each task; for a run that failed validation,
         *     the failing expectations and columns.
         */
        get: operations["runs_v1_pipelines__spec__runs_get"];
        put?: never;
        /**
         * Trigger
         * @description Unpause the spec's DAG and start a run with this conf (503 when Airflow is down).
         */
        post: operations["trigger_v1_pipelines__spec__runs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/specs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Specs
         * @description Every spec in the specs folder (`MLAAS_SPECS_DIR`), by name.
         */
        get: operations["specs_v1_specs_get"];
        put?: never;
        post?: never;
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
    "/v1/training-jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Jobs
         * @description Newest first; pass `next_cursor` back as `cursor` for the next page (or use offset).
         */
        get: operations["list_jobs_v1_training_jobs_get"];
        put?: never;
        /**
         * Submit
         * @description Queue a training job (201), or return the job an idempotency key already made (200).
         */
        post: operations["submit_v1_training_jobs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/training-jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Job
         * @description State, progress (trials done of total, best value so far, elapsed), outcome or error.
         */
        get: operations["get_job_v1_training_jobs__job_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/training-jobs/{job_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel
         * @description Queued: cancelled now. Running: stops after the current trial (finished trials kept).
         */
        post: operations["cancel_v1_training_jobs__job_id__cancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/training-jobs/{job_id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Events
         * @description Server-Sent Events: a `progress` event whenever the job changes, `end` when it ends.
         */
        get: operations["events_v1_training_jobs__job_id__events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/training-jobs/{job_id}/trials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Trials
         * @description Every Optuna trial of the job's study: number, state, params, value(s), duration.
         */
        get: operations["trials_v1_training_jobs__job_id__trials_get"];
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
        /** AliasMoved */
        AliasMoved: {
            /** Alias */
            alias: string;
            /** Model */
            model: string;
            /** Reason */
            reason: string;
            /** Version */
            version: string;
        };
        /**
         * AliasRequest
         * @example {
         *       "reason": "rollback: v4 drifts",
         *       "version": "3"
         *     }
         */
        AliasRequest: {
            /**
             * Reason
             * @description Recorded in the audit log
             */
            reason: string;
            /** Version */
            version: string;
        };
        /** AuditEntry */
        AuditEntry: {
            /** Action */
            action: string;
            /** Actor */
            actor: string;
            /** Alias */
            alias: string | null;
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Details */
            details: {
                [key: string]: unknown;
            };
            /** Id */
            id: string;
            /** Model */
            model: string | null;
            /** Reason */
            reason: string;
            /** Version */
            version: string | null;
        };
        /** AuditPage */
        AuditPage: {
            /** Entries */
            entries: components["schemas"]["AuditEntry"][];
        };
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
        /** Comparison */
        Comparison: {
            /** A */
            a: string;
            /** B */
            b: string;
            /** Metrics */
            metrics: components["schemas"]["MetricRow"][];
            /** Model */
            model: string;
            /**
             * Plots
             * @description version -> plot name -> artifact URI
             */
            plots: {
                [key: string]: {
                    [key: string]: string;
                };
            };
            /** @description The gate's paired test on b's holdout */
            test: components["schemas"]["GateDecision"];
            /** Tracking Uri */
            tracking_uri: string;
        };
        /** CreatedKey */
        CreatedKey: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at?: string | null;
            /**
             * Key
             * @description The key itself: shown in this answer only, store it now
             */
            key: string;
            /**
             * Models
             * @description The models the key may reach; null: all
             */
            models?: string[] | null;
            /** Name */
            name: string;
            /** Prefix */
            prefix: string;
            /** Revoked At */
            revoked_at: string | null;
            /** Scopes */
            scopes: string[];
        };
        /** DatasetView */
        DatasetView: {
            /** Rows */
            rows: number;
            /** Source */
            source: string;
            /**
             * Status
             * @description ingested | validated | quarantined
             */
            status: string;
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
        /** GateDecision */
        GateDecision: {
            /** Challenger Metric */
            challenger_metric?: number | null;
            /** Champion Metric */
            champion_metric?: number | null;
            /** Champion Version */
            champion_version?: string | null;
            /** Evaluation */
            evaluation?: string | null;
            /** P Value */
            p_value?: number | null;
            /** Passed */
            passed: boolean;
            /** Reason */
            reason: string;
            /** Rows */
            rows?: number | null;
        };
        /**
         * JobOverrides
         * @description Per-job changes to the spec; everything left out comes from the spec.
         * @example {
         *       "families": [
         *         "lightgbm"
         *       ],
         *       "timeout_seconds": 300,
         *       "trials": 10
         *     }
         * @example {
         *       "dataset_path": "data/churn-2024-06.parquet",
         *       "retrain_mode": "spec"
         *     }
         */
        JobOverrides: {
            /**
             * Dataset Path
             * @description A .csv/.parquet file (local path or s3:// URI) to train on
             */
            dataset_path?: string | null;
            /**
             * Dataset Version
             * @description Content hash (or a prefix of 8+) of an ingested dataset
             */
            dataset_version?: string | null;
            /**
             * Families
             * @description Search only these of the spec's model families
             */
            families?: string[] | null;
            /**
             * Parallelism
             * @description Workers searching the study together
             * @default 1
             */
            parallelism: number;
            /**
             * Retrain Mode
             * @description Retrain with this mode ('spec': the spec's retrain.mode); none: full
             */
            retrain_mode?: ("full" | "window" | "replay_mix" | "incremental" | "recalibration" | "stacking") | "spec" | null;
            /** Timeout Seconds */
            timeout_seconds?: number | null;
            /** Trials */
            trials?: number | null;
        };
        /** JobPage */
        JobPage: {
            /** Jobs */
            jobs: components["schemas"]["JobView"][];
            /** Next Cursor */
            next_cursor: string | null;
        };
        /** JobView */
        JobView: {
            /** Actor */
            actor: string;
            /** Attempts */
            attempts: number;
            /** Cancel Requested */
            cancel_requested: boolean;
            /** Celery Task Id */
            celery_task_id: string | null;
            /** Champion */
            champion: boolean | null;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Error */
            error: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Id */
            id: string;
            /** Idempotency Key */
            idempotency_key: string | null;
            /** Mlflow Parent Run Id */
            mlflow_parent_run_id: string | null;
            /** Mlflow Run Id */
            mlflow_run_id: string | null;
            /** Overrides */
            overrides: {
                [key: string]: unknown;
            };
            /** Parallelism */
            parallelism: number;
            progress: components["schemas"]["Progress"];
            /** Registered Version */
            registered_version: string | null;
            /** Retrain Mode */
            retrain_mode: string | null;
            /** Spec */
            spec: string;
            /** Started At */
            started_at: string | null;
            /** State */
            state: string;
            /** Study Name */
            study_name: string | null;
            /** Worker Hostname */
            worker_hostname: string | null;
        };
        /** KeyPage */
        KeyPage: {
            /** Keys */
            keys: components["schemas"]["KeyView"][];
        };
        /**
         * KeyView
         * @description A key as stored: never its secret.
         */
        KeyView: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at?: string | null;
            /**
             * Models
             * @description The models the key may reach; null: all
             */
            models?: string[] | null;
            /** Name */
            name: string;
            /** Prefix */
            prefix: string;
            /** Revoked At */
            revoked_at: string | null;
            /** Scopes */
            scopes: string[];
        };
        /** LineageEdge */
        LineageEdge: {
            /** From */
            from: string;
            /**
             * Relation
             * @enum {string}
             */
            relation: "made_from" | "validated_by" | "published_as" | "trained" | "registered_as" | "aliased" | "served";
            /** To */
            to: string;
        };
        /** LineageGraph */
        LineageGraph: {
            /**
             * Edges
             * @description From upstream to downstream
             */
            edges: components["schemas"]["LineageEdge"][];
            /** Nodes */
            nodes: components["schemas"]["LineageNode"][];
            /**
             * Root
             * @description The node asked about
             */
            root: string;
        };
        /** LineageNode */
        LineageNode: {
            /**
             * Id
             * @description `<kind>:<key>`, unique in the graph
             */
            id: string;
            /**
             * Kind
             * @enum {string}
             */
            kind: "dataset" | "source" | "validation" | "feature_view" | "training_run" | "model_version" | "alias" | "predictions";
        } & {
            [key: string]: unknown;
        };
        /**
         * MetricRow
         * @description One holdout metric; the two versions' values are keyed by their version numbers.
         */
        MetricRow: {
            /** Metric */
            metric: string;
        } & {
            [key: string]: unknown;
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
        /** ModelList */
        ModelList: {
            /** Models */
            models: components["schemas"]["ModelSummary"][];
        };
        /** ModelSummary */
        ModelSummary: {
            /**
             * Aliases
             * @description alias -> version
             */
            aliases: {
                [key: string]: number;
            };
            /**
             * Latest
             * @description The newest version number
             */
            latest: number | null;
            /** Name */
            name: string;
            /** Versions */
            versions: number;
        };
        /**
         * NewKey
         * @example {
         *       "name": "ci scoring",
         *       "scopes": [
         *         "predict"
         *       ]
         *     }
         */
        NewKey: {
            /**
             * Expires In Days
             * @description The key stops working after this many days
             */
            expires_in_days?: number | null;
            /**
             * Models
             * @description Limit the key to these models (default: every model)
             */
            models?: string[] | null;
            /**
             * Name
             * @description Who or what uses the key
             */
            name: string;
            /**
             * Scopes
             * @description `admin` implies every other scope
             */
            scopes: ("predict" | "train" | "monitor" | "admin")[];
        };
        /**
         * OipErrorBody
         * @description Errors of the Open Inference Protocol routes (/v2), as the protocol defines them.
         */
        OipErrorBody: {
            /** Error */
            error: string;
        };
        /** PipelineRun */
        PipelineRun: {
            /** Conf */
            conf?: {
                [key: string]: unknown;
            } | null;
            /**
             * Dag Id
             * @description mlaas_pipeline_<spec> (runs people start) or mlaas_retrain_<spec> (automatic retrains: monitoring, inbox)
             * @default
             */
            dag_id: string;
            /** Dag Run Id */
            dag_run_id: string;
            /** End Date */
            end_date?: string | null;
            /**
             * Failed Tasks
             * @description Tasks that failed, in order
             * @default []
             */
            failed_tasks: string[];
            /** Run Type */
            run_type?: string | null;
            /** Start Date */
            start_date?: string | null;
            /** State */
            state: string | null;
            /**
             * Tasks
             * @default []
             */
            tasks: components["schemas"]["TaskState"][];
            /** @description For a run that failed validation: the failing expectations */
            validation?: components["schemas"]["ValidationFailure"] | null;
        };
        /**
         * PipelineRunRequest
         * @description Run conf passed to the spec's Airflow DAG.
         * @example {
         *       "dataset_path": "data/churn.parquet",
         *       "mode": "full"
         *     }
         */
        PipelineRunRequest: {
            /** Dataset Path */
            dataset_path?: string | null;
            /** Mode */
            mode?: ("full" | "window" | "replay_mix" | "incremental" | "recalibration" | "stacking") | null;
            /**
             * Trigger
             * @default api
             */
            trigger: string;
        };
        /** PipelineRuns */
        PipelineRuns: {
            /** Runs */
            runs: components["schemas"]["PipelineRun"][];
            /** Spec */
            spec: string;
        };
        /** Progress */
        Progress: {
            /** Best Value */
            best_value: number | null;
            /** Elapsed S */
            elapsed_s: number | null;
            /** Stage */
            stage: string;
            /** Trials Done */
            trials_done: number;
            /** Trials Running */
            trials_running: number;
            /** Trials Total */
            trials_total: number;
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
        /** SpecList */
        SpecList: {
            /** Specs */
            specs: components["schemas"]["SpecSummary"][];
        };
        /** SpecSummary */
        SpecSummary: {
            /** Description */
            description: string;
            /**
             * Families
             * @description The model families its search may try
             */
            families: string[];
            /** Features */
            features: string[];
            /** Name */
            name: string;
            /** Owner */
            owner: string;
            /** Primary Metric */
            primary_metric: string;
            /** Secondary Objective */
            secondary_objective: string | null;
            /**
             * Source
             * @description The dataset a run reads unless told otherwise
             */
            source: string;
            /** Target */
            target: string;
            /** Task */
            task: string;
            /** Timeout Seconds */
            timeout_seconds: number;
            /** Trials */
            trials: number;
        };
        /**
         * SubmitJob
         * @description A spec name and optional overrides; an idempotency key makes retries safe.
         * @example {
         *       "spec": "churn"
         *     }
         * @example {
         *       "idempotency_key": "nightly-2024-06-01",
         *       "overrides": {
         *         "families": [
         *           "lightgbm"
         *         ],
         *         "parallelism": 2,
         *         "trials": 10
         *       },
         *       "spec": "churn"
         *     }
         */
        SubmitJob: {
            /**
             * Idempotency Key
             * @description Or send an Idempotency-Key header
             */
            idempotency_key?: string | null;
            /**
             * @default {
             *       "parallelism": 1
             *     }
             */
            overrides: components["schemas"]["JobOverrides"];
            /**
             * Spec
             * @description A spec name
             */
            spec: string;
        };
        /** TaskState */
        TaskState: {
            /** End Date */
            end_date: string | null;
            /** Start Date */
            start_date: string | null;
            /** State */
            state: string | null;
            /** Task Id */
            task_id: string | null;
            /** Try Number */
            try_number: number | null;
        };
        /** TrialList */
        TrialList: {
            /** Job Id */
            job_id: string;
            /** Study Name */
            study_name: string | null;
            /** Trials */
            trials: components["schemas"]["TrialView"][];
        };
        /** TrialView */
        TrialView: {
            /** Duration S */
            duration_s: number | null;
            /** Family */
            family: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Last Step */
            last_step: number | null;
            /** Mlflow Run Id */
            mlflow_run_id: string | null;
            /** Number */
            number: number;
            /** Params */
            params: {
                [key: string]: unknown;
            };
            /** Pareto Optimal */
            pareto_optimal: boolean;
            /** Started At */
            started_at: string | null;
            /** State */
            state: string;
            /** Surplus */
            surplus: boolean;
            /** Value */
            value: number | null;
            /**
             * Values
             * @description Every objective (multi-objective studies)
             */
            values: number[] | null;
            /** Worker */
            worker: string | null;
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
        /**
         * ValidationFailure
         * @description Why a run stopped at `validate`: the platform's record of the failing expectations.
         */
        ValidationFailure: {
            /** Content Hash */
            content_hash: string;
            /** Failures */
            failures: {
                [key: string]: unknown;
            }[];
            /** Statistics */
            statistics: {
                [key: string]: unknown;
            };
            /** Suite */
            suite: string;
        };
        /** VersionList */
        VersionList: {
            /** Model */
            model: string;
            /** Versions */
            versions: components["schemas"]["VersionView"][];
        };
        /** VersionView */
        VersionView: {
            /** Aliases */
            aliases: string[];
            /**
             * Created At
             * @description Milliseconds since 1970 (as MLflow stores it)
             */
            created_at: number;
            /** @description The training data as ingest recorded it (null: not in this database) */
            dataset?: components["schemas"]["DatasetView"] | null;
            /**
             * Lineage
             * @description data_hash, validation, spec_hash, git_revision, trigger, retrain_mode, gate…
             */
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
            /**
             * Plots
             * @description Names for GET …/versions/{version}/plots/{plot}
             */
            plots: string[];
            /** Run Id */
            run_id: string;
            /** Version */
            version: string;
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
    audit_v1_audit_get: {
        parameters: {
            query?: {
                model?: string | null;
                action?: string | null;
                actor?: string | null;
                since?: string | null;
                limit?: number;
            };
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
                    "application/json": components["schemas"]["AuditPage"];
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
    keys_v1_keys_get: {
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
                    "application/json": components["schemas"]["KeyPage"];
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
    create_v1_keys_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewKey"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedKey"];
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
    revoke_v1_keys__prefix__revoke_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The key's 8-hex prefix */
                prefix: string;
            };
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
                    "application/json": components["schemas"]["KeyView"];
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
    rotate_v1_keys__prefix__rotate_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The key's 8-hex prefix */
                prefix: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedKey"];
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
    dataset_graph_v1_lineage_datasets__content_hash__get: {
        parameters: {
            query?: {
                /** @description Only this model's datasets */
                model?: string | null;
            };
            header?: never;
            path: {
                content_hash: string;
            };
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
                    "application/json": components["schemas"]["LineageGraph"];
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
    models_v1_models_get: {
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
                    "application/json": components["schemas"]["ModelList"];
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
    move_alias_v1_models__name__aliases__alias__post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                alias: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AliasRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AliasMoved"];
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
    compare_v1_models__name__compare_get: {
        parameters: {
            query: {
                /** @description Baseline version (e.g. the champion) */
                a: string;
                /** @description Candidate version; the test runs on its holdout */
                b: string;
            };
            header?: never;
            path: {
                name: string;
            };
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
                    "application/json": components["schemas"]["Comparison"];
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
    versions_v1_models__name__versions_get: {
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
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VersionList"];
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
    card_v1_models__name__versions__version__card_get: {
        parameters: {
            query?: {
                /** @description Markdown (default) or an HTML page */
                format?: "markdown" | "html";
            };
            header?: never;
            path: {
                name: string;
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model card */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": unknown;
                    "text/markdown": unknown;
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
    version_graph_v1_models__name__versions__version__lineage_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: string;
            };
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
                    "application/json": components["schemas"]["LineageGraph"];
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
    plot_v1_models__name__versions__version__plots__plot__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: string;
                plot: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The plot */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": unknown;
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
    runs_v1_pipelines__spec__runs_get: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                spec: string;
            };
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
                    "application/json": components["schemas"]["PipelineRuns"];
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
    trigger_v1_pipelines__spec__runs_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                spec: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PipelineRunRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PipelineRun"];
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
    specs_v1_specs_get: {
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
                    "application/json": components["schemas"]["SpecList"];
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
    list_jobs_v1_training_jobs_get: {
        parameters: {
            query?: {
                spec?: string | null;
                state?: ("queued" | "running" | "succeeded" | "failed" | "cancelled") | null;
                limit?: number;
                cursor?: string | null;
                offset?: number;
            };
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
                    "application/json": components["schemas"]["JobPage"];
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
    submit_v1_training_jobs_post: {
        parameters: {
            query?: never;
            header?: {
                "idempotency-key"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubmitJob"];
            };
        };
        responses: {
            /** @description A repeated idempotency key: the first job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
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
            /** @description Conflicts with what is stored */
            409: {
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
    get_job_v1_training_jobs__job_id__get: {
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
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
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
    cancel_v1_training_jobs__job_id__cancel_post: {
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
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
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
            /** @description Conflicts with what is stored */
            409: {
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
    events_v1_training_jobs__job_id__events_get: {
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
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": unknown;
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
    trials_v1_training_jobs__job_id__trials_get: {
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
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TrialList"];
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
}
