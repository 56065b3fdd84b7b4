#!/usr/bin/env python3
"""Checks that every PromQL expression of a Grafana dashboard parses, with promtool.

Collects each panel target's `expr` and the PromQL inside each `label_values(...)` template query,
replaces Grafana's interval variables by a duration (other variables such as $model only occur inside
label matchers, where they are plain strings), writes them as recording rules into a temporary file
and runs `promtool check rules` on it. Exit status 0 when every expression parses.

    python3 scripts/check-grafana.py deploy/grafana/serving-dashboard.json
"""
import json
import os
import re
import subprocess
import sys
import tempfile

INTERVALS = re.compile(r"\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}")
LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$", re.S)


def expressions(dashboard):
    def panels(items):
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))

    for panel in panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield f"panel {panel.get('id')} '{panel.get('title')}' {target.get('refId')}", target["expr"]
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        if variable.get("type") == "query" and query:
            match = LABEL_VALUES.match(query)
            yield f"variable {variable['name']}", match.group(1) if match else query


def main(paths):
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as f:
            found = list(expressions(json.load(f)))
        if not found:
            print(f"{path}: no PromQL expression found", file=sys.stderr)
            failed = True
            continue
        rules = {"groups": [{"name": "grafana", "rules": [
            {"record": f"grafana:expression_{i}", "expr": INTERVALS.sub("5m", expr)} for i, (_, expr) in enumerate(found)]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".rules.yml", delete=False) as out:
            json.dump(rules, out)  # JSON is YAML
        try:
            result = subprocess.run(["promtool", "check", "rules", out.name], capture_output=True, text=True)
        finally:
            os.unlink(out.name)
        if result.returncode != 0:
            failed = True
            print(f"{path}: an expression does not parse:\n{result.stdout}{result.stderr}", file=sys.stderr)
            for i, (where, expr) in enumerate(found):
                print(f"  expression_{i}: {where}: {expr}", file=sys.stderr)
        else:
            print(f"{path}: {len(found)} PromQL expressions parse")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
