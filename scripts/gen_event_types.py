"""Write packages/client/src/events.ts, the apps' event types, from graphs/event_schema.py.

Reads the JSON Schema of the pydantic event models and writes one TypeScript interface
per model plus the `TurnEvent` and `QueueEvent` unions. Only the JSON Schema the models
use is understood ($ref, const, enum, anyOf/oneOf, objects, arrays, scalars); anything
else stops the script, so a new kind of field cannot be rendered wrongly in silence.

    python scripts/gen_event_types.py          # rewrite the file
    python scripts/gen_event_types.py --check  # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graphs.event_schema import (  # noqa: E402
    QUEUE_EVENT_MODELS,
    TURN_EVENT_MODELS,
    event_json_schema,
    queue_event_json_schema,
)

OUTPUT = ROOT / "packages" / "client" / "src" / "events.ts"

HEADER = """\
// Generated from graphs/event_schema.py by `make events`
// (python scripts/gen_event_types.py). Do not edit: change the models and regenerate.
"""

_SCALARS = {"string": "string", "number": "number", "integer": "number", "boolean": "boolean"}
_IGNORED = {"title", "description", "default", "additionalProperties", "discriminator"}


def _ts_type(schema: dict[str, Any]) -> str:
    """The TypeScript type of a (sub)schema."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_ts_type(member) for member in schema[key])
    kind = schema.get("type")
    if kind == "null":
        return "null"
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        item = _ts_type(schema["items"])
        return f"{item}[]" if item.isidentifier() else f"Array<{item}>"
    unknown = set(schema) - _IGNORED
    raise ValueError(f"no TypeScript rendering for the schema keys {sorted(unknown)}: {schema}")


def _doc(text: str | None, indent: str) -> list[str]:
    """A JSDoc comment (one line when it fits)."""
    if not text:
        return []
    lines = text.replace("*/", "*\\/").strip().splitlines()
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *[f"{indent} * {line}".rstrip() for line in lines], f"{indent} */"]


def _interface(name: str, schema: dict[str, Any]) -> list[str]:
    """`export interface Name { ... }` for an object schema."""
    if schema.get("type") != "object":
        raise ValueError(f"{name} is not an object schema")
    required = set(schema.get("required", []))
    lines = [*_doc(schema.get("description"), ""), f"export interface {name} {{"]
    for prop, sub in schema["properties"].items():
        lines += _doc(sub.get("description"), "  ")
        optional = "" if prop in required else "?"
        lines.append(f"  {prop}{optional}: {_ts_type(sub)};")
    lines.append("}")
    return lines


def _refs(schema: Any) -> list[str]:
    """The names of the definitions a schema refers to, in order of appearance."""
    if isinstance(schema, dict):
        found = [str(schema["$ref"]).rsplit("/", 1)[-1]] if "$ref" in schema else []
        for value in schema.values():
            found += _refs(value)
        return found
    if isinstance(schema, list):
        return [name for value in schema for name in _refs(value)]
    return []


def _section(title: str, roots: list[str], defs: dict[str, Any], done: set[str]) -> list[str]:
    """Interfaces for `roots`, each preceded by the definitions it uses first."""
    lines = [f"// --- {title} " + "-" * (92 - len(title)), ""]

    def emit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for used in _refs(defs[name]):
            emit(used)
        lines.extend([*_interface(name, defs[name]), ""])

    for root in roots:
        emit(root)
    return lines


def render() -> str:
    """The contents of packages/client/src/events.ts."""
    turn = event_json_schema()
    queue = queue_event_json_schema()
    defs: dict[str, Any] = {**turn["$defs"], **queue.get("$defs", {})}
    defs[queue["title"]] = {key: value for key, value in queue.items() if key != "$defs"}
    turn_names = [model.__name__ for model in TURN_EVENT_MODELS]
    queue_names = [model.__name__ for model in QUEUE_EVENT_MODELS]
    if [_ts_type(member) for member in turn["oneOf"]] != turn_names:
        raise ValueError("TURN_EVENT_MODELS does not list the members of TurnEvent in order")
    done: set[str] = set()
    lines = [HEADER, *_section("conversation events", turn_names, defs, done)]
    lines += [
        "/** One event of a conversation, told apart by its `type`. */",
        "export type TurnEvent =",
        *[f"  | {name}" for name in turn_names[:-1]],
        f"  | {turn_names[-1]};",
        "",
        "/** The `type` of a conversation event. */",
        'export type TurnEventType = TurnEvent["type"];',
        "",
        *_section("the agents' queue feed", queue_names, defs, done),
        "/** One event of the agents' queue feed. */",
        f"export type QueueEvent = {' | '.join(queue_names)};",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Rewrite the file, or with `--check` report whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run `make events`.")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
