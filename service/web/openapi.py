"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json.

A test walks the app's URL map and this document both ways, so a route added
without being described here (or described and gone) fails the build.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from service.document_kinds import KINDS, PARAM_NAMES
from service.store.models import SubmissionStatus

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": kind}}


ERROR = _json(_ref("Error"), "错误:{error: {code, message}}")
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
PAGE = _query("page", "页码,从 1 开始", "integer")
NULLABLE_STR = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
    "Measure": {"type": "object", "properties": {
        "text": {"type": "string"}, "phase": NULLABLE_STR, "owner": NULLABLE_STR, "deadline": NULLABLE_STR}},
    "Entry": {"type": "object", "required": ["id", "submission_id", "unit_id", "risk", "measures", "source"],
              "properties": {
                  "id": {"type": "integer"}, "submission_id": {"type": "integer"}, "unit_id": {"type": "integer"},
                  "unit": NULLABLE_STR, "department": NULLABLE_STR, "position": NULLABLE_STR,
                  "person": NULLABLE_STR, "duty": NULLABLE_STR, "risk": {"type": "string"},
                  "manifestation": NULLABLE_STR, "category": NULLABLE_STR, "category_label": NULLABLE_STR,
                  "domain": NULLABLE_STR, "level": {"type": ["string", "null"], "enum": ["high", "medium", "low", None]},
                  "level_label": NULLABLE_STR, "level_name": NULLABLE_STR, "owner": NULLABLE_STR, "supervisor": NULLABLE_STR,
                  "deadline": NULLABLE_STR, "measures": {"type": "array", "items": _ref("Measure")},
                  "source": {"type": "object"}, "source_text": {"type": "string"},
                  "warnings": {"type": "array", "items": {"type": "object"}}}},
    "Submission": {"type": "object", "required": ["id", "unit_id", "original_name", "status", "entry_count"],
                   "properties": {
                       "id": {"type": "integer"}, "unit_id": {"type": "integer"}, "unit": NULLABLE_STR,
                       "campaign_id": {"type": ["integer", "null"]}, "original_name": {"type": "string"},
                       "sha256": {"type": "string"}, "status": {"enum": [str(v) for v in SubmissionStatus]},
                       "error_code": NULLABLE_STR, "error_message": NULLABLE_STR,
                       "entry_count": {"type": "integer"}, "is_current": {"type": "boolean"},
                       "received_at": NULLABLE_STR, "warnings": {"type": "array", "items": {"type": "object"}}}},
    "SubmissionDetail": {"allOf": [_ref("Submission"), {"type": "object", "properties": {
        "entries": {"type": "array", "items": _ref("Entry")},
        "general_warnings": {"type": "array", "items": {"type": "object"}}}}]},
    "Document": {"type": "object", "required": ["id", "kind", "filename"], "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "filename": {"type": "string"},
        "number_text": NULLABLE_STR, "has_pdf": {"type": "boolean"}}},
}


def _document_params() -> dict[str, Any]:
    """The parameters of POST /documents, each with the kinds that take it (service.document_kinds)."""
    properties: dict[str, Any] = {}
    for name in PARAM_NAMES:
        declared = [(k, p) for k in KINDS.values() if (p := k.param(name)) is not None]
        text = ";".join(dict.fromkeys(p.help for _, p in declared))
        schema: dict[str, Any] = ({"type": ["array", "string"], "items": {"type": "string"}} if declared[0][1].many
                                  else {"type": ["string", "integer"]})
        properties[name] = {**schema, "description": f"{text}。用于:{'、'.join(k.name for k, _ in declared)}"}
    properties["draft"] = {"type": ["string", "boolean"], "description": "草稿,不占用文号(编号的文书)"}
    return {"type": "object", "properties": properties}


def _page_of(item: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "page", "total"], "properties": {
        "items": {"type": "array", "items": _ref(item)}, "page": {"type": "integer"},
        "per_page": {"type": "integer"}, "pages": {"type": "integer"}, "has_next": {"type": "boolean"},
        "total": {"type": "integer", "description": "精确到 5000;超过时 total_capped 为 true"},
        "total_capped": {"type": "boolean"}}}


PATHS: dict[str, Any] = {
    "/api/v1/submissions": {
        "get": {"summary": "提交记录(本单位或管理员可见的全部)", "parameters": [
            _query("unit", "单位编号或名称"), _query("status", "received | parsed | failed"),
            _query("from", "收到日期起(YYYY-MM-DD)"), _query("to", "收到日期止(YYYY-MM-DD)"), PAGE],
            "responses": {"200": _json(_page_of("Submission"), "一页提交记录"), "401": ERROR}},
        "post": {"summary": "上传并解析一个表格文件",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["file"], "properties": {
                         "file": {"type": "string", "format": "binary"},
                         "unit": {"type": "integer", "description": "所属单位编号(仅管理员)"},
                         "campaign": {"type": "integer", "description": "年度工作编号"}}}}}},
                 "responses": {"201": _json(_ref("SubmissionDetail"), "已解析"),
                               "200": _json(_ref("SubmissionDetail"), "相同文件已提交过"),
                               "400": ERROR, "401": ERROR, "404": ERROR, "413": ERROR, "422": ERROR}},
    },
    "/api/v1/submissions/{id}": {
        "get": {"summary": "一次提交及其风险点与提示", "parameters": [ID],
                "responses": {"200": _json(_ref("SubmissionDetail"), "提交详情"), "401": ERROR, "404": ERROR}},
    },
    "/api/v1/entries": {
        "get": {"summary": "风险库:现行风险点", "parameters": [
            _query("unit", "单位编号或名称"), _query("department", "科室"), _query("level", "high | medium | low"),
            _query("category", "风险类型"), _query("q", "全文检索"), PAGE],
            "responses": {"200": _json(_page_of("Entry"), "一页风险点"), "401": ERROR}},
    },
    "/api/v1/documents": {
        "get": {"summary": "已生成的文书", "parameters": [PAGE],
                "responses": {"200": _json(_page_of("Document"), "一页文书"), "401": ERROR}},
        "post": {"summary": "生成文书",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["kind"], "properties": {
                         "kind": {"enum": list(KINDS), "description": "、".join(f"{k.name}:{k.label}" for k in KINDS.values())},
                         "params": _document_params(),
                         "pdf": {"type": "boolean"}}}}}},
                 "responses": {"201": _json(_ref("Document"), "已生成"), "400": ERROR, "401": ERROR, "403": ERROR,
                               "404": ERROR, "422": ERROR}},
    },
    "/api/v1/documents/{id}/download": {
        "get": {"summary": "下载文书文件", "parameters": [ID, _query("format", "pdf:下载同时生成的 PDF")],
                "responses": {"200": {"description": "文书文件(.docx/.xlsx/.pdf)",
                                      "content": {"application/octet-stream": {}}},
                              "401": ERROR, "404": ERROR}},
    },
    "/api/v1/openapi.json": {
        "get": {"summary": "本说明", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 文档", "content": {"application/json": {}}}}},
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "廉防 API", "version": "1", "description": "廉政风险防控管理:上传表格、查询风险库、生成文书。"},
    "servers": [{"url": "/"}],
    "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": PATHS,
}


@bp.get("/openapi.json")
def spec() -> Any:
    return jsonify(SPEC)
