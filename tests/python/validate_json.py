#!/usr/bin/env python3
"""Validates JSON files against the schemas of docs/schemas (JSON Schema draft 2020-12, python3-jsonschema).

    validate_json.py [--expect-invalid] SCHEMA FILE...

SCHEMA is a file name in $SRDD_SCHEMAS_DIR (default: docs/schemas next to this script's tests/ folder), e.g.
srdd-scan-1.schema.json. Exit status 0 when every file is valid (with --expect-invalid: when every file is
rejected), 1 otherwise; each problem is printed as FILE: JSON-POINTER: MESSAGE."""
import json
import os
import sys

import jsonschema


def schemas_dir():
    return os.environ.get("SRDD_SCHEMAS_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "docs", "schemas")


def load_schemas():
    """Every schema of the folder by file name; each is checked against the draft's meta-schema."""
    out = {}
    for name in sorted(os.listdir(schemas_dir())):
        if name.endswith(".schema.json"):
            with open(os.path.join(schemas_dir(), name), encoding="utf-8") as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            out[name] = schema
    return out


def validator(name, schemas=None):
    """A validator for schema NAME that resolves "$ref"s between the schemas by their "$id"."""
    schemas = schemas or load_schemas()
    store = {s["$id"]: s for s in schemas.values()}
    schema = schemas[name]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def problems(v, document):
    """'POINTER: message' for each error, deepest first."""
    out = []
    for e in sorted(v.iter_errors(document), key=lambda e: -len(e.absolute_path)):
        pointer = "/" + "/".join(str(p) for p in e.absolute_path)
        out.append(f"{pointer}: {e.message[:300]}")
    return out


def main(argv):
    expect_invalid = "--expect-invalid" in argv
    args = [a for a in argv if a != "--expect-invalid"]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    v = validator(args[0])
    failed = False
    for path in args[1:]:
        with open(path, encoding="utf-8") as f:
            found = problems(v, json.load(f))
        if expect_invalid and not found:
            print(f"{path}: accepted, but it should be rejected", file=sys.stderr)
            failed = True
        elif not expect_invalid and found:
            for p in found:
                print(f"{path}: {p}", file=sys.stderr)
            failed = True
        elif found:
            print(f"{path}: rejected as expected: {found[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
