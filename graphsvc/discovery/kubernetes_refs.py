"""Where a Kubernetes workload's containers name other things: the values the Kubernetes reader looks for hosts in.

SEMANTICS.md ("Discovery") names the places, for every container and init container of a pod template:

- `env[].value`: the variable's value, named by the variable (`container api, env DATABASE_URL`);
- `env[].valueFrom.configMapKeyRef`: the ConfigMap key's value, named by the variable (or by the key, when the key
  is named like a secret and the variable is not) (`container api, env REDIS_ADDR, configmap app-config, key
  redis`);
- `envFrom[].configMapRef`: every key of the ConfigMap, in sorted order, named by the key
  (`container api, configmap app-config, key REDIS_ADDR`);
- `command` and `args`: each argument, named by the flag before it when it is a lone `-x` / `--flag`
  (`container api, args`), so `--db-host orders-db` is read like `--db-host=orders-db`.

Secrets (`secretKeyRef`, `envFrom[].secretRef`) are never followed, and neither are `fieldRef` / `resourceFieldRef`
(they name the pod itself). `$(VAR)` expansions are not expanded: the variable they name is read in its own right.
ConfigMaps mounted as volumes are files, not environment, and are not read. A ConfigMap the input does not hold is
reported back, so that the reader can say which keys it could not read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphsvc.discovery.secrets import is_secret_name

__all__ = ["MissingConfigMap", "ValueRef", "as_list", "as_mapping", "as_str", "pod_values"]


def as_mapping(value: Any) -> Mapping[str, Any]:
    """`value` when it is an object, else an empty one: a malformed part of a manifest reads as absent."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """`value` when it is a string, else None."""
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ValueRef:
    """A value a container sees, where it was found, and the name of the variable, key or flag holding it."""

    where: str
    name: str | None
    value: str


@dataclass(frozen=True)
class MissingConfigMap:
    """A ConfigMap a container takes its environment from that the input does not hold."""

    where: str
    name: str


def pod_values(
    pod_spec: Mapping[str, Any], configmaps: Mapping[str, Mapping[str, Any]]
) -> Iterator[ValueRef | MissingConfigMap]:
    """Every value the containers of `pod_spec` see, in order: containers first, then init containers; for each,
    env, envFrom, command, args. `configmaps` maps the names of the namespace's ConfigMaps to their `data`."""
    for field, label in (("containers", "container"), ("initContainers", "init container")):
        for container in as_list(pod_spec.get(field)):
            container = as_mapping(container)
            where = f"{label} {as_str(container.get('name')) or '?'}"
            yield from _env(where, as_list(container.get("env")), configmaps)
            yield from _env_from(where, as_list(container.get("envFrom")), configmaps)
            for part in ("command", "args"):
                yield from _arguments(f"{where}, {part}", as_list(container.get(part)))


def _env(
    where: str, env: list[Any], configmaps: Mapping[str, Mapping[str, Any]]
) -> Iterator[ValueRef | MissingConfigMap]:
    for variable in map(as_mapping, env):
        name = as_str(variable.get("name")) or "?"
        value = as_str(variable.get("value"))
        if value is not None:
            yield ValueRef(f"{where}, env {name}", name, value)
            continue
        ref = as_mapping(as_mapping(variable.get("valueFrom")).get("configMapKeyRef"))
        cm_name, key = as_str(ref.get("name")), as_str(ref.get("key"))
        if cm_name is None or key is None:
            continue
        if cm_name not in configmaps:
            yield MissingConfigMap(f"{where}, env {name}", cm_name)
            continue
        cm_value = as_str(configmaps[cm_name].get(key))
        if cm_value is not None:
            named = key if is_secret_name(key) and not is_secret_name(name) else name
            yield ValueRef(f"{where}, env {name}, configmap {cm_name}, key {key}", named, cm_value)


def _env_from(
    where: str, sources: list[Any], configmaps: Mapping[str, Mapping[str, Any]]
) -> Iterator[ValueRef | MissingConfigMap]:
    for source in map(as_mapping, sources):
        cm_name = as_str(as_mapping(source.get("configMapRef")).get("name"))
        if cm_name is None:
            continue  # a secretRef, or malformed
        if cm_name not in configmaps:
            yield MissingConfigMap(where, cm_name)
            continue
        prefix = as_str(source.get("prefix")) or ""
        data = configmaps[cm_name]
        for key in sorted(k for k in data if isinstance(k, str)):
            value = as_str(data[key])
            if value is not None:
                yield ValueRef(f"{where}, configmap {cm_name}, key {key}", prefix + key, value)


def _arguments(where: str, arguments: list[Any]) -> Iterator[ValueRef]:
    flag: str | None = None
    for argument in arguments:
        if not isinstance(argument, str):
            flag = None
            continue
        yield ValueRef(where, flag, argument)
        flag = argument.lstrip("-") if argument.startswith("-") and "=" not in argument else None
