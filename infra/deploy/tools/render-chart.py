#!/usr/bin/env python3
"""Render the Ragtime Helm chart offline and validate every manifest against Kubernetes schemas.

Runs in the virtualenv that infra/deploy/check-tools.sh creates (helm-python-sdk, the Helm Go SDK
as a shared library; kubernetes-validate, the Kubernetes OpenAPI schemas). Prints one JSON report
on stdout; test/deploy/helm-chart.test.ts reads it and decides what passes.

usage: render-chart.py CHART_DIR VALUES_FILE --release NAME --namespace NS --kube-version 1.31.0 ...
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def fail(message: str) -> None:
    print(json.dumps({"fatal": message}))
    sys.exit(0)


try:
    import helm_python as helm
    import kubernetes_validate
    import kubernetes_validate.utils as kv_utils
    import yaml
except ImportError as error:  # the test turns this into a "run check-tools.sh" message
    fail(f"missing Python module: {error}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chart")
    parser.add_argument("values", nargs="?")
    parser.add_argument("--release", default="ragtime")
    parser.add_argument("--namespace", default="ragtime")
    parser.add_argument("--kube-version", action="append", default=[])
    parser.add_argument("--set-json", action="append", default=[],
                        help="extra values as a JSON object, merged over the values file")
    args = parser.parse_args()

    overrides: dict[str, Any] = {}
    if args.values:
        with open(args.values, encoding="utf-8") as handle:
            overrides = helm.values_from_yaml(handle.read()) or {}
    for extra in args.set_json:
        overrides = deep_merge(overrides, json.loads(extra))

    report: dict[str, Any] = {
        "helmSdkVersion": helm.helm_sdk_version(),
        "kubernetesValidateVersion": kubernetes_validate.__version__
        if hasattr(kubernetes_validate, "__version__") else None,
    }

    chart = helm.Chart.load(args.chart)
    lint = helm.lint(args.chart, overrides, strict=True, namespace=args.namespace, quiet=False)
    report["lint"] = lint

    try:
        chart.validate_schema(overrides)
    except helm.HelmError as error:
        report["renderError"] = f"values schema: {error}"
        print(json.dumps(report))
        return
    try:
        rendered = chart.render(overrides, name=args.release, namespace=args.namespace, is_install=True)
    except helm.HelmError as error:
        report["renderError"] = str(error)
        print(json.dumps(report))
        return

    documents = []
    for source, text in sorted(rendered.items()):
        if not source.endswith((".yaml", ".yml")) or not text.strip():
            continue
        try:
            parsed = list(yaml.safe_load_all(text))
        except yaml.YAMLError as error:
            documents.append({"source": source, "parseError": str(error)})
            continue
        for doc in parsed:
            if doc is None:
                continue
            documents.append({"source": source, "doc": doc})

    versions = args.kube_version or [kv_utils.latest_version()]
    for entry in documents:
        doc = entry.get("doc")
        if doc is None:
            continue
        results = {}
        for version in versions:
            try:
                kv_utils.validate(doc, version, strict=True)
                results[version] = "valid"
            except kv_utils.SchemaNotFoundError:
                results[version] = "no-schema"
            except kv_utils.VersionNotSupportedError:
                fail(f"kubernetes-validate has no schemas for Kubernetes {version}")
            except kv_utils.ValidationError as error:
                path = "/".join(str(p) for p in error.path)
                results[version] = f"invalid: {path}: {error.message}"
            except kv_utils.InvalidSchemaError as error:
                results[version] = f"invalid: {error}"
        entry["validation"] = results
    report["documents"] = documents
    print(json.dumps(report))


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


if __name__ == "__main__":
    main()
