// Generated from docs/openapi/monitoring.json by `npm run gen`; do not edit.
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
    "/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Alerts
         * @description Firing and resolved events, newest first (a rule fires once until it resolves); a key
         *     limited to models sees only theirs.
         */
        get: operations["alerts_v1_alerts_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/outbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Alert Outbox
         * @description Every alert delivery (event x webhook) and where it stands: pending (retried with
         *     exponential back-off), delivered, refused (the receiver answered a final 4xx) or expired;
         *     attempts, the next attempt's time and the last status or error. Oldest first; a key
         *     limited to models sees only theirs.
         */
        get: operations["alert_outbox_v1_alerts_outbox_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/feedback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Post Feedback
         * @description Store ground truth for request ids (single or bulk); one status per item.
         *
         *     `accepted`: stored. `duplicate`: the id already has feedback (the first wins; send
         *     `overwrite: true` to replace it) or appears earlier in this request. `updated`: replaced
         *     (overwrite). `unknown`: no prediction is logged under the id: not stored, send it again
         *     later if the prediction was only just made. Batch predictions are logged per record as
         *     `<request id>:<index>`. A label the model cannot know (an unknown class, a non-finite
         *     value, `label` for a regression model) rejects the whole request with 422, naming
         *     `items[i].<field>`; nothing is stored then.
         */
        post: operations["post_feedback_v1_feedback_post"];
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
         * Monitored Models
         * @description The models with a champion, which monitoring watches, and the version each serves.
         */
        get: operations["monitored_models_v1_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/alert-rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Rules
         * @description The model's alert rules by name, each with its current state (ok or firing).
         */
        get: operations["list_rules_v1_models__name__alert_rules_get"];
        put?: never;
        /**
         * Create Rule
         * @description Add a rule: `metric` `comparator` `threshold`, computed over the last `window`.
         *     Metrics: rows, drifted_share, dataset_drift, feature:<name>:<statistic|p_value|drifted>,
         *     prediction:<field>, multivariate:<statistic|drifted>, labelled, the task's live metrics
         *     (accuracy, f1, roc_auc, log_loss / rmse, mae, r2) and <metric>:<variant>.
         */
        post: operations["create_rule_v1_models__name__alert_rules_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/alert-rules/{rule_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Update Rule
         * @description Replace a rule's definition (checked as on creation); its state and events stay.
         */
        put: operations["update_rule_v1_models__name__alert_rules__rule_id__put"];
        post?: never;
        /** Delete Rule */
        delete: operations["delete_rule_v1_models__name__alert_rules__rule_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/data-quality": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Data Quality
         * @description Validation results of the model's ingested datasets (Great Expectations), newest first.
         */
        get: operations["data_quality_v1_models__name__data_quality_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/drift": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Drift
         * @description Per-feature drift (test, statistic, p-value, threshold, verdict), prediction drift, a
         *     joint test and the dataset verdict, for live traffic in [start, end) against the served
         *     version's training sample. Default window: the drift policy's `window_hours` up to now.
         */
        get: operations["drift_v1_models__name__drift_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/drift-history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Drift Over Time
         * @description Each stored monitoring run's drift scores (1 is the threshold), dataset verdict and
         *     retrain decision, oldest first: what a drift-over-time chart needs (30 days of hourly
         *     runs by default).
         */
        get: operations["drift_over_time_v1_models__name__drift_history_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/monitor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run Monitoring
         * @description Run monitoring now, as the scheduled DAG does: snapshot, alert rules, webhooks and the
         *     retrain decision (this call only decides; the DAG starts retrains).
         */
        post: operations["run_monitoring_v1_models__name__monitor_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/performance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Performance
         * @description Live metrics from ground truth (feedback), per variant and per time bucket of
         *     prediction time: accuracy, F1, ROC AUC, log loss (classification) or RMSE, MAE, R2.
         *     Default window: the last 7 days.
         */
        get: operations["performance_v1_models__name__performance_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Report
         * @description A self-contained HTML drift and performance report (inline SVG charts, no scripts).
         */
        get: operations["report_v1_models__name__report_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/retrains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Retrains
         * @description Automatic retrains the monitoring DAG started, with their outcome.
         */
        get: operations["retrains_v1_models__name__retrains_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/snapshots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Snapshots
         * @description Stored monitoring snapshots, newest first (30 days of hourly runs fit in one page).
         */
        get: operations["snapshots_v1_models__name__snapshots_get"];
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
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Webhooks
         * @description All webhooks, or those a model's events go to (its own and the global ones); a key
         *     limited to models sees only its models' own webhooks.
         */
        get: operations["webhooks_v1_webhooks_get"];
        put?: never;
        /**
         * Create Webhook
         * @description Register a URL that receives alert events as JSON POSTs (one model's, or all).
         *
         *     Each event carries `idempotency_key` (also the `Idempotency-Key` header): retries of the
         *     same event repeat it. Failed deliveries stay in the outbox (`GET /v1/alerts/outbox`) and are
         *     retried with exponential back-off until delivered or expired.
         */
        post: operations["create_webhook_v1_webhooks_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{webhook_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove Webhook */
        delete: operations["remove_webhook_v1_webhooks__webhook_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{webhook_id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Webhook Deliveries
         * @description The webhook's delivery attempts, newest first: status code or error, delivered or not.
         */
        get: operations["webhook_deliveries_v1_webhooks__webhook_id__deliveries_get"];
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
        /** AlertEvent */
        AlertEvent: {
            /**
             * At
             * Format: date-time
             */
            at: string;
            /**
             * Comparator
             * @enum {string}
             */
            comparator: ">" | ">=" | "<" | "<=";
            /** Id */
            id: string;
            /** Message */
            message: string;
            /** Metric */
            metric: string;
            /** Model */
            model: string;
            /** Rule Id */
            rule_id: string;
            /** Rule Name */
            rule_name: string;
            /**
             * Severity
             * @enum {string}
             */
            severity: "info" | "warning" | "critical";
            /**
             * State
             * @enum {string}
             */
            state: "firing" | "resolved";
            /** Threshold */
            threshold: number;
            /** Value */
            value: number | null;
        };
        /** AlertList */
        AlertList: {
            /** Alerts */
            alerts: components["schemas"]["AlertEvent"][];
        };
        /** AlertRule */
        AlertRule: {
            /**
             * Comparator
             * @enum {string}
             */
            comparator: ">" | ">=" | "<" | "<=";
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Created By */
            created_by: string;
            /** Id */
            id: string;
            /** Metric */
            metric: string;
            /** Model */
            model: string;
            /** Name */
            name: string;
            /**
             * Severity
             * @enum {string}
             */
            severity: "info" | "warning" | "critical";
            /**
             * State
             * @enum {string}
             */
            state: "ok" | "firing";
            /** Threshold */
            threshold: number;
            /** Window Minutes */
            window_minutes: number;
        };
        /**
         * AlertRuleRequest
         * @example {
         *       "comparator": ">=",
         *       "metric": "drifted_share",
         *       "name": "too-much-drift",
         *       "severity": "critical",
         *       "threshold": 0.3,
         *       "window": "24h"
         *     }
         * @example {
         *       "comparator": ">",
         *       "metric": "feature:age:statistic",
         *       "name": "age-shift",
         *       "threshold": 0.1,
         *       "window": "6h"
         *     }
         * @example {
         *       "comparator": "<",
         *       "metric": "roc_auc",
         *       "name": "auc-floor",
         *       "threshold": 0.75,
         *       "window": "7d"
         *     }
         */
        AlertRuleRequest: {
            /**
             * Comparator
             * @enum {string}
             */
            comparator: ">" | ">=" | "<" | "<=";
            /** Metric */
            metric: string;
            /** Name */
            name: string;
            /**
             * Severity
             * @default warning
             * @enum {string}
             */
            severity: "info" | "warning" | "critical";
            /** Threshold */
            threshold: number;
            /**
             * Window
             * @description How far back the value is computed: 30m, 6h, 7d
             * @default 24h
             */
            window: string;
        };
        /** BucketMetrics */
        BucketMetrics: {
            /**
             * Count
             * @description Predictions with ground truth in the group
             */
            count: number;
            /** Metrics */
            metrics: {
                [key: string]: number | null;
            };
            /**
             * Problems
             * @description Why each null metric has no value on these rows
             */
            problems?: {
                [key: string]: string;
            };
            /**
             * Start
             * Format: date-time
             */
            start: string;
            /** Variant */
            variant: string;
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
        /** Coverage */
        Coverage: {
            /** Labelled */
            labelled: number;
            /** Predictions */
            predictions: number;
        };
        /** DataQualityResponse */
        DataQualityResponse: {
            /** History */
            history: components["schemas"]["ValidationRecord"][];
            latest: components["schemas"]["ValidationRecord"] | null;
            /** Model */
            model: string;
        };
        /**
         * Delivery
         * @description Where one (event, webhook) delivery stands after an attempt (or why none was made).
         */
        Delivery: {
            /** Attempts */
            attempts: number;
            /** Delivered */
            delivered: boolean;
            /** Error */
            error?: string | null;
            /** Event Id */
            event_id: string;
            /**
             * Skipped
             * @default false
             */
            skipped: boolean;
            /**
             * State
             * @default pending
             */
            state: string;
            /** Status Code */
            status_code?: number | null;
            /** Webhook Id */
            webhook_id: string;
        };
        /**
         * DeliveryAttempt
         * @description One HTTP attempt to deliver an alert event to a webhook.
         */
        DeliveryAttempt: {
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Attempt */
            attempt: number;
            /** Delivered */
            delivered: boolean;
            /** Error */
            error: string | null;
            /** Event Id */
            event_id: string;
            /** Status Code */
            status_code: number | null;
        };
        /** DeliveryList */
        DeliveryList: {
            /** Deliveries */
            deliveries: components["schemas"]["DeliveryAttempt"][];
        };
        /** DriftHistory */
        DriftHistory: {
            /** Model */
            model: string;
            /** Points */
            points: components["schemas"]["DriftPoint"][];
        };
        /**
         * DriftPoint
         * @description One monitoring run, reduced to what a drift-over-time chart draws.
         */
        DriftPoint: {
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Dataset Drift */
            dataset_drift: boolean;
            /** Drifted Features */
            drifted_features: string[];
            /** Prediction Score */
            prediction_score: number | null;
            /** Reason */
            reason: string;
            /** Retrain */
            retrain: boolean;
            /** Rows */
            rows: number;
            /** Scores */
            scores: {
                [key: string]: number;
            };
            /** Version */
            version: string;
        };
        /** DriftReport */
        DriftReport: {
            /** Current Rows */
            current_rows: number;
            /** Dataset Drift */
            dataset_drift: boolean;
            /** Drift Share Threshold */
            drift_share_threshold: number;
            /** Drifted Features */
            drifted_features: string[];
            /** Drifted Share */
            drifted_share: number;
            /** Enough Data */
            enough_data: boolean;
            /** Features */
            features: components["schemas"]["FeatureDrift"][];
            multivariate: components["schemas"]["MultivariateDrift"] | null;
            prediction: components["schemas"]["FeatureDrift"] | null;
            /** Reference Rows */
            reference_rows: number;
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
        /**
         * ExpectationFailure
         * @description One failing expectation: which, on which column, why, with a few offending values; its
         *     arguments come as GX names them (`kwargs`, kept as an extra field: a field of that name
         *     would clash with the model's own __init__).
         */
        ExpectationFailure: {
            /** Column */
            column?: string | null;
            /** Exception */
            exception?: string | null;
            /** Expectation */
            expectation: string;
            /** Observed Value */
            observed_value?: unknown;
            /**
             * Partial Unexpected List
             * @default []
             */
            partial_unexpected_list: unknown[];
            /**
             * Reason
             * @default
             */
            reason: string;
            /** Unexpected Count */
            unexpected_count?: number | null;
            /** Unexpected Percent */
            unexpected_percent?: number | null;
        } & {
            [key: string]: unknown;
        };
        /**
         * FeatureDrift
         * @description One feature (or the prediction) compared between reference and current.
         *
         *     `statistic` belongs to `test` (KS D, chi-squared, Wasserstein distance in reference standard
         *     deviations, PSI, Jensen-Shannon distance in base 2); `scores` carries the other statistics,
         *     computed at almost no extra cost, plus missing shares, so a reader sees the whole picture.
         *     Row counts are the present (non-missing, finite) values each test used.
         */
        FeatureDrift: {
            /** Current Rows */
            current_rows: number;
            /** Drifted */
            drifted: boolean;
            /** Feature */
            feature: string;
            /**
             * Kind
             * @enum {string}
             */
            kind: "numeric" | "categorical";
            /** P Value */
            p_value: number | null;
            /** Reference Rows */
            reference_rows: number;
            /**
             * Score
             * @description One scale for every test, 1 at the threshold and above it when drifted, so scores of
             *     different tests share a chart: -log10(p) / -log10(threshold) for a p-value test (KS,
             *     chi-squared; p = 0 counts as 1e-300), statistic / threshold for a distance test.
             */
            readonly score: number;
            /** Scores */
            scores: {
                [key: string]: number;
            };
            /** Statistic */
            statistic: number;
            /** Test */
            test: string;
            /** Threshold */
            threshold: number;
        };
        /** FeedbackItemIn */
        FeedbackItemIn: {
            /**
             * Label
             * @description Classification: the true class (one the model knows)
             */
            label?: string | number | boolean | null;
            /** Request Id */
            request_id: string;
            /**
             * Value
             * @description Regression: the true value (finite)
             */
            value?: number | null;
        };
        /** FeedbackItemOut */
        FeedbackItemOut: {
            /** Index */
            index: number;
            /**
             * Message
             * @default
             */
            message: string;
            /** Model */
            model?: string | null;
            /** Request Id */
            request_id: string;
            /**
             * Status
             * @enum {string}
             */
            status: "accepted" | "updated" | "duplicate" | "unknown";
        };
        /**
         * FeedbackRequest
         * @description Ground truth for logged predictions: one item or many (`items`).
         * @example {
         *       "items": [
         *         {
         *           "label": 1,
         *           "request_id": "3f1c...-b2:0"
         *         }
         *       ]
         *     }
         * @example {
         *       "items": [
         *         {
         *           "request_id": "9a8b...",
         *           "value": 182500
         *         },
         *         {
         *           "request_id": "9a8c...",
         *           "value": 99000
         *         }
         *       ],
         *       "overwrite": false
         *     }
         */
        FeedbackRequest: {
            /** Items */
            items: components["schemas"]["FeedbackItemIn"][];
            /**
             * Overwrite
             * @description Replace feedback already stored for an id (else the first wins)
             * @default false
             */
            overwrite: boolean;
        };
        /** FeedbackResponse */
        FeedbackResponse: {
            /** Accepted */
            accepted: number;
            /** Duplicate */
            duplicate: number;
            /** Items */
            items: components["schemas"]["FeedbackItemOut"][];
            /** Unknown */
            unknown: number;
            /** Updated */
            updated: number;
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
        /** MetricSet */
        MetricSet: {
            /**
             * Count
             * @description Predictions with ground truth in the group
             */
            count: number;
            /** Metrics */
            metrics: {
                [key: string]: number | null;
            };
            /**
             * Problems
             * @description Why each null metric has no value on these rows
             */
            problems?: {
                [key: string]: string;
            };
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
        /** MonitoredModel */
        MonitoredModel: {
            /**
             * Champion
             * @description The version monitoring compares live traffic against
             */
            champion: string;
            /** Name */
            name: string;
        };
        /** MonitoredModels */
        MonitoredModels: {
            /** Models */
            models: components["schemas"]["MonitoredModel"][];
        };
        /** MonitoringResult */
        MonitoringResult: {
            /** Alerts */
            alerts: components["schemas"]["AlertEvent"][];
            /**
             * At
             * Format: date-time
             */
            at: string;
            decision: components["schemas"]["RetrainDecision"];
            /** Deliveries */
            deliveries: components["schemas"]["Delivery"][];
            drift: components["schemas"]["DriftReport"];
            /** Model */
            model: string;
            performance: components["schemas"]["PerformanceReport"];
            /** Snapshot Id */
            snapshot_id: string;
            /** Values */
            values: {
                [key: string]: number | null;
            };
            /** Version */
            version: string;
            /**
             * Window End
             * Format: date-time
             */
            window_end: string;
            /**
             * Window Start
             * Format: date-time
             */
            window_start: string;
        };
        /**
         * MultivariateDrift
         * @description A joint test over all features: catches shifts in how features relate, which
         *     per-feature tests cannot see. Domain classifier: cross-validated ROC AUC of telling
         *     reference rows from current rows (0.5 = indistinguishable). MMD: squared maximum mean
         *     discrepancy with a permutation p-value; `threshold` is then the p-value threshold.
         */
        MultivariateDrift: {
            /** Drifted */
            drifted: boolean;
            /** P Value */
            p_value?: number | null;
            /**
             * Rows
             * @default 0
             */
            rows: number;
            /** Statistic */
            statistic: number;
            /** Test */
            test: string;
            /** Threshold */
            threshold: number;
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
         * OutboxItem
         * @description One delivery in the outbox.
         */
        OutboxItem: {
            /** Attempts */
            attempts: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Event Id */
            event_id: string;
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
            /** Id */
            id: string;
            /** Last Error */
            last_error: string | null;
            /** Last Status */
            last_status: number | null;
            /** Model */
            model: string;
            /**
             * Next Attempt At
             * Format: date-time
             */
            next_attempt_at: string;
            /** State */
            state: string;
            /** Webhook Id */
            webhook_id: string;
        };
        /** OutboxList */
        OutboxList: {
            /** Deliveries */
            deliveries: components["schemas"]["OutboxItem"][];
        };
        /** PerformanceReport */
        PerformanceReport: {
            /**
             * Bucket
             * @enum {string}
             */
            bucket: "hour" | "day";
            /** Buckets */
            buckets: components["schemas"]["BucketMetrics"][];
            /**
             * Coverage
             * @description Per variant
             */
            coverage: {
                [key: string]: components["schemas"]["Coverage"];
            };
            /**
             * End
             * Format: date-time
             */
            end: string;
            /**
             * Fairness
             * @description The champion's group disparities on its labelled predictions in the window (the spec's fairness slices; mlaas.fairness); null without slices or labels
             */
            fairness?: {
                [key: string]: unknown;
            } | null;
            /**
             * Holdout
             * @description The champion's holdout metrics at training
             */
            holdout: {
                [key: string]: number;
            };
            /** Metrics */
            metrics: string[];
            /** Model */
            model: string;
            /**
             * Overall
             * @description Per variant, over the whole window
             */
            overall: {
                [key: string]: components["schemas"]["MetricSet"];
            };
            /**
             * Start
             * Format: date-time
             */
            start: string;
            /** Task */
            task: string;
            /**
             * Version
             * @description The champion version now
             */
            version: string;
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
        /** RetrainDecision */
        RetrainDecision: {
            /** Blocked By */
            blocked_by?: string | null;
            /** Reason */
            reason: string;
            /** Retrain */
            retrain: boolean;
            /** Waiting For Data */
            waiting_for_data?: string | null;
        };
        /** RetrainEvent */
        RetrainEvent: {
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Dag Run Id */
            dag_run_id: string;
            /** Finished At */
            finished_at: string | null;
            /** Id */
            id: string;
            /** Model */
            model: string;
            /** Reason */
            reason: string;
            /**
             * State
             * @enum {string}
             */
            state: "triggered" | "succeeded" | "failed";
        };
        /** RetrainList */
        RetrainList: {
            /** Retrains */
            retrains: components["schemas"]["RetrainEvent"][];
        };
        /** RuleList */
        RuleList: {
            /** Rules */
            rules: components["schemas"]["AlertRule"][];
        };
        /**
         * Snapshot
         * @description One monitoring run's record: the drift report, live performance and the retrain decision.
         */
        Snapshot: {
            /**
             * At
             * Format: date-time
             */
            at: string;
            decision: components["schemas"]["RetrainDecision"];
            drift: components["schemas"]["DriftReport"];
            /** Id */
            id: string;
            /** Metric Values */
            metric_values: {
                [key: string]: unknown;
            };
            /** Model */
            model: string;
            /** Performance */
            performance: {
                [key: string]: unknown;
            };
            /** Rows */
            rows: number;
            /** Version */
            version: string;
            /**
             * Window End
             * Format: date-time
             */
            window_end: string;
            /**
             * Window Start
             * Format: date-time
             */
            window_start: string;
        };
        /** SnapshotList */
        SnapshotList: {
            /** Model */
            model: string;
            /** Snapshots */
            snapshots: components["schemas"]["Snapshot"][];
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
         * ValidationRecord
         * @description One validation of one dataset (its content hash) against the model's suite.
         */
        ValidationRecord: {
            /** Content Hash */
            content_hash: string;
            /** Created At */
            created_at: string;
            /** Failures */
            failures: components["schemas"]["ExpectationFailure"][];
            /** Id */
            id: string;
            /** Model */
            model: string;
            /** Statistics */
            statistics: {
                [key: string]: number | null;
            };
            /** Success */
            success: boolean;
            /** Suite */
            suite: string;
        };
        /** Webhook */
        Webhook: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Created By */
            created_by: string;
            /** Id */
            id: string;
            /**
             * Min Severity
             * @enum {string}
             */
            min_severity: "info" | "warning" | "critical";
            /** Model */
            model: string | null;
            /** Url */
            url: string;
        };
        /** WebhookList */
        WebhookList: {
            /** Webhooks */
            webhooks: components["schemas"]["Webhook"][];
        };
        /**
         * WebhookRequest
         * @example {
         *       "model": "churn",
         *       "url": "https://hooks.example.com/mlaas"
         *     }
         * @example {
         *       "min_severity": "critical",
         *       "url": "https://pager.example.com/hook"
         *     }
         */
        WebhookRequest: {
            /**
             * Min Severity
             * @default info
             * @enum {string}
             */
            min_severity: "info" | "warning" | "critical";
            /**
             * Model
             * @description Only this model's alerts (default: all)
             */
            model?: string | null;
            /** Url */
            url: string;
        };
        /** WindowDrift */
        WindowDrift: {
            /**
             * End
             * Format: date-time
             */
            end: string;
            /** Model */
            model: string;
            report: components["schemas"]["DriftReport"];
            /**
             * Start
             * Format: date-time
             */
            start: string;
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
    alerts_v1_alerts_get: {
        parameters: {
            query?: {
                model?: string | null;
                state?: ("firing" | "resolved") | null;
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
                    "application/json": components["schemas"]["AlertList"];
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
    alert_outbox_v1_alerts_outbox_get: {
        parameters: {
            query?: {
                model?: string | null;
                state?: ("pending" | "delivered" | "refused" | "expired") | null;
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
                    "application/json": components["schemas"]["OutboxList"];
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
    post_feedback_v1_feedback_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FeedbackRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FeedbackResponse"];
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
    monitored_models_v1_models_get: {
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
                    "application/json": components["schemas"]["MonitoredModels"];
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
    list_rules_v1_models__name__alert_rules_get: {
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
                    "application/json": components["schemas"]["RuleList"];
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
    create_rule_v1_models__name__alert_rules_post: {
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
                "application/json": components["schemas"]["AlertRuleRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertRule"];
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
    update_rule_v1_models__name__alert_rules__rule_id__put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                rule_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AlertRuleRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertRule"];
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
    delete_rule_v1_models__name__alert_rules__rule_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                rule_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
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
    data_quality_v1_models__name__data_quality_get: {
        parameters: {
            query?: {
                limit?: number;
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
                    "application/json": components["schemas"]["DataQualityResponse"];
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
    drift_v1_models__name__drift_get: {
        parameters: {
            query?: {
                /** @description Window start (ISO 8601, UTC if no zone) */
                start?: string | null;
                /** @description Window end (default: now) */
                end?: string | null;
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
                    "application/json": components["schemas"]["WindowDrift"];
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
    drift_over_time_v1_models__name__drift_history_get: {
        parameters: {
            query?: {
                limit?: number;
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
                    "application/json": components["schemas"]["DriftHistory"];
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
    run_monitoring_v1_models__name__monitor_post: {
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
                    "application/json": components["schemas"]["MonitoringResult"];
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
    performance_v1_models__name__performance_get: {
        parameters: {
            query?: {
                /** @description Window start (ISO 8601, UTC if no zone) */
                start?: string | null;
                /** @description Window end (default: now) */
                end?: string | null;
                bucket?: "hour" | "day";
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
                    "application/json": components["schemas"]["PerformanceReport"];
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
    report_v1_models__name__report_get: {
        parameters: {
            query?: {
                /** @description Window start (ISO 8601, UTC if no zone) */
                start?: string | null;
                /** @description Window end (default: now) */
                end?: string | null;
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
                    "text/html": string;
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
    retrains_v1_models__name__retrains_get: {
        parameters: {
            query?: {
                limit?: number;
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
                    "application/json": components["schemas"]["RetrainList"];
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
    snapshots_v1_models__name__snapshots_get: {
        parameters: {
            query?: {
                limit?: number;
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
                    "application/json": components["schemas"]["SnapshotList"];
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
    webhooks_v1_webhooks_get: {
        parameters: {
            query?: {
                model?: string | null;
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
                    "application/json": components["schemas"]["WebhookList"];
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
    create_webhook_v1_webhooks_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
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
    remove_webhook_v1_webhooks__webhook_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                webhook_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
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
    webhook_deliveries_v1_webhooks__webhook_id__deliveries_get: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                webhook_id: string;
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
                    "application/json": components["schemas"]["DeliveryList"];
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
