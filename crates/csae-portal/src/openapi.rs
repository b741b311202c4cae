//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`.

use serde_json::{Value, json};

fn err(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": schema}}})
}

fn period_param() -> Value {
    json!({"name": "period", "in": "query", "required": true, "schema": {"type": "string"}, "example": "2023"})
}

fn id_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
}

fn with_errors(mut responses: Value, codes: &[&str]) -> Value {
    for c in codes {
        let d = match *c {
            "400" => "bad input",
            "401" => "not signed in (no valid bearer token)",
            "403" => "the role may not do this",
            "404" => "no such object, or one of another force",
            "409" => "conflict with the object's state",
            "413" => "upload too large (or expands too much)",
            "422" => "the build failed",
            _ => "error",
        };
        responses[*c] = err(d);
    }
    responses
}

/// The error report's two downloads (`issues_report`), added to the paths outside the one
/// `json!` of [`document`], which would otherwise pass the macro's recursion limit.
fn error_report_paths() -> [(&'static str, Value); 2] {
    let path = |summary: &str, content_type: &str, schema: Value| {
        json!({"get": {"summary": summary, "parameters": [id_param("id")],
            "responses": with_errors(json!({"200": {"description": "the file", "content": {content_type: {"schema": schema}}}}), &["401", "403", "404"])}})
    };
    [
        ("/api/v1/submissions/{id}/issues.xlsx", path(
            "The error report as a workbook: cover (OFFICIAL-SENSITIVE), summary by rule, every issue with how to fix it, and the submitted values for the force's own users only (its force's users, analysts)",
            crate::issues_report::Format::Xlsx.content_type(),
            json!({"type": "string", "format": "binary"}),
        )),
        ("/api/v1/submissions/{id}/issues.csv", path(
            "The error report as CSV, header first: table, row, column, rule, severity, message, how_to_fix, and value for the force's own users only; formula-like text is prefixed with ' (its force's users, analysts)",
            "text/csv",
            json!({"type": "string"}),
        )),
    ]
}

pub fn document() -> Value {
    let sub = json!({"$ref": "#/components/schemas/Submission"});
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "csae collection portal API",
            "version": "1",
            "description": "Automated submission of force returns and national tracking, builds and downloads. Bearer tokens from `csae token new`. Errors are {\"error\": code, \"detail\": sentence or object}."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/me": {"get": {"summary": "The signed-in user", "responses": with_errors(json!({"200": ok("user", json!({"type": "object"}))}), &["401"])}},
            "/api/v1/periods": {
                "get": {"summary": "List periods", "responses": with_errors(json!({"200": ok("periods", json!({"type": "object", "properties": {"periods": {"type": "array", "items": {"$ref": "#/components/schemas/Period"}}}}))}), &["401"])},
                "post": {"summary": "Open a period (admin, analyst)",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPeriod"}}}},
                    "responses": with_errors(json!({"201": ok("opened", json!({"$ref": "#/components/schemas/Period"}))}), &["400", "401", "403", "409"])}
            },
            "/api/v1/submissions": {
                "get": {"summary": "Submissions visible to the user (own force, or all for analysts)", "parameters": [{"name": "period", "in": "query", "required": false, "schema": {"type": "string"}}],
                    "responses": with_errors(json!({"200": ok("submissions", json!({"type": "object"}))}), &["401", "403"])},
                "post": {"summary": "Upload a return (submitter): an XLSX workbook or a zip of the four CSV files, as the raw body",
                    "parameters": [period_param(), {"name": "X-File-Name", "in": "header", "required": false, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                    "responses": with_errors(json!({"201": ok("validated", json!({"type": "object", "required": ["id", "force_id", "status", "validation"], "properties": {"id": {"type": "string"}, "force_id": {"type": "string"}, "status": {"const": "validated"}, "validation": {"$ref": "#/components/schemas/Validation"}}}))}), &["400", "401", "403", "404", "413"])}
            },
            "/api/v1/submissions/{id}": {"get": {"summary": "A submission and its validation (its force's users, analysts)", "parameters": [id_param("id")],
                "responses": with_errors(json!({"200": ok("submission", sub.clone())}), &["401", "403", "404"])}},
            "/api/v1/submissions/{id}/confirm": {"post": {"summary": "Confirm as the force's next version (submitter of that force)", "parameters": [id_param("id")],
                "responses": with_errors(json!({"200": ok("confirmed", sub.clone())}), &["401", "403", "404", "409"])}},
            "/api/v1/submissions/{id}/discard": {"post": {"summary": "Discard an unconfirmed upload (submitter of that force)", "parameters": [id_param("id")],
                "responses": with_errors(json!({"200": ok("discarded", sub)}), &["401", "403", "404", "409"])}},
            "/api/v1/tracker": {"get": {"summary": "All 44 forces for a period (analyst), with overdue forces, the bar and open queries", "parameters": [period_param()],
                "responses": with_errors(json!({"200": ok("tracker", json!({"type": "object", "properties": {"period": {"$ref": "#/components/schemas/Period"}, "max_rejected_share": {"type": "number"}, "forces": {"type": "array", "items": {"$ref": "#/components/schemas/TrackerRow"}}}}))}), &["400", "401", "403", "404"])}},
            "/api/v1/builds": {"post": {"summary": "Build the dataset and publications from the latest confirmed versions (analyst)", "parameters": [period_param()],
                "responses": with_errors(json!({"201": ok("built", json!({"$ref": "#/components/schemas/Build"}))}), &["400", "401", "403", "404", "409", "422"])}},
            "/api/v1/builds/{id}": {"get": {"summary": "A build (analyst)", "parameters": [id_param("id")],
                "responses": with_errors(json!({"200": ok("build", json!({"$ref": "#/components/schemas/Build"}))}), &["401", "403", "404"])}},
            "/api/v1/builds/{id}/files/{name}": {"get": {"summary": "Download an output file (analyst)",
                "parameters": [id_param("id"), {"name": "name", "in": "path", "required": true, "schema": {"enum": crate::builds::FILES.iter().map(|f| f.0).collect::<Vec<_>>()}}],
                "responses": with_errors(json!({"200": {"description": "the file", "content": {"application/zip": {}, "application/json": {}}}}), &["401", "403", "404"])}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "detail"], "properties": {"error": {"type": "string"}, "detail": {}}},
                "NewPeriod": {"type": "object", "required": ["id", "from", "to"], "properties": {"id": {"type": "string", "example": "2023"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}, "due": {"type": "string", "format": "date", "description": "optional; on or after from; forces not confirmed by then are overdue"}}},
                "Period": {"type": "object", "properties": {"id": {"type": "string"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}, "opened_by": {"type": "string"}, "opened_at": {"type": "string", "format": "date-time"}, "due": {"type": ["string", "null"], "format": "date"}}},
                "Validation": {"type": "object", "description": "csae.validation/1 for the submitting force", "properties": {"schema": {"const": "csae.validation/1"}, "forces": {"type": "object"}}},
                "Submission": {"type": "object", "properties": {"id": {"type": "string"}, "period": {"type": "string"}, "force_id": {"type": "string"}, "status": {"enum": ["validated", "confirmed", "discarded"]}, "version": {"type": ["integer", "null"]}, "rows_read": {"type": "integer"}, "rows_accepted": {"type": "integer"}, "rows_rejected": {"type": "integer"}, "queries": {"type": "array", "items": {"$ref": "#/components/schemas/Query"}, "description": "GET only"}, "validation": {"$ref": "#/components/schemas/Validation"}}},
                "TrackerRow": {"type": "object", "properties": {"force_id": {"type": "string"}, "status": {"enum": ["not_submitted", "rejected_rows", "accepted"]}, "version": {"type": ["integer", "null"]}, "confirmed_at": {"type": ["string", "null"]}, "rows_accepted": {"type": ["integer", "null"]}, "rows_rejected": {"type": ["integer", "null"]},
                    "rows_read": {"type": ["integer", "null"]}, "pending_uploads": {"type": "integer"}, "rejected_share": {"type": ["number", "null"], "description": "rows_rejected / rows_read of the latest confirmed version"},
                    "meets_standard": {"type": ["boolean", "null"], "description": "rejected_share <= max_rejected_share"}, "overdue": {"type": "boolean", "description": "the due date has passed and no version is confirmed"}, "open_queries": {"type": "integer"}}},
                "Build": {"type": "object", "properties": {"id": {"type": "string"}, "period": {"type": "string"}, "headline": {"type": "object"}, "files": {"type": "array"}}}
            }
        }
    });
    for (path, item) in error_report_paths() {
        doc["paths"][path] = item;
    }
    for (k, v) in quality_loop_paths().as_object().expect("an object").clone() {
        doc["paths"][k.as_str()] = v;
    }
    for (k, v) in quality_loop_schemas().as_object().expect("an object").clone() {
        doc["components"]["schemas"][k.as_str()] = v;
    }
    doc
}

/// The paths of the data-quality loop: queries and a force's history (apart, as one `json!`
/// of the whole document would pass the macro's recursion limit).
fn quality_loop_paths() -> Value {
    json!({
            "/api/v1/submissions/{id}/queries": {"post": {"summary": "Raise a query on a submission (analyst). The text must never hold personal values; it is not published", "parameters": [id_param("id")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryText"}}}},
                "responses": with_errors(json!({"201": ok("raised", json!({"$ref": "#/components/schemas/Query"}))}), &["400", "401", "403", "404"])}},
            "/api/v1/queries/{id}/replies": {"post": {"summary": "Reply to an open query (submitter or force viewer of the submission's force)", "parameters": [id_param("id")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryText"}}}},
                "responses": with_errors(json!({"201": ok("the query with its replies", json!({"$ref": "#/components/schemas/Query"}))}), &["400", "401", "403", "404", "409"])}},
            "/api/v1/queries/{id}/close": {"post": {"summary": "Close an open query (analyst)", "parameters": [id_param("id")],
                "responses": with_errors(json!({"200": ok("closed", json!({"$ref": "#/components/schemas/Query"}))}), &["401", "403", "404", "409"])}},
            "/api/v1/forces/{force}/history": {"get": {"summary": "Every submission of a force in every period with rows, rejected share and history queries (that force's users, analysts)", "parameters": [id_param("force")],
                "responses": with_errors(json!({"200": ok("history", json!({"$ref": "#/components/schemas/ForceHistory"}))}), &["401", "403", "404"])}}
    })
}

/// The schemas of the data-quality loop.
fn quality_loop_schemas() -> Value {
    json!({
                "QueryText": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "plain text, 1 to 2,000 characters after trimming; never personal values"}}},
                "Query": {"type": "object", "properties": {"id": {"type": "string"}, "submission_id": {"type": "string"}, "period": {"type": "string"}, "force_id": {"type": "string"}, "status": {"enum": ["open", "closed"]}, "text": {"type": "string"}, "raised_by": {"type": "string"}, "raised_at": {"type": "string", "format": "date-time"}, "closed_by": {"type": ["string", "null"]}, "closed_at": {"type": ["string", "null"], "format": "date-time"},
                    "replies": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "replied_by": {"type": "string"}, "replied_at": {"type": "string", "format": "date-time"}}}}}},
                "ForceHistory": {"type": "object", "properties": {"force_id": {"type": "string"}, "force_name": {"type": "string"}, "max_rejected_share": {"type": "number"}, "submissions": {"type": "array", "description": "by period (earliest first), then in upload order", "items": {"type": "object", "properties": {
                    "period": {"type": "string"}, "submission_id": {"type": "string"}, "version": {"type": ["integer", "null"]}, "status": {"enum": ["validated", "confirmed", "discarded"]}, "uploaded_at": {"type": "string", "format": "date-time"}, "confirmed_at": {"type": ["string", "null"]},
                    "rows_read": {"type": "integer"}, "rows_accepted": {"type": "integer"}, "rows_rejected": {"type": "integer"}, "rejected_share": {"type": ["number", "null"]}, "meets_standard": {"type": ["boolean", "null"]},
                    "history": {"description": "the history queries of the submission's validation report as stored (previous_period, queries of rules H01-H05), or null"}}}}}}
    })
}
