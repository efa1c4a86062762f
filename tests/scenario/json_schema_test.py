#!/usr/bin/env python3
"""docs/scenario.schema.json against the shipped scenarios and typical mistakes.

  json_schema_test.py SOURCE_DIR

The schema must be a valid draft 2020-12 schema; every scenario under scenarios/ must pass it; and
scenarios with a typical mistake (a misspelt key, a wrong type, a value out of range, an unknown
choice, a missing required key) must fail it, as an editor with the YAML language server would show.
Exit 0 when all checks pass; the failures are listed otherwise.
"""
import copy
import json
import pathlib
import re
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 numbers (1e7 is a number, as for the program and editors); keys as text."""


Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def keys_as_text(node):
    if isinstance(node, dict):
        return {str(k): keys_as_text(v) for k, v in node.items()}
    if isinstance(node, list):
        return [keys_as_text(v) for v in node]
    return node


def load(path):
    with open(path, encoding="utf-8") as f:
        return keys_as_text(yaml.load(f, Loader=Yaml12Loader))


def main():
    src = pathlib.Path(sys.argv[1])
    schema = json.loads((src / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
    failures = []
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        failures.append(f"the schema is not a valid draft 2020-12 schema: {e.message}")
    validator = jsonschema.Draft202012Validator(schema)

    scenarios = sorted((src / "scenarios").rglob("*.yaml"))
    if len(scenarios) < 5:
        failures.append(f"expected the shipped scenarios under {src / 'scenarios'}, found {len(scenarios)}")
    for path in scenarios:
        errors = list(validator.iter_errors(load(path)))
        first = path.read_text(encoding="utf-8").splitlines()[0]
        if not first.startswith("# yaml-language-server: $schema="):
            failures.append(f"{path.relative_to(src)}: the first line is not the yaml-language-server modeline")
        for e in errors:
            failures.append(f"{path.relative_to(src)}: {'.'.join(map(str, e.absolute_path))}: {e.message}")
        print(f"ok   {path.relative_to(src)}" if not errors else f"FAIL {path.relative_to(src)}")

    base = load(src / "scenarios" / "default.yaml")

    def mistake(name, change):
        s = copy.deepcopy(base)
        change(s)
        if validator.is_valid(s):
            failures.append(f"a scenario with {name} passes the schema")
        else:
            print(f"ok   refused: {name}")

    mistake("a misspelt top-level key", lambda s: s.update(simulaton=s.pop("simulation")))
    mistake("a misspelt key in a section", lambda s: s["design"].update(sample_sise=s["design"].pop("sample_size")))
    mistake("a misspelt key in an arm", lambda s: s["arms"][1].update(alocation=1))
    mistake("text for a number", lambda s: s["analysis"].update(alpha="five percent"))
    mistake("a fraction for a whole number", lambda s: s["design"].update(sample_size=440.5))
    mistake("alpha above 0.5", lambda s: s["analysis"].update(alpha=0.6))
    mistake("a negative dropout", lambda s: s["design"]["dropout"].update(by_last_visit=-0.1))
    mistake("an unknown choice", lambda s: s["design"].update(randomisation="blocked"))
    mistake("an unknown GMFCS level", lambda s: s["population"]["gmfcs_mix"].update(VI=0.1))
    mistake("no arms", lambda s: s.pop("arms"))
    mistake("an arm without a role", lambda s: s["arms"][0].pop("role"))
    mistake("a list where a mapping belongs", lambda s: s.update(design=[1, 2]))
    mistake("a month that is not a number", lambda s: s["arms"][1].update(effect_by_month={"six": 1.0}))

    for f in failures:
        print("FAIL", f)
    print(f"{'FAILED' if failures else 'passed'}: {len(scenarios)} scenarios, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
