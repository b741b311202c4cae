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

pub fn document() -> Value {
    let sub = json!({"$ref": "#/components/schemas/Submission"});
    json!({
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
            "/api/v1/tracker": {"get": {"summary": "All 44 forces for a period (analyst)", "parameters": [period_param()],
                "responses": with_errors(json!({"200": ok("tracker", json!({"type": "object", "properties": {"period": {"$ref": "#/components/schemas/Period"}, "forces": {"type": "array", "items": {"$ref": "#/components/schemas/TrackerRow"}}}}))}), &["400", "401", "403", "404"])}},
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
                "NewPeriod": {"type": "object", "required": ["id", "from", "to"], "properties": {"id": {"type": "string", "example": "2023"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}},
                "Period": {"type": "object", "properties": {"id": {"type": "string"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}, "opened_by": {"type": "string"}, "opened_at": {"type": "string", "format": "date-time"}}},
                "Validation": {"type": "object", "description": "csae.validation/1 for the submitting force", "properties": {"schema": {"const": "csae.validation/1"}, "forces": {"type": "object"}}},
                "Submission": {"type": "object", "properties": {"id": {"type": "string"}, "period": {"type": "string"}, "force_id": {"type": "string"}, "status": {"enum": ["validated", "confirmed", "discarded"]}, "version": {"type": ["integer", "null"]}, "rows_read": {"type": "integer"}, "rows_accepted": {"type": "integer"}, "rows_rejected": {"type": "integer"}, "validation": {"$ref": "#/components/schemas/Validation"}}},
                "TrackerRow": {"type": "object", "properties": {"force_id": {"type": "string"}, "status": {"enum": ["not_submitted", "rejected_rows", "accepted"]}, "version": {"type": ["integer", "null"]}, "confirmed_at": {"type": ["string", "null"]}, "rows_accepted": {"type": ["integer", "null"]}, "rows_rejected": {"type": ["integer", "null"]}}},
                "Build": {"type": "object", "properties": {"id": {"type": "string"}, "period": {"type": "string"}, "headline": {"type": "object"}, "files": {"type": "array"}}}
            }
        }
    })
}
