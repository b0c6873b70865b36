"""Deterministic synthetic CMDB generator: an exchange document of any size.

Pure Python (no neo4j, no strawberry). The estate is layered: business services use technical services, which
use applications; applications store data in databases and run on containers or virtual machines; those are
hosted on servers or cloud resources, which use storage, network devices and facilities. Targets are picked with
a power-law bias, so a few shared infrastructure items become hubs with a large fan-in. Databases, web farms,
load balancers and core switches are partly clustered into redundancy groups with a quorum (`minHealthy`).

The same `(cis, seed)` always gives the same document, byte for byte once serialised: one `random.Random(seed)`
drives everything, nothing is ordered by hash, and all times count from a fixed base (2026-10-01T00:00:00Z).
Incidents, problems, changes, releases, policies and processes come from `graphsvc.synth.records`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from graphsvc.domain.exchange import FORMAT
from graphsvc.synth.records import Topology, add_records, make_requirements, money
from graphsvc.util import cyclic_gc_paused

__all__ = ["FORMAT", "generate_cmdb"]


_Doc = dict[str, Any]
_PROGRESS_STEP = 10_000
_HUB_POSITIONS = 24  # dependents are remembered only for the first targets of a pool: the hubs

# type, share of all CIs, name stem, vendors, monthly cost range; listed from the bottom layer up, so the
# CIs of one type can depend on the types listed before it.
_CI_TYPES: tuple[tuple[str, float, str, tuple[str, ...], tuple[int, int]], ...] = (
    ("FACILITY", 0.005, "fac", ("Equinix", "Digital Realty", "Iron Mountain"), (20_000, 80_000)),
    ("NETWORK_DEVICE", 0.06, "net", ("Cisco", "Juniper", "Arista"), (100, 800)),
    ("STORAGE", 0.03, "san", ("NetApp", "Dell EMC", "Pure Storage"), (2_000, 9_000)),
    ("SERVER", 0.13, "srv", ("Dell", "HPE", "Lenovo"), (300, 1_500)),
    ("CLOUD_RESOURCE", 0.04, "cld", ("AWS", "Azure", "Google Cloud"), (50, 3_000)),
    ("OTHER", 0.015, "svc", ("Internal",), (10, 200)),
    ("VIRTUAL_MACHINE", 0.2, "vm", ("VMware", "KVM", "Hyper-V"), (50, 400)),
    ("LOAD_BALANCER", 0.025, "lb", ("F5", "HAProxy", "Citrix"), (200, 1_000)),
    ("CONTAINER", 0.2, "ctr", ("Docker", "containerd"), (5, 60)),
    ("DATABASE", 0.07, "db", ("Oracle", "PostgreSQL", "Microsoft", "MongoDB"), (200, 2_000)),
    ("SAAS", 0.015, "saas", ("Salesforce", "Okta", "Twilio", "Zendesk"), (500, 5_000)),
    ("APPLICATION", 0.21, "app", ("Internal", "SAP", "Atlassian", "Adobe"), (100, 1_500)),
)

# dependent type -> edges: (target types, kind, chance, chance of SOFT). Target types within one entry are
# disjoint from the other entries', so one CI never gets two edges to the same target.
_EDGES: dict[str, tuple[tuple[tuple[str, ...], str, float, float], ...]] = {
    "NETWORK_DEVICE": ((("FACILITY",), "RUNS_ON", 0.9, 0.0),),
    "STORAGE": ((("FACILITY",), "RUNS_ON", 0.9, 0.0), (("NETWORK_DEVICE",), "CONNECTS_TO", 0.9, 0.0)),
    "SERVER": (
        (("FACILITY",), "RUNS_ON", 0.95, 0.0),
        (("NETWORK_DEVICE",), "CONNECTS_TO", 0.95, 0.0),
        (("STORAGE",), "STORES_DATA_IN", 0.7, 0.05),
    ),
    "CLOUD_RESOURCE": ((("NETWORK_DEVICE",), "CONNECTS_TO", 0.3, 0.3),),
    "OTHER": ((("SERVER", "CLOUD_RESOURCE"), "RUNS_ON", 0.8, 0.0),),
    "VIRTUAL_MACHINE": (
        (("SERVER", "CLOUD_RESOURCE"), "HOSTED_ON", 1.0, 0.0),
        (("STORAGE",), "STORES_DATA_IN", 0.4, 0.0),
    ),
    "LOAD_BALANCER": ((("NETWORK_DEVICE",), "CONNECTS_TO", 1.0, 0.0),),
    "CONTAINER": ((("VIRTUAL_MACHINE", "CLOUD_RESOURCE"), "HOSTED_ON", 1.0, 0.0),),
    "DATABASE": ((("VIRTUAL_MACHINE", "SERVER"), "HOSTED_ON", 1.0, 0.0), (("STORAGE",), "STORES_DATA_IN", 0.5, 0.0)),
    "APPLICATION": (
        (("DATABASE",), "STORES_DATA_IN", 0.85, 0.05),
        (("CONTAINER", "VIRTUAL_MACHINE"), "RUNS_ON", 1.0, 0.0),
        (("LOAD_BALANCER",), "USES", 0.4, 0.2),
        (("SAAS",), "USES", 0.15, 0.5),
        (("OTHER",), "USES", 0.1, 0.6),
        (("APPLICATION",), "CONNECTS_TO", 0.25, 0.5),  # an earlier application only: acyclic
    ),
}

# type -> (chance that a CI starts a group, group size, minHealthy)
_GROUPS: dict[str, tuple[float, int, int]] = {
    "NETWORK_DEVICE": (0.4, 2, 1),
    "SERVER": (0.05, 3, 3),  # a shard set: every member is needed
    "VIRTUAL_MACHINE": (0.1, 2, 1),
    "LOAD_BALANCER": (0.6, 2, 1),
    "CONTAINER": (0.2, 4, 2),
    "DATABASE": (0.3, 3, 2),
}

_OS = (("Ubuntu", "22.04"), ("Ubuntu", "24.04"), ("RHEL", "9.4"), ("Windows Server", "2022"), ("Debian", "12"))
_DB_ENGINES = (("PostgreSQL", "16.4"), ("Oracle", "19c"), ("SQL Server", "2022"), ("MongoDB", "7.0"))
_RTO = (15, 30, 60, 120, 240, 480, 1440)
_ENVIRONMENTS = ("PRODUCTION",) * 14 + ("DR", "STAGING", "TEST", "DEVELOPMENT")
_BU_NAMES = ("Online Sales", "Stores", "Marketing", "Finance", "Logistics", "Customer Care", "Human Resources")
_AREAS = ("Order", "Payment", "Catalogue", "Customer", "Inventory", "Pricing", "Shipping", "Loyalty", "Billing")
_TECH = ("Platform", "Gateway", "Messaging", "Identity", "Search", "Analytics", "Integration", "Storage")
_REGIONS = ("eu-west", "eu-central", "us-east", "us-west", "ap-south")


def _width(n: int) -> int:
    return max(4, len(str(n)))


def _ids(prefix: str, n: int, width: int | None = None) -> list[str]:
    w = width if width is not None else _width(n)
    return [f"{prefix}{k:0{w}d}" for k in range(1, n + 1)]


def _counts(total: int) -> list[int]:
    """Split `total` CIs over the types by share, largest remainder first, so they add up exactly."""
    raw = [total * t[1] for t in _CI_TYPES]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda k: (counts[k] - raw[k], k))
    for k in by_remainder[: total - sum(counts)]:
        counts[k] += 1
    return counts


def _organisation(rng: random.Random, cis: int) -> tuple[list[_Doc], list[_Doc], list[_Doc]]:
    n_bu = max(3, min(100, cis // 5_000))
    n_team = max(3, min(2_000, cis // 400))
    n_site = max(3, min(200, cis // 5_000))
    units = [
        {"id": i, "name": f"{_BU_NAMES[k % len(_BU_NAMES)]} {k // len(_BU_NAMES) + 1}", "costCenter": f"CC-{k + 100}"}
        for k, i in enumerate(_ids("BU-", n_bu))
    ]
    teams = [
        {"id": i, "name": f"{_TECH[k % len(_TECH)]} Team {k + 1}", "email": f"team{k + 1}@example.com"}
        for k, i in enumerate(_ids("TEAM-", n_team))
    ]
    sites = []
    for k, i in enumerate(_ids("SITE-", n_site)):
        cloud = k % 3 == 2
        region = _REGIONS[rng.randrange(len(_REGIONS))]
        name = f"Cloud region {region}-{k + 1}" if cloud else f"Data centre {k + 1}"
        sites.append({"id": i, "name": name, "region": region})
    return units, teams, sites


def _attributes(ctype: str, name: str, n: int, rand: Callable[[], float]) -> dict[str, Any]:
    ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
    if ctype in ("SERVER", "VIRTUAL_MACHINE"):
        os_name, os_version = _OS[int(rand() * len(_OS))]
        return {"hostname": name, "ip": ip, "os": os_name, "osVersion": os_version}
    if ctype == "DATABASE":
        engine, version = _DB_ENGINES[int(rand() * len(_DB_ENGINES))]
        return {"hostname": name, "engine": engine, "version": version}
    if ctype == "APPLICATION":
        return {"version": f"{int(rand() * 9) + 1}.{int(rand() * 20)}.{int(rand() * 10)}"}
    if ctype in ("NETWORK_DEVICE", "LOAD_BALANCER", "CONTAINER"):
        return {"hostname": name, "ip": ip}
    if ctype == "STORAGE":
        return {"capacityTb": 50 * (int(rand() * 20) + 1)}
    return {}


class _Builder:
    """Accumulates CIs, groups and dependencies; one instance per generated document."""

    def __init__(self, rng: random.Random, cis: int, teams: list[str], sites: list[_Doc]) -> None:
        self.rng = rng
        self.cis: list[_Doc] = []
        self.groups: list[_Doc] = []
        self.deps: list[_Doc] = []
        self.targets: dict[str, list[str]] = {t[0]: [] for t in _CI_TYPES}
        self.live_by_type: dict[str, list[str]] = {t[0]: [] for t in _CI_TYPES}
        self.dependents: dict[str, list[str]] = {}
        self.teams = teams
        self.dc_sites = [s["id"] for s in sites if not s["name"].startswith("Cloud")]
        self.cloud_sites = [s["id"] for s in sites if s["name"].startswith("Cloud")]
        self.site_codes = {
            s["id"]: f"{'cl' if s['name'].startswith('Cloud') else 'dc'}{k + 1}" for k, s in enumerate(sites)
        }
        self.app_links: set[tuple[str, str]] = set()
        self.clusters: list[_Doc] = []
        self.width = max(6, len(str(cis)))
        self.group_width = max(6, len(str(cis // 2)))

    def pick(self, pool: list[str]) -> tuple[str, int]:
        """A power-law pick: position 0 is chosen far more often than the last one."""
        k = int(len(pool) * self.rng.random() ** 3)
        return pool[k], k

    def add_edge(self, source: str, target: str, kind: str, soft: bool, hub: bool) -> None:
        dep: _Doc = {"from": source, "to": target, "kind": kind}
        if soft:
            dep["strength"] = "SOFT"
        self.deps.append(dep)
        if hub:
            seen = self.dependents.setdefault(target, [])
            if len(seen) < 8:
                seen.append(source)

    def build_type(self, index: int, first: int, count: int, progress: Callable[[int], None] | None) -> None:
        ctype, _, stem, vendors, (lo, hi) = _CI_TYPES[index]
        rand, teams, codes = self.rng.random, self.teams, self.site_codes
        sites = self.cloud_sites if ctype in ("CLOUD_RESOURCE", "CONTAINER") else self.dc_sites
        edges = _EDGES.get(ctype, ())
        targets, live = self.targets[ctype], self.live_by_type[ctype]
        chance, size, quorum = _GROUPS.get(ctype, (0.0, 1, 1))
        group: list[str] = []
        for n in range(first, first + count):
            cid = f"CI-{n:0{self.width}d}"
            site = sites[int(rand() * len(sites))]
            name = f"{codes[site]}-{stem}-{n - first + 1:0{self.width}d}"
            retired = rand() < 0.01
            ci: _Doc = {
                "id": cid,
                "name": name,
                "type": ctype,
                "environment": _ENVIRONMENTS[int(rand() * len(_ENVIRONMENTS))],
                "status": "RETIRED" if retired else ("MAINTENANCE" if rand() < 0.01 else "ACTIVE"),
                "criticality": 1 + int(4 * rand() ** 1.3),
                "monthlyCost": money(lo * 100 + int(rand() * (hi - lo) * 100)),
                "vendor": vendors[int(rand() * len(vendors))],
            }
            if ctype != "SAAS":
                ci["site"] = site
            if rand() < 0.97:
                ci["owner"] = teams[int(len(teams) * rand() ** 2)]
            if rand() < 0.8:
                ci["rtoMinutes"] = _RTO[int(rand() * len(_RTO))]
                ci["rpoMinutes"] = _RTO[int(rand() * 4)] if ctype in ("DATABASE", "STORAGE") else 0
            if rand() < 0.7:
                ci["utilization"] = round(min(100.0, 5 + 95 * rand() ** 1.5), 1)
            attrs = _attributes(ctype, name, n, rand)
            if attrs:
                ci["attributes"] = attrs
            self.cis.append(ci)
            for types, kind, p, soft in edges:
                if rand() >= p:
                    continue
                pools = [self.targets[t] for t in types if self.targets[t]]
                if pools:
                    target, k = self.pick(pools[int(rand() * len(pools))])
                    self.add_edge(cid, target, kind, rand() < soft, k < _HUB_POSITIONS)
                    if types == ("APPLICATION",):
                        self.app_links.add((cid, target))
            if not retired:  # nothing new depends on a retired CI
                live.append(cid)
                if group or (chance and rand() < chance):
                    group.append(cid)
                    if len(group) == size:
                        self._close_group(ctype, group, quorum, targets)
                        group = []
                else:
                    targets.append(cid)
            if progress is not None and n % _PROGRESS_STEP == 0:  # CIs are numbered from 1 across all types
                progress(n)
        targets.extend(group)  # an unfinished group: its CIs stand alone

    def _close_group(self, ctype: str, members: list[str], quorum: int, targets: list[str]) -> None:
        gid = f"RG-{len(self.groups) + 1:0{self.group_width}d}"
        label = {"DATABASE": "cluster", "CONTAINER": "web farm", "SERVER": "shard set"}.get(ctype, "pair")
        group = {"id": gid, "name": f"{ctype.lower()} {label} {gid[3:]}", "minHealthy": quorum, "members": members}
        self.groups.append(group)
        if ctype == "DATABASE":
            self.clusters.append(group)
        targets.append(gid)

    def add_cycles(self) -> None:
        """A few application call loops (a -> b -> c -> a), deterministic, so analyses meet real cycles."""
        apps = self.live_by_type["APPLICATION"]
        for c in range(min(20, max(1, len(apps) // 20_000)) if len(apps) >= 30 else 0):
            a, b, d = apps[-3 - 9 * c], apps[-2 - 9 * c], apps[-1 - 9 * c]
            for source, target in ((a, b), (b, d), (d, a)):
                if (source, target) not in self.app_links:
                    self.add_edge(source, target, "CONNECTS_TO", False, False)


def _service(rng: random.Random, sid: str, name: str, tier: str, teams: list[str]) -> _Doc:
    rand = rng.random
    crit = 1 + int(4 * rand() ** 1.5)
    roll = rand()
    svc: _Doc = {
        "id": sid,
        "name": name,
        "tier": tier,
        "criticality": crit,
        "status": "PLANNED" if roll < 0.02 else ("RETIRED" if roll < 0.03 else "ACTIVE"),
        "rtoMinutes": (60, 240, 480, 1440)[crit - 1],
        "rpoMinutes": (15, 60, 240, 1440)[crit - 1],
        "availabilityTarget": (99.95, 99.9, 99.5, 99.0)[crit - 1],
        "monthlyCost": money(int(rand() * 500_000)),
    }
    if rand() < 0.98:
        svc["owner"] = teams[int(rand() * len(teams))]
    return svc


def _services(
    rng: random.Random, b: _Builder, units: list[str], teams: list[str], cis: int
) -> tuple[list[_Doc], list[_Doc], list[_Doc], list[_Doc], dict[str, str]]:
    """Business and technical services, their dependencies, consumption and SLAs.

    Also returns, for each technical service, the first business service that uses it (for requirement chains).
    """
    rand = rng.random
    n_bs, n_ts = max(1, min(10_000, cis // 150)), max(2, min(40_000, cis // 25))
    n_platform = max(1, n_ts // 20)
    technical = [
        _service(rng, sid, f"{_AREAS[k % len(_AREAS)]} {_TECH[(k // 3) % len(_TECH)]} {k + 1}", "TECHNICAL", teams)
        for k, sid in enumerate(_ids("SVC-T", n_ts))
    ]
    business = [
        _service(rng, sid, f"{_AREAS[k % len(_AREAS)]} Management {k + 1}", "BUSINESS", teams)
        for k, sid in enumerate(_ids("SVC-B", n_bs))
    ]
    deps = b.deps
    pool = b.live_by_type["APPLICATION"] or [c for t in _CI_TYPES for c in b.live_by_type[t[0]]]
    for k, app in enumerate(pool):
        if rand() >= 0.03:  # the rest are orphans: nothing depends on them
            deps.append({"from": technical[k % n_ts]["id"], "to": app, "kind": "USES"} | _soft(rand, 0.15))
    ts_ids = [s["id"] for s in technical]
    for k in range(1, n_ts):
        target, _ = b.pick(ts_ids[: min(k, n_platform)])
        kind = "AUTHENTICATES_WITH" if target == ts_ids[0] else "USES"
        deps.append({"from": ts_ids[k], "to": target, "kind": kind} | _soft(rand, 0.3))
    first_user: dict[str, str] = {}
    products = ts_ids[n_platform:] or ts_ids
    consumption: list[_Doc] = []
    slas: list[_Doc] = []
    for svc in business:
        used = sorted({products[int(rand() * len(products))] for _ in range(2 + int(rand() * 3))})
        for ts in used:
            deps.append({"from": svc["id"], "to": ts, "kind": "USES"} | _soft(rand, 0.1))
            first_user.setdefault(ts, svc["id"])
        if rand() < 0.03:  # a service nobody consumes
            continue
        for bu in sorted({units[int(rand() * len(units))] for _ in range(1 + int(rand() * 3))}):
            consumption.append({"businessUnit": bu, "service": svc["id"], "share": (1, 2, 3, 5, 0.5)[int(rand() * 5)]})
            if rand() < 0.5:
                crit = svc["criticality"]
                slas.append(
                    {
                        "id": f"SLA-{len(slas) + 1:06d}",
                        "name": f"{svc['name']} for {bu}",
                        "service": svc["id"],
                        "businessUnit": bu,
                        "availabilityTarget": svc["availabilityTarget"],
                        "responseMinutes": (15, 30, 60, 240)[crit - 1],
                        "resolutionMinutes": (240, 480, 1440, 4320)[crit - 1],
                    }
                )
    return business, technical, consumption, slas, first_user


def _soft(rand: Callable[[], float], chance: float) -> _Doc:
    return {"strength": "SOFT"} if rand() < chance else {}


def generate_cmdb(cis: int, seed: int = 1, *, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Generate a synthetic CMDB exchange document with exactly `cis` configuration items.

    Services, groups, requirements, policies and records come on top, scaled with `cis`. `progress`, if given,
    is called every 10,000 CIs with the number of CIs generated so far, and last with `cis` itself.
    Deterministic: the same `(cis, seed)` gives an equal document.
    """
    if cis < 0:
        raise ValueError(f"cis must be >= 0, got {cis}")
    # The document is a tree of fresh dicts and lists with no reference cycles, so the cyclic collector only
    # rescans millions of live objects for nothing; pausing it cuts the time for 1M CIs by about a third.
    with cyclic_gc_paused():
        return _generate(cis, seed, progress)


def _generate(cis: int, seed: int, progress: Callable[[int], None] | None) -> _Doc:
    rng = random.Random(seed)
    units, teams, sites = _organisation(rng, cis)
    team_ids = [t["id"] for t in teams]
    unit_ids = [u["id"] for u in units]
    b = _Builder(rng, cis, team_ids, sites)
    first = 1
    for index, count in enumerate(_counts(cis)):
        b.build_type(index, first, count, progress)
        first += count
    if progress is not None and cis % _PROGRESS_STEP:
        progress(cis)
    b.add_cycles()
    business, technical, consumption, slas, first_user = _services(rng, b, unit_ids, team_ids, cis)
    requirements, metrics = make_requirements(rng, unit_ids, business, technical, first_user)
    doc: _Doc = {
        "format": FORMAT,
        "businessUnits": units,
        "teams": teams,
        "sites": sites,
        "requirements": requirements,
        "metrics": metrics,
        "services": business + technical,
        "configurationItems": b.cis,
        "redundancyGroups": b.groups,
        "dependencies": b.deps,
        "consumption": consumption,
        "slas": slas,
    }
    topology = Topology(
        cis=b.cis,
        live=[c for t in _CI_TYPES for c in b.live_by_type[t[0]]],
        business=business,
        technical=technical,
        clusters=b.clusters,
        dependents=b.dependents,
    )
    add_records(doc, rng, topology, incidents=max(1, min(10_000, cis // 10)) if cis else 0)
    return doc
