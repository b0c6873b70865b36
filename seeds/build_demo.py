"""Build seeds/demo.json: the CMDB of "Northwind Retail", a UK online and high-street retailer.

Run from anywhere: `python seeds/build_demo.py`. The output is deterministic (fixed tables, a seeded random
generator for filler values, every list sorted), so a rebuild only changes demo.json when this script changes.
The demo is set on Thursday 19 November 2026, a week before Black Friday; seeds/README.md describes the
scenarios it contains.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "demo.json"
rng = random.Random(2026)

UNITS = [  # id, name, cost centre
    ("BU-ONLINE", "Online Sales", "CC-1100"), ("BU-STORES", "Stores", "CC-1200"),
    ("BU-MARKETING", "Marketing", "CC-1300"), ("BU-FINANCE", "Finance", "CC-1400"),
    ("BU-LOGISTICS", "Logistics", "CC-1500"), ("BU-CUSTOMER-CARE", "Customer Care", "CC-1600"),
]  # fmt: skip
TEAMS = [  # id, name
    ("TEAM-INFRA", "Infrastructure & Hosting"), ("TEAM-NETWORK", "Network Operations"),
    ("TEAM-DBA", "Database Administration"), ("TEAM-CLOUD", "Cloud Platform"), ("TEAM-SRE", "Site Reliability"),
    ("TEAM-STOREFRONT", "Digital Storefront"), ("TEAM-CHECKOUT", "Checkout & Payments"),
    ("TEAM-ORDERS", "Order Management"), ("TEAM-SUPPLY", "Supply Chain Systems"), ("TEAM-DATA", "Data & Analytics"),
    ("TEAM-IDENTITY", "Identity & Security"), ("TEAM-FINANCE-SYS", "Finance Systems"),
    ("TEAM-STORES-IT", "Store Technology"), ("TEAM-MARTECH", "Marketing Technology"),
    ("TEAM-SERVICE-DESK", "Service Desk"),
]  # fmt: skip
SITES = [  # id, name, region, address prefix
    ("SITE-DC1", "DC1 London (Slough, Equinix LD5)", "uk-south", "10.1"),
    ("SITE-DC2", "DC2 Manchester (Pulsant)", "uk-north", "10.2"),
    ("SITE-AWS", "AWS eu-west-2 (London)", "eu-west-2", "10.20"),
    ("SITE-STORES", "High-street store estate", "uk", "10.50"),
]

# type -> (monthly cost, vendor, rtoMinutes, rpoMinutes, owner); None = no value recorded
TYPE_DEFAULTS: dict[str, tuple[int, str, int | None, int | None, str]] = {
    "FACILITY": (42_000, "Equinix", 2880, 0, "TEAM-INFRA"),
    "NETWORK_DEVICE": (650, "Arista", 240, 0, "TEAM-NETWORK"),
    "LOAD_BALANCER": (1_400, "F5", 60, 0, "TEAM-NETWORK"),
    "STORAGE": (6_500, "NetApp", 480, 60, "TEAM-INFRA"),
    "SERVER": (900, "Dell", 120, 0, "TEAM-INFRA"),
    "VIRTUAL_MACHINE": (180, "VMware", 30, 0, "TEAM-INFRA"),
    "CONTAINER": (45, "Docker", 5, 0, "TEAM-CLOUD"),
    "DATABASE": (1_100, "PostgreSQL", 30, 15, "TEAM-DBA"),
    "CLOUD_RESOURCE": (800, "AWS", 60, 0, "TEAM-CLOUD"),
    "SAAS": (4_000, "", None, None, "TEAM-SRE"),
    "APPLICATION": (300, "Northwind", 15, 0, "TEAM-SRE"),
    "OTHER": (100, "", None, None, "TEAM-INFRA"),
}
HOT = {  # utilization above the 85% headroom
    "dc1-san-01": 91.5, "dc1-esx-03": 88.0, "dc1-db-hana-01": 93.2, "dc1-fw-01": 87.4, "pg-inventory-01": 86.1,
    "aws-cache-cart": 89.9,
}  # fmt: skip

doc: dict[str, Any] = {"format": "graphsvc-cmdb/1"}
cis: list[dict[str, Any]] = []
deps: list[dict[str, Any]] = []
groups: list[dict[str, Any]] = []
addresses: dict[str, int] = {}


def ci_id(name: str) -> str:
    return "CI-" + name.upper()


def ref(token: str) -> str:
    """A table token: "~" marks a SOFT dependency; a bare lower-case name is a CI's name."""
    token = token.lstrip("~")
    return token if token[:3] in ("CI-", "RG-", "SVC") else ci_id(token)


def add(name: str, ctype: str, site: str | None, **extra: Any) -> str:
    """Add a CI; keyword arguments override the type's defaults (None removes the field)."""
    cost, vendor, rto, rpo, owner = TYPE_DEFAULTS[ctype]
    ci: dict[str, Any] = {"id": ci_id(name), "name": name, "type": ctype, "environment": "PRODUCTION"}
    ci |= {"status": "ACTIVE", "criticality": 2, "monthlyCost": f"{cost * rng.uniform(0.8, 1.2):.2f}"}
    ci |= {"rtoMinutes": rto, "rpoMinutes": rpo, "site": site, "owner": owner, "vendor": vendor or None}
    if ctype not in ("SAAS", "APPLICATION", "FACILITY", "OTHER"):
        ci["utilization"] = HOT.get(name, round(rng.uniform(12, 78), 1))
    attrs: dict[str, Any] = {}
    if site is not None and ctype not in ("FACILITY", "CLOUD_RESOURCE", "SAAS", "APPLICATION"):
        prefix = next(s[3] for s in SITES if s[0] == site)
        k = addresses[site] = addresses.get(site, 0) + 1
        attrs = {"hostname": name, "ip": f"{prefix}.{k // 200 + 10}.{k % 200 + 10}"}
    ci["attributes"] = attrs | extra.pop("attributes", {})
    ci |= extra
    cis.append({k: v for k, v in ci.items() if v is not None and v != {}})
    return ci_id(name)


def dep(source: str, token: str, kind: str = "USES") -> None:
    deps.append(
        {"from": ref(source), "to": ref(token), "kind": kind} | ({"strength": "SOFT"} if token[0] == "~" else {})
    )


def group(gid: str, name: str, min_healthy: int, members: list[str]) -> str:
    groups.append({"id": gid, "name": name, "minHealthy": min_healthy, "members": members})
    return gid


def farm(gid: str, label: str, min_healthy: int, names: list[str], ctype: str, site: str, **extra: Any) -> str:
    return group(gid, label, min_healthy, [add(n, ctype, site, **extra) for n in names])


# --- data centres: facility, network, storage, hypervisors --------------------------------------------------
HOST = {"os": "VMware ESXi", "osVersion": "8.0 U2"}
esx: dict[str, list[str]] = {}
for dc, site, n_acc, n_esx, provider in (("dc1", "SITE-DC1", 8, 16, "Equinix"), ("dc2", "SITE-DC2", 6, 8, "Pulsant")):
    fac = add(f"{dc}-facility", "FACILITY", site, vendor=provider, criticality=1, attributes={"tier": "III"})
    edge = farm(f"RG-{dc.upper()}-EDGE", f"{dc.upper()} edge routers", 1, [f"{dc}-rtr-01", f"{dc}-rtr-02"],
                "NETWORK_DEVICE", site, vendor="Juniper", criticality=1)  # fmt: skip
    fw = farm(f"RG-{dc.upper()}-FW", f"{dc.upper()} firewall pair", 1, [f"{dc}-fw-01", f"{dc}-fw-02"],
              "NETWORK_DEVICE", site, vendor="Palo Alto Networks", criticality=1)  # fmt: skip
    core = farm(f"RG-{dc.upper()}-CORE", f"{dc.upper()} core switches", 1, [f"{dc}-core-sw-01", f"{dc}-core-sw-02"],
                "NETWORK_DEVICE", site, criticality=1)  # fmt: skip
    lb = farm(f"RG-{dc.upper()}-LB", f"{dc.upper()} load balancer pair", 1, [f"{dc}-lb-01", f"{dc}-lb-02"],
              "LOAD_BALANCER", site, criticality=1, attributes={"model": "BIG-IP i5800"})  # fmt: skip
    for g, uplink in ((edge, None), (fw, edge), (core, None), (lb, fw)):
        for member in next(x["members"] for x in groups if x["id"] == g):
            dep(member, fac, "RUNS_ON")
            if uplink:
                dep(member, uplink, "CONNECTS_TO")
    add(f"{dc}-dns-01", "NETWORK_DEVICE", site, vendor="Infoblox", criticality=1)
    dep(f"{dc}-dns-01", core, "CONNECTS_TO")
    access = [add(f"{dc}-acc-sw-{k:02d}", "NETWORK_DEVICE", site, vendor="Arista") for k in range(1, n_acc + 1)]
    for a in access:
        dep(a, core, "CONNECTS_TO")
        dep(a, fac, "RUNS_ON")
    arrays = [add(f"{dc}-san-01", "STORAGE", site, criticality=1, attributes={"model": "AFF A400", "capacityTb": 420})]
    if dc == "dc1":
        arrays.append(add("dc1-san-02", "STORAGE", site, criticality=1, attributes={"model": "AFF A250"}))
    add(f"{dc}-backup-01", "STORAGE", site, vendor="Dell EMC", rtoMinutes=1440, rpoMinutes=1440,
        attributes={"model": "PowerProtect DD6900"})  # fmt: skip
    for a in [*arrays, f"{dc}-backup-01"]:
        dep(a, core, "CONNECTS_TO")
        dep(a, fac, "RUNS_ON")
    esx[dc] = []
    for k in range(1, n_esx + 1):  # dc1-esx-13..16 are the SAP hosts on dc1-san-02
        host = add(f"{dc}-esx-{k:02d}", "SERVER", site, attributes=HOST | {"model": "PowerEdge R760"})
        esx[dc].append(host)
        dep(host, fac, "RUNS_ON")
        dep(host, access[(k - 1) % n_acc], "CONNECTS_TO")
        dep(host, arrays[1 if k > 12 else 0], "STORES_DATA_IN")
add("dc1-dns-02", "NETWORK_DEVICE", None, status="RETIRED", vendor="Infoblox", owner=None)  # replaced in 2025

# --- AWS and the stores ---------------------------------------------------------------------------------------
AWS = "SITE-AWS"
add("aws-vpc-prod", "CLOUD_RESOURCE", AWS, criticality=1, attributes={"cidr": "10.20.0.0/16"})
add("aws-eks-prod", "CLOUD_RESOURCE", AWS, criticality=1, attributes={"kubernetesVersion": "1.30"})
add("aws-direct-connect", "NETWORK_DEVICE", AWS, criticality=1, rtoMinutes=240, attributes={"bandwidth": "10G"})
dep("aws-direct-connect", "RG-DC1-EDGE", "CONNECTS_TO")
eks = farm("RG-AWS-EKS-NODES", "EKS node group (m6i.2xlarge)", 8, [f"aws-eks-node-{k:02d}" for k in range(1, 13)],
           "VIRTUAL_MACHINE", AWS, vendor="AWS", attributes={"os": "Bottlerocket", "osVersion": "1.20"})  # fmt: skip
for node in next(g["members"] for g in groups if g["id"] == eks):
    dep(node, "aws-eks-prod", "RUNS_ON")
    dep(node, "aws-vpc-prod", "CONNECTS_TO")
for name, ctype, extra in (
    ("aws-alb-storefront", "LOAD_BALANCER", {"vendor": "AWS"}), ("aws-alb-api", "LOAD_BALANCER", {"vendor": "AWS"}),
    ("aws-rds-catalog", "DATABASE", {"rpoMinutes": 5}), ("aws-rds-accounts", "DATABASE", {"rpoMinutes": 5}),
    ("aws-rds-pricing", "DATABASE", {"rpoMinutes": 5}), ("aws-cache-cart", "DATABASE", {"vendor": "Redis"}),
    ("aws-cache-sessions", "DATABASE", {"vendor": "Redis"}), ("aws-s3-media", "CLOUD_RESOURCE", {"rtoMinutes": 15}),
    ("aws-dynamodb-features", "CLOUD_RESOURCE", {}), ("aws-route53", "CLOUD_RESOURCE", {"criticality": 1}),
):  # fmt: skip
    add(name, ctype, AWS, **extra)
    if ctype != "CLOUD_RESOURCE":
        dep(name, "aws-vpc-prod", "CONNECTS_TO")
farm("RG-ES-SEARCH", "OpenSearch domain", 2, [f"aws-es-{k:02d}" for k in range(1, 4)], "DATABASE", AWS,
     vendor="AWS OpenSearch", rpoMinutes=1440)  # fmt: skip
for k in range(1, 4):
    dep(f"aws-es-{k:02d}", "aws-vpc-prod", "CONNECTS_TO")
controllers = []
for k in range(1, 21):  # each store: a WAN router and a POS controller
    add(f"st{k:02d}-rtr-01", "NETWORK_DEVICE", "SITE-STORES", vendor="Cisco", rtoMinutes=480)
    dep(f"st{k:02d}-rtr-01", "RG-DC1-EDGE", "CONNECTS_TO")
    controllers.append(add(f"st{k:02d}-pos-ctl-01", "SERVER", "SITE-STORES", vendor="Toshiba", rtoMinutes=240))
    dep(f"st{k:02d}-pos-ctl-01", f"st{k:02d}-rtr-01", "CONNECTS_TO")
group("RG-STORE-POS", "Store POS controllers (trading while 17 of 20 stores are up)", 17, controllers)

# --- SaaS and databases ------------------------------------------------------------------------------------------
for name, vendor in (("saas-adyen", "Adyen"), ("saas-sift", "Sift"), ("saas-salesforce", "Salesforce"),
                     ("saas-sendgrid", "Twilio SendGrid"), ("saas-snowflake", "Snowflake"), ("saas-akamai", "Akamai"),
                     ("saas-metapack", "Metapack"), ("saas-vertex", "Vertex")):  # fmt: skip
    add(name, "SAAS", None, vendor=vendor, criticality=1 if name in ("saas-adyen", "saas-akamai") else 2)
PG: dict[str, Any] = {"engine": "PostgreSQL", "version": "16.4"}
DBS: list[tuple[str, str, str, str, str | None, dict[str, Any]]] = [  # db, host, host type, site, cluster, overrides
    ("pg-orders-01", "dc1-db-orders-01", "SERVER", "dc1", "RG-DB-ORDERS", {"rtoMinutes": 15, "rpoMinutes": 0}),
    ("pg-orders-02", "dc1-db-orders-02", "SERVER", "dc1", "RG-DB-ORDERS", {"rtoMinutes": 15, "rpoMinutes": 0}),
    ("pg-orders-03", "dc1-db-orders-03", "SERVER", "dc1", "RG-DB-ORDERS", {"rtoMinutes": 15, "rpoMinutes": 0}),
    ("pg-inventory-01", "dc1-db-inventory-01", "VIRTUAL_MACHINE", "dc1", None,
     {"rtoMinutes": None, "rpoMinutes": None}),
    ("pg-loyalty-01", "dc1-db-loyalty-01", "VIRTUAL_MACHINE", "dc1", None, {"rtoMinutes": 480, "rpoMinutes": 1440}),
    ("pg-pos-01", "dc1-db-pos-01", "VIRTUAL_MACHINE", "dc1", "RG-DB-POS", {}),
    ("pg-pos-02", "dc1-db-pos-02", "VIRTUAL_MACHINE", "dc1", "RG-DB-POS", {}),
    ("pg-keycloak-01", "dc1-db-keycloak-01", "VIRTUAL_MACHINE", "dc1", None, {}),
    ("pg-giftcards-01", "dc1-db-giftcards-01", "VIRTUAL_MACHINE", "dc1", None, {"owner": None}),
    ("hana-erp-01", "dc1-db-hana-01", "SERVER", "dc1", None,
     {"rtoMinutes": 480, "rpoMinutes": 60, "vendor": "SAP", "attributes": {"engine": "SAP HANA", "version": "2.0"}}),
    ("mssql-wms-01", "dc2-db-wms-01", "SERVER", "dc2", "RG-DB-WMS",
     {"vendor": "Microsoft", "attributes": {"engine": "SQL Server", "version": "2022"}}),
    ("mssql-wms-02", "dc2-db-wms-02", "SERVER", "dc2", "RG-DB-WMS",
     {"vendor": "Microsoft", "attributes": {"engine": "SQL Server", "version": "2022"}}),
    ("ora-finance-old", "dc1-db-finance-old-01", "VIRTUAL_MACHINE", "dc1", None,
     {"status": "RETIRED", "vendor": "Oracle", "attributes": {"engine": "Oracle", "version": "12c"}}),
]  # fmt: skip
placed: dict[str, int] = {"dc1": 0, "dc2": 0, "sap": 0}


def place(vm: str, dc: str, sap: bool = False) -> None:
    """Host a VM on the next hypervisor of its data centre (SAP VMs on the SAP hosts) and its datastore."""
    hosts = esx[dc][12:] if sap else esx[dc][:12]
    pool = "sap" if sap else dc
    dep(vm, hosts[placed[pool] % len(hosts)], "HOSTED_ON")
    placed[pool] += 1
    dep(vm, "dc1-san-02" if sap else f"{dc}-san-01", "STORES_DATA_IN")


clusters: dict[str, list[str]] = {}
for db, host, host_type, dc, cluster, overrides in DBS:
    site = f"SITE-{dc.upper()}"
    retired = {"status": "RETIRED"} if overrides.get("status") == "RETIRED" else {}
    add(host, host_type, site, attributes={"os": "RHEL", "osVersion": "9.4"}, **retired)
    if host_type == "SERVER":
        dep(host, f"{dc}-facility", "RUNS_ON")
        dep(host, f"{dc}-acc-sw-0{len(clusters.get(cluster or '', [])) + 1}", "CONNECTS_TO")
    else:
        place(host, dc)
    attrs = PG | {"hostname": host} | overrides.pop("attributes", {})
    add(db, "DATABASE", site, attributes=attrs, criticality=1 if cluster else 2, **overrides)
    dep(db, host, "HOSTED_ON")
    if cluster:
        clusters.setdefault(cluster, []).append(ci_id(db))
group("RG-DB-ORDERS", "Orders PostgreSQL cluster (Patroni)", 2, clusters["RG-DB-ORDERS"])
group("RG-DB-POS", "POS database primary/standby", 1, clusters["RG-DB-POS"])
group("RG-DB-WMS", "WMS SQL Server availability group", 1, clusters["RG-DB-WMS"])
WINDOWS = {"os": "Windows Server", "osVersion": "2022"}
for dc in ("dc1", "dc2"):
    add(
        f"{dc}-ad-01",
        "VIRTUAL_MACHINE",
        f"SITE-{dc.upper()}",
        vendor="Microsoft",
        owner="TEAM-IDENTITY",
        attributes=WINDOWS,
    )
    place(f"{dc}-ad-01", dc)
group("RG-AD", "Active Directory domain controllers", 1, [ci_id("dc1-ad-01"), ci_id("dc2-ad-01")])
add("dc1-ftp-legacy-01", "VIRTUAL_MACHINE", "SITE-DC1", owner=None, attributes={"os": "CentOS", "osVersion": "7"})
place("dc1-ftp-legacy-01", "dc1")  # nothing depends on it: an orphan

# --- applications: runtime "eks" = pods, "dc1"/"dc2"/"sap" = VMs; n instances, grouped when more than one -----
# key, name, owner, runtime, instances, minHealthy, version, what it uses ("~" = SOFT)
APPS: list[tuple[str, str, str | None, str, int, int, str, str]] = [
    ("storefront-web", "Storefront Web (Next.js)", "TEAM-STOREFRONT", "eks", 4, 2, "14.2.3",
     "aws-alb-storefront CI-APP-INGRESS aws-s3-media CI-APP-STOREFRONT-BFF ~CI-APP-IMAGES"),
    ("ingress", "NGINX ingress controller", "TEAM-CLOUD", "eks", 3, 2, "1.11.2", ""),
    ("images", "Image Resizer", "TEAM-STOREFRONT", "eks", 2, 1, "2.0.1", "aws-s3-media"),
    ("tax", "Tax Calculation", "TEAM-CHECKOUT", "eks", 2, 1, "3.1.0", "saas-vertex"),
    ("storefront-bff", "Storefront BFF", "TEAM-STOREFRONT", "eks", 4, 2, "3.8.0",
     "CI-APP-API-GATEWAY aws-cache-sessions"),
    ("api-gateway", "Kong API Gateway", "TEAM-SRE", "eks", 3, 2, "3.7.1", "aws-alb-api CI-APP-INGRESS"),
    ("catalog", "Product Catalogue API", "TEAM-STOREFRONT", "eks", 4, 2, "5.1.0", "aws-rds-catalog"),
    ("search", "Search API", "TEAM-STOREFRONT", "eks", 3, 2, "2.9.4", "RG-ES-SEARCH"),
    ("recommend", "Recommendation Engine", "TEAM-DATA", "eks", 2, 1, "0.9.7", "aws-dynamodb-features ~saas-snowflake"),
    ("reviews", "Product Reviews", "TEAM-STOREFRONT", "eks", 2, 1, "1.4.2", "aws-rds-catalog"),
    ("promotions", "Promotions Service", "TEAM-MARTECH", "eks", 2, 1, "2.2.0", "aws-rds-pricing"),
    ("pricing", "Pricing Engine", "TEAM-CHECKOUT", "eks", 2, 1, "4.0.3", "aws-rds-pricing CI-APP-PROMOTIONS"),
    ("cart", "Cart Service", "TEAM-CHECKOUT", "eks", 3, 2, "3.3.1", "aws-cache-cart"),
    ("checkout", "Checkout API", "TEAM-CHECKOUT", "eks", 4, 2, "5.1.7",
     "CI-APP-CART CI-APP-ORDERS CI-APP-PAYMENT-ADAPTER CI-APP-PRICING CI-APP-TAX ~saas-sift aws-direct-connect"),
    ("accounts", "Customer Accounts API", "TEAM-IDENTITY", "eks", 3, 2, "6.0.2", "aws-rds-accounts CI-APP-KEYCLOAK"),
    ("returns", "Returns Service", "TEAM-ORDERS", "eks", 2, 1, "1.3.0", "CI-APP-ORDERS aws-rds-accounts"),
    ("wishlist", "Wishlist Service", "TEAM-STOREFRONT", "eks", 2, 1, "1.1.4", "aws-cache-sessions"),
    ("notifications", "Notification Service", "TEAM-SRE", "eks", 2, 1, "1.8.0", "CI-APP-EMAIL-RELAY"),
    ("mobile-bff", "Mobile BFF", "TEAM-STOREFRONT", "none", 0, 0, "0.1.0", "CI-APP-API-GATEWAY"),
    ("payment-adapter", "Payment Gateway Adapter", "TEAM-CHECKOUT", "dc1", 3, 2, "7.4.0",
     "saas-adyen RG-DC1-FW CI-APP-VAULT"),
    ("orders", "Order Service", "TEAM-ORDERS", "dc1", 3, 2, "3.3.0",
     "RG-DB-ORDERS CI-APP-KAFKA CI-APP-INVENTORY RG-DC1-LB CI-APP-VAULT"),
    ("inventory", "Inventory Service", "TEAM-SUPPLY", "dc1", 3, 2, "2.6.1",
     "pg-inventory-01 CI-APP-KAFKA ~CI-APP-ORDERS ~CI-APP-SUPPLIER-EDI"),
    ("loyalty", "Loyalty Service", "TEAM-MARTECH", "dc1", 1, 0, "1.12.0", "pg-loyalty-01"),
    ("carrier", "Carrier Integration", "TEAM-SUPPLY", "dc1", 1, 0, "2.0.5", "saas-metapack"),
    ("finance-reporting", "Finance Reporting", "TEAM-FINANCE-SYS", "dc1", 1, 0, "2024.3",
     "saas-snowflake ora-finance-old"),
    ("pos-sync", "Store Sync", "TEAM-STORES-IT", "dc1", 1, 0, "5.0.2", "RG-DB-POS"),
    ("pos", "POS Backend", "TEAM-STORES-IT", "dc1", 3, 2, "11.2.0", "RG-DB-POS CI-APP-PAYMENT-ADAPTER RG-DC1-LB"),
    ("gift-cards", "Gift Card Service", None, "dc1", 1, 0, "1.0.9", "pg-giftcards-01 CI-APP-PAYMENT-ADAPTER"),
    ("email-relay", "Email Relay (Postfix)", "TEAM-SRE", "dc1", 2, 1, "3.8.4", "saas-sendgrid"),
    ("keycloak", "Keycloak SSO", "TEAM-IDENTITY", "dc1", 3, 2, "24.0.1", "pg-keycloak-01 RG-AD CI-APP-VAULT"),
    ("vault", "HashiCorp Vault", "TEAM-IDENTITY", "dc1", 3, 2, "1.17.2", ""),
    ("kafka", "Kafka (Confluent Platform)", "TEAM-SRE", "dc1", 3, 2, "7.6.1", ""),
    ("etl", "Airflow ETL", "TEAM-DATA", "dc1", 1, 0, "2.9.2", "saas-snowflake hana-erp-01 ~RG-DB-ORDERS"),
    ("monitoring", "Prometheus & Grafana", "TEAM-SRE", "dc1", 3, 2, "2.53", ""),
    ("sap", "SAP S/4HANA", "TEAM-FINANCE-SYS", "sap", 4, 2, "2023 SP01", "hana-erp-01 RG-AD ~CI-APP-SUPPLIER-EDI"),
    ("wms", "Manhattan WMS", "TEAM-SUPPLY", "dc2", 3, 2, "4.2.0", "RG-DB-WMS CI-APP-KAFKA"),
    ("supplier-edi", "Supplier EDI Gateway", "TEAM-SUPPLY", "dc2", 2, 1, "9.3.0", ""),
    ("scanner-gw", "Warehouse Scanner Gateway", "TEAM-SUPPLY", "dc2", 1, 0, "1.6.3", "CI-APP-WMS"),
    ("logging", "Elastic Stack logging", "TEAM-SRE", "dc2", 3, 2, "8.14", ""),
    ("backup", "Veeam Backup & Replication", "TEAM-INFRA", "dc2", 1, 0, "12.1", "dc1-backup-01 dc2-backup-01"),
    ("store-pos", "Store POS software", "TEAM-STORES-IT", "none", 0, 0, "11.2.0", "RG-STORE-POS CI-APP-POS"),
]  # fmt: skip
for key, name, owner, runtime, n, quorum, version, uses in APPS:
    dc = "dc1" if runtime == "sap" else runtime
    app_site = f"SITE-{dc.upper()}" if dc in ("dc1", "dc2") else None
    app = add(f"app-{key}", "APPLICATION", app_site, owner=owner, attributes={"version": version},
              status="PLANNED" if key == "mobile-bff" else "ACTIVE")  # fmt: skip
    cis[-1]["name"] = name
    names = [f"{'aws-pod' if runtime == 'eks' else dc + '-app'}-{key}-{k:02d}" for k in range(1, n + 1)]
    if runtime == "eks":
        for pod in names:
            add(pod, "CONTAINER", AWS, owner=owner, attributes={"image": f"northwind/{key}:{version}"})
            dep(pod, eks, "HOSTED_ON")
    elif n:
        for vm in names:
            add(vm, "VIRTUAL_MACHINE", f"SITE-{dc.upper()}", attributes={"os": "Ubuntu", "osVersion": "22.04"})
            place(vm, dc, sap=runtime == "sap")
    if n > 1:
        dep(app, group(f"RG-{key.upper()}", f"{name} instances", quorum, [ci_id(x) for x in names]), "RUNS_ON")
    elif n == 1:
        dep(app, names[0], "RUNS_ON")
    for token in uses.split():
        to = ref(token)
        kind = "CONNECTS_TO" if to.startswith("CI-APP-") else "USES"
        if to.startswith(("RG-DB", "CI-PG", "CI-HANA", "CI-AWS-RDS", "CI-AWS-CACHE", "CI-ORA", "RG-ES")):
            kind = "STORES_DATA_IN"
        if to in ("CI-APP-KEYCLOAK", "RG-AD"):
            kind = "AUTHENTICATES_WITH"
        dep(app, token, kind)

# --- services ------------------------------------------------------------------------------------------------------
SERVICES = [  # id, name, tier, criticality, RTO, RPO, availability %, own monthly cost, owner, uses ("~" = SOFT)
    ("SVC-STOREFRONT", "Web Storefront", "B", 1, 60, 15, 99.95, 18_000, "TEAM-STOREFRONT",
     "CI-APP-STOREFRONT-WEB CI-APP-REVIEWS SVC-CDN SVC-DNS SVC-SEARCH SVC-CATALOG SVC-API-GATEWAY ~SVC-RECOMMEND "
     "~SVC-ACCOUNTS ~SVC-MONITORING"),
    ("SVC-CHECKOUT", "Checkout", "B", 1, 30, 5, 99.95, 22_000, "TEAM-CHECKOUT",
     "CI-APP-CHECKOUT SVC-PAYMENTS SVC-ORDERS SVC-PRICING SVC-IDENTITY SVC-API-GATEWAY ~SVC-FRAUD ~SVC-MONITORING"),
    ("SVC-PAYMENTS", "Payments", "B", 1, 30, 0, 99.99, 30_000, "TEAM-CHECKOUT", "CI-APP-PAYMENT-ADAPTER ~SVC-FRAUD"),
    ("SVC-ORDERS", "Order Management", "B", 1, 60, 15, 99.95, 15_000, "TEAM-ORDERS",
     "CI-APP-ORDERS ~CI-APP-RETURNS SVC-MESSAGING SVC-INVENTORY ~SVC-EMAIL ~SVC-SHIPPING ~SVC-BACKUP ~SVC-LOGGING"),
    ("SVC-INVENTORY", "Inventory", "B", 2, 120, 30, 99.9, 9_000, "TEAM-SUPPLY", "CI-APP-INVENTORY SVC-MESSAGING"),
    ("SVC-SEARCH", "Product Search", "B", 2, 60, 1440, 99.9, 7_500, "TEAM-STOREFRONT", "CI-APP-SEARCH SVC-CATALOG"),
    ("SVC-RECOMMEND", "Recommendations", "B", 3, 480, 1440, 99.0, 6_000, "TEAM-DATA",
     "CI-APP-RECOMMEND SVC-CATALOG ~SVC-DWH"),
    ("SVC-ACCOUNTS", "Customer Accounts", "B", 2, 120, 15, 99.9, 5_000, "TEAM-IDENTITY",
     "CI-APP-ACCOUNTS SVC-IDENTITY ~CI-APP-NOTIFICATIONS ~CI-APP-WISHLIST"),
    ("SVC-LOYALTY", "Loyalty Programme", "B", 3, 480, 60, 99.5, 8_000, "TEAM-MARTECH",
     "CI-APP-LOYALTY SVC-ACCOUNTS ~SVC-MESSAGING"),
    ("SVC-WMS", "Warehouse Management", "B", 1, 120, 15, 99.9, 25_000, "TEAM-SUPPLY",
     "CI-APP-WMS CI-APP-SCANNER-GW SVC-INVENTORY SVC-SHIPPING SVC-MESSAGING"),
    ("SVC-ERP", "ERP & Finance", "B", 2, 240, 60, 99.5, 40_000, "TEAM-FINANCE-SYS",
     "CI-APP-SAP SVC-IDENTITY ~SVC-DWH ~SVC-BACKUP"),
    ("SVC-POS", "Store Point of Sale", "B", 1, 60, 15, 99.95, 12_000, "TEAM-STORES-IT",
     "CI-APP-STORE-POS CI-APP-POS-SYNC SVC-PAYMENTS SVC-INVENTORY SVC-IDENTITY ~SVC-LOYALTY"),
    ("SVC-CUSTOMER-SERVICE", "Customer Service (CRM)", "B", 3, 240, 60, 99.5, 14_000, "TEAM-SERVICE-DESK",
     "saas-salesforce SVC-ORDERS SVC-ACCOUNTS SVC-EMAIL"),
    ("SVC-REPORTING", "Business Reporting", "B", 3, 1440, 1440, 99.0, 4_000, "TEAM-DATA",
     "CI-APP-FINANCE-REPORTING SVC-DWH"),
    ("SVC-GIFT-CARDS", "Gift Cards", "B", 3, 480, 60, 99.5, 2_500, "TEAM-CHECKOUT", "CI-APP-GIFT-CARDS SVC-PAYMENTS"),
    ("SVC-MOBILE-APP", "Mobile App", "B", 2, 120, 15, 99.9, 0, "TEAM-STOREFRONT",
     "CI-APP-MOBILE-BFF SVC-API-GATEWAY SVC-ACCOUNTS"),
    ("SVC-CATALOG", "Product Catalogue", "T", 2, 60, 60, 99.9, 3_000, "TEAM-STOREFRONT", "CI-APP-CATALOG"),
    ("SVC-PRICING", "Pricing & Promotions", "T", 2, 60, 60, 99.9, 3_500, "TEAM-CHECKOUT", "CI-APP-PRICING"),
    ("SVC-FRAUD", "Fraud Screening", "T", 2, 60, 0, 99.9, 1_000, "TEAM-CHECKOUT", "saas-sift"),
    ("SVC-SHIPPING", "Carrier Integration", "T", 2, 240, 60, 99.5, 2_000, "TEAM-SUPPLY", "CI-APP-CARRIER"),
    ("SVC-IDENTITY", "Identity & SSO", "T", 1, 30, 15, 99.99, 6_000, "TEAM-IDENTITY", "CI-APP-KEYCLOAK RG-AD SVC-DNS"),
    ("SVC-API-GATEWAY", "API Gateway", "T", 1, 30, 0, 99.99, 2_000, "TEAM-SRE",
     "CI-APP-API-GATEWAY SVC-DNS SVC-IDENTITY"),
    ("SVC-MESSAGING", "Messaging (Kafka)", "T", 2, 60, 0, 99.95, 3_000, "TEAM-SRE", "CI-APP-KAFKA"),
    ("SVC-DWH", "Data Warehouse", "T", 3, 1440, 1440, 99.0, 9_000, "TEAM-DATA", "saas-snowflake CI-APP-ETL"),
    ("SVC-MONITORING", "Monitoring & Alerting", "T", 2, 60, 1440, 99.5, 2_500, "TEAM-SRE", "CI-APP-MONITORING"),
    ("SVC-LOGGING", "Central Logging", "T", 3, 240, 1440, 99.0, 2_000, None, "CI-APP-LOGGING"),
    ("SVC-BACKUP", "Backup & Restore", "T", 2, 240, 1440, 99.5, 3_000, "TEAM-INFRA", "CI-APP-BACKUP"),
    ("SVC-DNS", "DNS", "T", 1, 15, 0, 99.99, 800, "TEAM-NETWORK", "RG-DNS aws-route53"),
    ("SVC-CDN", "Content Delivery (CDN)", "T", 2, 30, 0, 99.95, 5_000, "TEAM-STOREFRONT", "saas-akamai"),
    ("SVC-EMAIL", "Email & Notifications", "T", 3, 240, 60, 99.5, 1_500, "TEAM-SRE",
     "CI-APP-EMAIL-RELAY CI-APP-NOTIFICATIONS"),
]  # fmt: skip
group("RG-DNS", "DNS servers (one per data centre)", 1, [ci_id("dc1-dns-01"), ci_id("dc2-dns-01")])
services: list[dict[str, Any]] = []
for sid, name, tier, crit, rto, rpo, target, cost, owner, uses in SERVICES:
    svc: dict[str, Any] = {
        "id": sid,
        "name": name,
        "tier": "BUSINESS" if tier == "B" else "TECHNICAL",
        "criticality": crit,
    }
    svc |= {"status": "PLANNED" if sid == "SVC-MOBILE-APP" else "ACTIVE", "rtoMinutes": rto, "rpoMinutes": rpo}
    svc |= {"availabilityTarget": target, "monthlyCost": f"{cost}.00"} | ({"owner": owner} if owner else {})
    services.append(svc)
    for token in uses.split():
        target_id = ref(token)
        dep(sid, token, "AUTHENTICATES_WITH" if target_id == "SVC-IDENTITY" else "USES")

# business unit -> service: share (the shares of one service are normalised over its consumers)
CONSUMPTION: dict[str, dict[str, float]] = {
    "BU-ONLINE": {"SVC-STOREFRONT": 1, "SVC-CHECKOUT": 1, "SVC-PAYMENTS": 3, "SVC-ORDERS": 3, "SVC-SEARCH": 1,
                  "SVC-RECOMMEND": 1, "SVC-ACCOUNTS": 2},
    "BU-STORES": {"SVC-POS": 1, "SVC-PAYMENTS": 1, "SVC-INVENTORY": 1, "SVC-LOYALTY": 1},
    "BU-MARKETING": {"SVC-RECOMMEND": 1, "SVC-LOYALTY": 2, "SVC-REPORTING": 1},
    "BU-FINANCE": {"SVC-ERP": 3, "SVC-REPORTING": 2},
    "BU-LOGISTICS": {"SVC-WMS": 1, "SVC-ORDERS": 1, "SVC-INVENTORY": 2, "SVC-ERP": 1},
    "BU-CUSTOMER-CARE": {"SVC-CUSTOMER-SERVICE": 1, "SVC-ACCOUNTS": 0.5},
}  # fmt: skip
SLAS = [  # business unit, service, availability %, response minutes, resolution minutes
    ("BU-ONLINE", "SVC-STOREFRONT", 99.95, 15, 240), ("BU-ONLINE", "SVC-CHECKOUT", 99.95, 15, 120),
    ("BU-ONLINE", "SVC-PAYMENTS", 99.95, 15, 120), ("BU-ONLINE", "SVC-ORDERS", 99.9, 30, 240),
    ("BU-STORES", "SVC-POS", 99.9, 15, 240), ("BU-STORES", "SVC-PAYMENTS", 99.9, 15, 240),
    ("BU-LOGISTICS", "SVC-WMS", 99.9, 30, 480), ("BU-LOGISTICS", "SVC-INVENTORY", 99.5, 60, 480),
    ("BU-FINANCE", "SVC-ERP", 99.5, 60, 1440), ("BU-MARKETING", "SVC-LOYALTY", 99.0, 240, 2880),
    ("BU-CUSTOMER-CARE", "SVC-CUSTOMER-SERVICE", 99.5, 60, 480),
]  # fmt: skip

# --- requirements: BUSINESS -> SERVICE -> OPERATIONAL -> TECHNOLOGY -------------------------------------------------
REQUIREMENTS = [  # id, kind, priority, name, refines, raised by / satisfied by, metric (name, unit, target, cmp, now)
    ("REQ-B-01", "BUSINESS", 1, "Sell online around the clock, including peak trading", "", "BU-ONLINE",
     ("Peak-week conversion rate", "%", 3.0, "GTE", 3.2)),
    ("REQ-B-02", "BUSINESS", 1, "Ship every order placed before 20:00 the next day", "", "BU-LOGISTICS",
     ("Orders shipped next day", "%", 95, "GTE", 92.5)),
    ("REQ-B-03", "BUSINESS", 2, "Close the books within three working days", "", "BU-FINANCE",
     ("Days to close", "days", 3, "LTE", 3)),
    ("REQ-B-04", "BUSINESS", 2, "Reward and retain repeat customers", "", "BU-MARKETING",
     ("Active loyalty members", "%", 40, "GTE", None)),
    ("REQ-B-05", "BUSINESS", 1, "Take card payments in every store", "", "BU-STORES", None),
    ("REQ-S-01", "SERVICE", 1, "Storefront available 99.95% of the month", "REQ-B-01", "SVC-STOREFRONT",
     ("Storefront availability", "%", 99.95, "GTE", 99.97)),
    ("REQ-S-02", "SERVICE", 1, "Checkout completes within 3 seconds at peak", "REQ-B-01", "SVC-CHECKOUT",
     ("Checkout p95 latency", "ms", 3000, "LTE", 3400)),
    ("REQ-S-03", "SERVICE", 1, "Orders confirmed to customers within 5 minutes", "REQ-B-01 REQ-B-02", "SVC-ORDERS",
     ("Confirmation delay p95", "min", 5, "LTE", 2.5)),
    ("REQ-S-04", "SERVICE", 1, "Pick lists released to the warehouse by 22:00", "REQ-B-02", "SVC-WMS",
     ("Pick lists on time", "%", 99, "GTE", 99.4)),
    ("REQ-S-05", "SERVICE", 2, "Month-end ledgers and reports available on day 1", "REQ-B-03", "SVC-ERP SVC-REPORTING",
     ("Reports on time", "%", 100, "GTE", 100)),
    ("REQ-S-06", "SERVICE", 2, "Loyalty points credited within an hour of purchase", "REQ-B-04", "SVC-LOYALTY",
     ("Points credited within 1 h", "%", 99, "GTE", None)),
    ("REQ-S-07", "SERVICE", 1, "Card payments accepted at every till", "REQ-B-05", "SVC-POS SVC-PAYMENTS",
     ("Card authorisation success", "%", 99.5, "GTE", 99.7)),
    ("REQ-S-08", "SERVICE", 3, "Personalised offers in the mobile app", "REQ-B-04", "SVC-MOBILE-APP", None),
    ("REQ-O-01", "OPERATIONAL", 1, "Restore the checkout path within 30 minutes, 24x7", "REQ-S-02",
     "SVC-MONITORING", ("Mean time to restore (checkout)", "min", 30, "LTE", 42)),
    ("REQ-O-02", "OPERATIONAL", 1, "One sign-on for customers and colleagues", "REQ-S-01 REQ-S-07", "SVC-IDENTITY",
     ("Login success rate", "%", 99.5, "GTE", 99.8)),
    ("REQ-O-03", "OPERATIONAL", 1, "Order events delivered exactly once", "REQ-S-03", "SVC-MESSAGING",
     ("Consumer lag p99", "s", 60, "LTE", 12)),
    ("REQ-O-04", "OPERATIONAL", 2, "Nightly backups restored in a monthly test", "REQ-S-05", "SVC-BACKUP",
     ("Restore tests passed", "%", 100, "GTE", 100)),
    ("REQ-O-05", "OPERATIONAL", 2, "Carrier labels printed within 2 minutes", "REQ-S-04", "SVC-SHIPPING",
     ("Label latency p95", "s", 120, "LTE", 75)),
    ("REQ-O-06", "OPERATIONAL", 1, "Pages render within 2 seconds", "REQ-S-01", "SVC-CDN",
     ("Largest contentful paint p75", "ms", 2000, "LTE", 1800)),
    ("REQ-T-01", "TECHNOLOGY", 1, "Every API behind the gateway with TLS 1.2 or later", "REQ-O-02",
     "SVC-API-GATEWAY", ("APIs behind the gateway", "%", 100, "GTE", 96)),
    ("REQ-T-02", "TECHNOLOGY", 1, "Order data survives the loss of one database node", "REQ-O-03", "SVC-ORDERS",
     ("Synchronous replicas", "count", 1, "GTE", 1)),
    ("REQ-T-03", "TECHNOLOGY", 2, "Peak utilisation of every component under 85%", "REQ-O-01", "SVC-MONITORING",
     ("Peak utilisation", "%", 85, "LTE", 93.2)),
    ("REQ-T-04", "TECHNOLOGY", 1, "DNS answered from both data centres and the cloud", "REQ-O-02", "SVC-DNS",
     ("Resolvers in service", "count", 3, "GTE", 3)),
    ("REQ-T-05", "TECHNOLOGY", 2, "Images served from the CDN edge cache", "REQ-O-06", "SVC-CDN",
     ("CDN cache hit ratio", "%", 95, "GTE", 97.1)),
    ("REQ-T-06", "TECHNOLOGY", 2, "Encrypted backups kept off site for 35 days", "REQ-O-04", "SVC-BACKUP",
     ("Backups off site", "%", 100, "GTE", 100)),
]  # fmt: skip
requirements, metrics = [], []
by_service: dict[str, list[str]] = {}
for rid, kind, priority, name, refines, who, metric in REQUIREMENTS:
    req: dict[str, Any] = {"id": rid, "name": name, "kind": kind, "priority": priority}
    req |= {"refines": refines.split()} if refines else {}
    req |= {"raisedBy": who.split()} if kind == "BUSINESS" else {}
    requirements.append(req)
    for sid in who.split() if kind != "BUSINESS" else []:
        by_service.setdefault(sid, []).append(rid)
    if metric:
        mname, unit, goal, cmp, now = metric
        metrics.append({"id": "MET-" + rid[4:], "name": mname, "requirement": rid, "unit": unit, "target": goal,
                        "comparator": cmp, "current": now})  # fmt: skip
for svc in services:
    if svc["id"] in by_service:
        svc["satisfies"] = by_service[svc["id"]]

# --- ITIL processes and policies -------------------------------------------------------------------------------
PROCESSES = """
BUSINESS-STRATEGY | Business strategy planning | REQUIREMENTS_DEFINITION | Turn the trading plan into business \
requirements | SERVICE-PLANNING FINANCIAL
SERVICE-PLANNING | Service planning | REQUIREMENTS_DEFINITION | Derive service requirements from business requirements \
| BUSINESS-STRATEGY ORGANIZATIONAL-PLANNING TECHNOLOGY-PLANNING SERVICE-LEVEL
ORGANIZATIONAL-PLANNING | Organizational planning | REQUIREMENTS_DEFINITION | Derive operational requirements: teams, \
rotas and on-call | SERVICE-PLANNING SERVICE-DESK
TECHNOLOGY-PLANNING | Technology planning | REQUIREMENTS_DEFINITION | Derive technology requirements and standards \
| SERVICE-PLANNING CAPACITY AVAILABILITY
SERVICE-LEVEL | Service level management | SERVICE_DELIVERY | Agree SLAs with the business units and report on them \
| AVAILABILITY CAPACITY FINANCIAL CONTINUITY SERVICE-DESK INCIDENT
AVAILABILITY | Availability management | SERVICE_DELIVERY | Design out single points of failure | SERVICE-LEVEL \
CONTINUITY PROBLEM
CAPACITY | Capacity management | SERVICE_DELIVERY | Keep headroom for peak trading | SERVICE-LEVEL PERFORMANCE CHANGE
FINANCIAL | Financial management for IT services | SERVICE_DELIVERY | Budget IT and charge it back to the business \
| SERVICE-LEVEL CONFIGURATION
CONTINUITY | IT service continuity management | SERVICE_DELIVERY | Recover within RTO and RPO after a disaster \
| AVAILABILITY CHANGE CONFIGURATION
PERFORMANCE | Performance management | SERVICE_DELIVERY | Monitor and tune response times | CAPACITY INCIDENT
INCIDENT | Incident management | SERVICE_SUPPORT | Restore normal service as fast as possible | PROBLEM SERVICE-DESK \
CONFIGURATION CHANGE
PROBLEM | Problem management | SERVICE_SUPPORT | Find root causes and known errors | INCIDENT CHANGE CONFIGURATION
CHANGE | Change management | SERVICE_SUPPORT | Assess, approve and schedule changes | RELEASE CONFIGURATION PROBLEM
RELEASE | Release management | SERVICE_SUPPORT | Bundle, test and deploy releases | CHANGE CONFIGURATION
CONFIGURATION | Configuration management | SERVICE_SUPPORT | Keep this CMDB accurate | CHANGE INCIDENT FINANCIAL
SERVICE-DESK | Service desk | FUNCTION | Single point of contact for staff and stores | INCIDENT CHANGE SERVICE-LEVEL
"""  # key | name | area | purpose | interfaces with (keys); a trailing backslash continues a row
PEAK = "SVC-STOREFRONT SVC-CHECKOUT SVC-PAYMENTS SVC-ORDERS SVC-INVENTORY SVC-POS"
POLICIES = [  # id, kind, name, statement, rule, governs ("" = the whole CMDB)
    ("POL-PEAK-FREEZE", "POLICY", "Peak trading change freeze",
     "No changes to customer-facing services from the Monday before Black Friday until 4 January.",
     {"type": "CHANGE_FREEZE", "from": "2026-11-23T00:00:00Z", "to": "2027-01-04T00:00:00Z", "allowEmergency": True},
     PEAK),
    ("POL-MAINTENANCE-WINDOW", "STANDARD", "Weekend maintenance window",
     "Planned changes run on Saturday or Sunday between 01:00 and 05:00 UK time.",
     {"type": "MAINTENANCE_WINDOW", "weekdays": ["SAT", "SUN"], "startHour": 1, "endHour": 5,
      "timezone": "Europe/London"}, ""),
    ("POL-CAB", "PROCEDURE", "CAB approval of high-risk changes",
     "The change advisory board approves every change of HIGH or CRITICAL risk.",
     {"type": "CAB_APPROVAL", "minRiskLevel": "HIGH"}, ""),
    ("POL-NO-SPOF", "RULE", "No single point of failure for mission-critical services",
     "Every criticality-1 service survives the loss of any one component.",
     {"type": "NO_SINGLE_POINT_OF_FAILURE", "maxCriticality": 1}, ""),
    ("POL-RECOVERY", "STANDARD", "Recovery objectives are achievable",
     "Each dependency of a key service recovers within the service's RTO and RPO.",
     {"type": "RECOVERY_OBJECTIVES_MET"}, "SVC-CHECKOUT SVC-PAYMENTS SVC-ORDERS SVC-INVENTORY SVC-WMS SVC-ERP"),
    ("POL-OWNERS", "RULE", "Every service and CI has an owner", "An owning team is recorded for every item.",
     {"type": "OWNER_REQUIRED"}, ""),
    ("POL-CAPACITY", "GUIDELINE", "Capacity headroom for peak",
     "Components of peak services stay at or below 85% utilisation.",
     {"type": "CAPACITY_HEADROOM", "maxPercent": 85}, "SVC-STOREFRONT SVC-CHECKOUT SVC-ERP"),
    ("POL-PIR", "PRACTICE", "Blameless post-incident reviews",
     "Every P1 incident gets a review within five working days.", None, "PROC-INCIDENT PROC-PROBLEM"),
    ("POL-HOSTNAMES", "CONVENTION", "Host naming", "Hostnames read <site>-<role>-<name>-<nn>, e.g. dc1-db-orders-01.",
     None, ""),
    ("POL-INFOSEC", "POLICY", "Information security", "Access follows least privilege and is reviewed quarterly.",
     None, ""),
    ("POL-PCI", "STANDARD", "PCI DSS scope", "Card data is handled only by the payments services.", None,
     "SVC-PAYMENTS SVC-CHECKOUT CI-APP-PAYMENT-ADAPTER"),
    ("POL-EMERGENCY-CHANGE", "PROCEDURE", "Emergency changes",
     "The emergency CAB approves emergency changes by phone; a review follows.", None, "PROC-CHANGE"),
    ("POL-DR-TEST", "GUIDELINE", "Disaster recovery tests", "Fail over each critical service twice a year.", None,
     "PROC-CONTINUITY"),
]  # fmt: skip


# --- records: November 2026 --------------------------------------------------------------------------------------
PROBLEMS = [  # id, status, title, caused by, root cause, workaround
    ("PRB-0301", "KNOWN_ERROR", "IO latency spikes on dc1-san-01 since the ONTAP upgrade", "dc1-san-01",
     "ONTAP 9.14.1 deduplication scanner saturates the aggregate", "Pause the scanner during business hours"),
    ("PRB-0302", "OPEN", "Orders cluster lost quorum when two nodes failed together", "pg-orders-01 pg-orders-02",
     "", ""),
    ("PRB-0303", "RESOLVED", "Keycloak runs out of memory under load", "CI-APP-KEYCLOAK",
     "Session cache leak in Keycloak 24.0.1", ""),
    ("PRB-0304", "KNOWN_ERROR", "HANA log volume fills during month-end", "hana-erp-01",
     "Log backups too infrequent for month-end volumes", "Run log backups every 15 minutes at month end"),
    ("PRB-0305", "OPEN", "SendGrid throttles order confirmation emails", "saas-sendgrid", "", ""),
]  # fmt: skip
INCIDENTS = [  # opened (Nov 2026), minutes to resolve (None = still open), priority, affects, title, problem
    ("11-01 02:14", 35, "P3", "dc2-app-logging-02", "Elasticsearch heap pressure on dc2-app-logging-02", ""),
    ("11-01 19:40", 50, "P2", "CI-APP-KEYCLOAK", "SSO logins slow: Keycloak out of memory", "PRB-0303"),
    ("11-02 11:05", 20, "P4", "saas-sendgrid", "Marketing emails delayed at SendGrid", "PRB-0305"),
    ("11-03 07:30", 90, "P3", "dc2-app-scanner-gw-01", "Handheld scanners disconnecting at Daventry", ""),
    ("11-03 22:10", 15, "P4", "dc1-acc-sw-05", "Port flapping on dc1-acc-sw-05", ""),
    ("11-04 03:30", 20, "P4", "dc1-dns-01", "Slow DNS answers from dc1-dns-01", ""),
    ("11-04 14:45", 40, "P3", "SVC-EMAIL", "Order confirmation emails delayed", "PRB-0305"),
    ("11-05 09:20", 120, "P3", "hana-erp-01", "HANA log volume 95% full", "PRB-0304"),
    ("11-05 16:00", 30, "P3", "aws-cache-cart", "Cart Redis evicting keys", ""),
    ("11-06 10:30", 60, "P2", "CI-APP-PRICING", "Pricing engine returns stale promotions", ""),
    ("11-06 22:00", 40, "P3", "CI-APP-KAFKA", "Consumer lag on order-events", ""),
    ("11-07 05:50", 30, "P4", "dc1-backup-01", "Backup job overran its window", ""),
    ("11-08 03:15", 45, "P2", "aws-rds-catalog", "Catalogue database CPU at 100% after resize", ""),
    ("11-08 03:40", 25, "P2", "CI-APP-CATALOG", "Product pages time out", ""),
    ("11-09 08:10", 30, "P3", "CI-APP-SEARCH", "Search returns no results for some queries", ""),
    ("11-09 20:25", 15, "P4", "dc2-esx-04", "Memory alarm on dc2-esx-04", ""),
    ("11-10 13:05", 60, "P2", "pg-orders-01", "Patroni: pg-orders-01 lost its leader lease", "PRB-0302"),
    ("11-10 13:32", 48, "P2", "pg-orders-02", "pg-orders-02 unresponsive, replication stopped", "PRB-0302"),
    ("11-10 19:30", 10, "P3", "CI-APP-STOREFRONT-WEB", "Storefront 502 errors for three minutes", ""),
    ("11-11 09:00", 60, "P3", "saas-salesforce", "Service console slow for agents", ""),
    ("11-11 15:20", 12, "P2", "aws-direct-connect", "Direct Connect BGP flap: checkout latency", ""),
    ("11-12 06:05", 180, "P4", "dc1-esx-03", "High CPU ready time on dc1-esx-03", ""),
    ("11-12 10:20", 35, "P1", "hana-erp-01", "HANA log volume full: SAP unavailable", "PRB-0304"),
    ("11-13 14:00", 45, "P3", "CI-APP-WMS", "Wave planning slow", ""),
    ("11-13 21:45", 20, "P4", "CI-APP-MONITORING", "Grafana dashboards not loading", ""),
    ("11-14 11:30", 30, "P3", "CI-APP-POS", "Card payments slow in three stores", ""),
    ("11-14 20:30", 180, "P4", "st07-rtr-01", "Store 07 WAN link down (4G backup in use)", ""),
    ("11-15 13:10", 90, "P3", "CI-APP-LOYALTY", "Points not credited for online orders", ""),
    ("11-16 08:30", 40, "P3", "CI-APP-ACCOUNTS", "Password reset emails not sent", ""),
    ("11-16 19:05", 120, "P3", "SVC-DWH", "Nightly warehouse loads late", ""),
    ("11-17 08:05", 70, "P2", "CI-APP-LOYALTY", "Loyalty API timeouts (IO wait)", "PRB-0301"),
    ("11-17 08:12", 60, "P3", "CI-APP-CARRIER", "Carrier label requests timing out", ""),
    ("11-17 08:20", 65, "P2", "CI-APP-POS-SYNC", "Store sync jobs stalled", "PRB-0301"),
    ("11-17 08:41", 50, "P3", "CI-APP-FINANCE-REPORTING", "Finance reports fail to render", ""),
    ("11-17 15:00", 30, "P3", "CI-APP-RECOMMEND", "Recommendations empty on the home page", ""),
    ("11-18 02:20", 25, "P4", "dc1-fw-02", "HA sync warning on dc1-fw-02", ""),
    ("11-18 10:15", 55, "P2", "CI-APP-CHECKOUT", "Checkout errors for PayPal users", ""),
    ("11-18 17:45", None, "P3", "saas-akamai", "CDN cache hit ratio dropped", ""),
    ("11-18 23:10", None, "P4", "CI-APP-BACKUP", "Backup repository 88% full", ""),
    ("11-19 06:30", None, "P3", "CI-APP-WMS", "Scanner sync backlog growing", ""),
    ("11-19 09:50", None, "P2", "CI-APP-PAYMENT-ADAPTER", "Adyen webhook deliveries failing", ""),
    ("11-19 08:00", None, "P2", "CI-APP-GIFT-CARDS", "Gift card balance API returns 503 after the 07:30 deploy", ""),
]  # fmt: skip
# Each incident's effect where its priority's default (OUTAGE at P1 and P2, DEGRADATION at P3 and P4) is wrong: a
# high-priority incident where things work, badly; a low-priority one where a component is down.
EFFECTS = {
    "SSO logins slow: Keycloak out of memory": "DEGRADATION",
    "Pricing engine returns stale promotions": "DEGRADATION",
    "Catalogue database CPU at 100% after resize": "DEGRADATION",
    "Storefront 502 errors for three minutes": "OUTAGE",
    "Direct Connect BGP flap: checkout latency": "DEGRADATION",
    "Store 07 WAN link down (4G backup in use)": "OUTAGE",
    "Checkout errors for PayPal users": "DEGRADATION",
    "Adyen webhook deliveries failing": "DEGRADATION",
}
# Utilization readings: every 4 hours for the 30 days up to the demo's moment (READINGS_END). name -> (percent 30
# days before, percent at READINGS_END, which becomes the CI's `utilization`). The capacity forecast's story a week
# before Black Friday: the orders database and an ESXi host reach the 85 % headroom within about two weeks, the
# catalogue database in months; the SAN, HANA, the cart cache, an ESXi host and the inventory database are over it
# already; two hosts are falling (workloads moved off them) and two are flat.
READINGS_END = datetime(2026, 11, 19, 10, 0)
READINGS: dict[str, tuple[float, float]] = {
    "dc1-san-01": (82.6, 91.5), "dc1-db-hana-01": (89.5, 93.2), "aws-cache-cart": (78.0, 89.9),
    "dc1-esx-03": (86.5, 88.0), "pg-inventory-01": (80.0, 86.1), "pg-orders-01": (52.0, 74.0),
    "dc1-esx-01": (61.0, 77.5), "aws-rds-catalog": (48.0, 58.0), "dc1-lb-01": (29.0, 27.8),
    "pg-loyalty-01": (36.0, 34.6), "dc2-esx-04": (60.0, 41.7), "dc1-esx-02": (28.0, 19.7),
}  # fmt: skip
# A CI with too few readings for a line: two, the day before.
FEW_READINGS = "dc1-ftp-legacy-01"


def utilization_readings() -> None:
    """`utilizationReadings`: for each CI of READINGS a line from its first to its last value with noise from a
    generator of its own (the filler values drawn above stay as they were), the last being its `utilization`."""
    noise = random.Random(1119)
    by_name = {c["name"]: c for c in cis}
    out = []

    def reading(name: str, hours_before: int, percent: float) -> dict[str, Any]:
        moment = READINGS_END - timedelta(hours=hours_before)
        return {"ci": ci_id(name), "at": moment.strftime("%Y-%m-%dT%H:%M:00Z"), "percent": percent}

    for name, (first, last) in READINGS.items():
        by_name[name]["utilization"] = last
        for k in range(180, -1, -1):  # 30 days, every 4 hours; k = 0 is the latest
            value = last if k == 0 else last + (first - last) * k / 180 + noise.gauss(0, 1.0)
            out.append(reading(name, 4 * k, round(min(100.0, max(0.0, value)), 1)))
    latest = by_name[FEW_READINGS]["utilization"]
    out += [reading(FEW_READINGS, 30, latest - 2), reading(FEW_READINGS, 26, latest)]
    doc["utilizationReadings"] = sorted(out, key=lambda r: (r["ci"], r["at"]))


RELEASES = [
    ("REL-2026.11-STOREFRONT", "Storefront November release", "2026.11.0"),
    ("REL-2026.11-PEAK", "Peak readiness 2026", "2026.11.2"),
    ("REL-DB-2026.11", "Database patch set, November 2026", "16.6"),
    ("REL-WMS-4.2", "Manhattan WMS 4.2.1", "4.2.1"), ("REL-SAP-SP02", "S/4HANA 2023 SP02", "2023.02"),
    ("REL-PLATFORM-Q4", "Platform Q4 2026", "2026.4"),
]  # fmt: skip
# id | type | status | planned start | minutes | modifies | release and/or problems resolved | title.
# IMPLEMENTED and FAILED changes were implemented 15 minutes before their planned end.
CHANGES = """
CHG-1001 | NORMAL | IMPLEMENTED | 11-14 01:00 | 180 | dc1-san-01 | REL-PLATFORM-Q4 | Upgrade ONTAP on dc1-san-01 to 9.14
CHG-1002 | NORMAL | SCHEDULED | 11-21 01:00 | 120 | pg-orders-02 | REL-DB-2026.11 | Patch PostgreSQL on pg-orders-02
CHG-1003 | NORMAL | SCHEDULED | 11-21 01:30 | 120 | pg-orders-03 | REL-DB-2026.11 | Patch PostgreSQL on pg-orders-03
CHG-1004 | NORMAL | SCHEDULED | 11-28 02:00 | 60 | CI-APP-CHECKOUT | REL-2026.11-PEAK | Deploy checkout 5.2 (peak fixes)
CHG-1005 | EMERGENCY | APPROVED | 11-26 15:00 | 30 | CI-APP-PAYMENT-ADAPTER | | Renew the adapter's TLS certificate
CHG-1006 | NORMAL | APPROVED | 11-20 14:00 | 120 | dc1-esx-03 | REL-PLATFORM-Q4 | Add 256 GB of memory to dc1-esx-03
CHG-1007 | NORMAL | SUBMITTED | 2027-01-09 01:00 | 240 | dc1-app-kafka-01 dc1-app-kafka-02 dc1-app-kafka-03 \
| REL-PLATFORM-Q4 | Upgrade Kafka to 3.8
CHG-1008 | STANDARD | DRAFT | 2027-01-16 02:00 | 60 | dc1-ftp-legacy-01 | | Decommission the legacy FTP server
CHG-1009 | NORMAL | DRAFT | | | CI-APP-LOYALTY | | Rewrite the loyalty points engine
CHG-1010 | NORMAL | IMPLEMENTED | 11-08 01:00 | 90 | CI-APP-KEYCLOAK | PRB-0303 | Upgrade Keycloak to 24.0.5 (cache fix)
CHG-1011 | NORMAL | FAILED | 11-08 01:00 | 60 | aws-rds-catalog | REL-2026.11-PEAK | Resize the catalogue RDS instance
CHG-1012 | NORMAL | CANCELLED | 11-15 01:00 | 240 | pg-loyalty-01 | | Migrate the loyalty database to RDS
CHG-1013 | STANDARD | IMPLEMENTED | 11-01 02:00 | 30 | dc1-acc-sw-02 | | Replace a power supply in dc1-acc-sw-02
CHG-1014 | NORMAL | IMPLEMENTED | 11-07 03:00 | 60 | CI-APP-STOREFRONT-WEB CI-APP-STOREFRONT-BFF \
| REL-2026.11-STOREFRONT | Storefront November release
CHG-1015 | STANDARD | IMPLEMENTED | 11-07 02:00 | 30 | CI-APP-SEARCH | REL-2026.11-STOREFRONT | Tune search relevance
CHG-1016 | NORMAL | SCHEDULED | 11-22 01:00 | 180 | CI-APP-WMS | REL-WMS-4.2 | Apply WMS wave-planning patch 4.2.1
CHG-1017 | NORMAL | SUBMITTED | 2027-01-10 01:00 | 240 | CI-APP-SAP hana-erp-01 | REL-SAP-SP02 | Apply S/4HANA SP02
CHG-1018 | EMERGENCY | IMPLEMENTED | 11-12 10:30 | 30 | hana-erp-01 | | Free the HANA log volume and restart
CHG-1019 | STANDARD | CANCELLED | 11-14 02:00 | 60 | dc1-fw-01 dc1-fw-02 | | Clean up firewall rules
CHG-1020 | NORMAL | SCHEDULED | 11-22 02:00 | 120 | dc1-lb-01 | REL-PLATFORM-Q4 | Upgrade BIG-IP software on dc1-lb-01
CHG-1021 | STANDARD | APPROVED | 11-22 03:00 | 30 | dc1-lb-01 | | Renew the VIP certificate on dc1-lb-01
CHG-1022 | STANDARD | IMPLEMENTED | 11-15 02:00 | 60 | aws-eks-prod | REL-2026.11-PEAK | Scale EKS node group for peak
CHG-1023 | NORMAL | SUBMITTED | 2027-01-17 02:00 | 60 | saas-akamai | | Enable Akamai image optimisation
CHG-1024 | STANDARD | SCHEDULED | 11-22 01:00 | 120 | dc2-esx-02 | REL-PLATFORM-Q4 | Patch ESXi to 8.0 U3 on dc2-esx-02
"""


def rows(text: str) -> list[list[str]]:
    """The cells of a `|`-separated table, one row a line (a backslash at the end of a line joins the next)."""
    return [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()]


def at(when: str, plus: int = 0) -> str:
    """'11-17 08:05' (November 2026) or '2027-01-09 01:00', plus some minutes, as an RFC 3339 UTC time."""
    moment = datetime.fromisoformat(when if when[4] == "-" else "2026-" + when) + timedelta(minutes=plus)
    return moment.strftime("%Y-%m-%dT%H:%M:00Z")


def records() -> None:
    doc["problems"] = [
        {"id": pid, "title": title, "status": status, "causedBy": [ref(c) for c in cause.split()]}
        | ({"rootCause": root} if root else {}) | ({"workaround": work} if work else {})
        for pid, status, title, cause, root, work in PROBLEMS
    ]  # fmt: skip
    doc["incidents"] = []
    for k, (opened, minutes, priority, affects, title, problem) in enumerate(INCIDENTS, start=1):
        resolved = None if minutes is None else at(opened, minutes)
        status = "OPEN" if resolved is None else ("RESOLVED" if opened >= "11-12" else "CLOSED")
        incident = {"id": f"INC-{5000 + k}", "title": title, "priority": priority, "status": status,
                    "openedAt": at(opened), "resolvedAt": resolved, "affects": [ref(affects)]}  # fmt: skip
        incident |= {"effect": EFFECTS[title]} if title in EFFECTS else {}
        doc["incidents"].append(incident | ({"problem": problem} if problem else {}))
    doc["changes"] = []
    for cid, ctype, status, start, length, modifies, links, title in rows(CHANGES):
        change: dict[str, Any] = {"id": cid, "title": title, "type": ctype, "status": status}
        change |= {"plannedStart": at(start), "plannedEnd": at(start, int(length))} if start else {}
        change |= {"implementedAt": at(start, int(length) - 15)} if status in ("IMPLEMENTED", "FAILED") else {}
        change |= {"modifies": [ref(m) for m in modifies.split()]}
        for link in links.split():  # its release and the problems it resolves
            if link.startswith("REL-"):
                change["release"] = link
            else:
                change.setdefault("resolves", []).append(link)
        doc["changes"].append(change)
    doc["releases"] = [{"id": rid, "name": name, "version": version} for rid, name, version in RELEASES]


def build() -> dict[str, Any]:
    """Assemble the document; every list is sorted so that rebuilds are byte-stable."""
    doc["businessUnits"] = [{"id": i, "name": n, "costCenter": c} for i, n, c in UNITS]
    doc["teams"] = [{"id": i, "name": n, "email": f"{i[5:].lower()}@northwind.example"} for i, n in TEAMS]
    doc["sites"] = [{"id": i, "name": n, "region": r} for i, n, r, _ in SITES]
    doc["requirements"], doc["metrics"], doc["services"] = requirements, metrics, services
    doc["configurationItems"], doc["redundancyGroups"], doc["dependencies"] = cis, groups, deps
    doc["consumption"] = [
        {"businessUnit": bu, "service": sid, "share": share}
        for bu, shares in CONSUMPTION.items()
        for sid, share in shares.items()
    ]
    doc["slas"] = [
        {"id": f"SLA-{bu[3:]}-{sid[4:]}", "name": f"{sid[4:].title()} for {bu[3:].title()}", "service": sid,
         "businessUnit": bu, "availabilityTarget": target, "responseMinutes": resp, "resolutionMinutes": res}
        for bu, sid, target, resp, res in SLAS
    ]  # fmt: skip
    doc["policies"] = [
        {"id": pid, "name": name, "kind": kind, "statement": statement}
        | ({"rule": rule} if rule else {}) | ({"governs": governs.split()} if governs else {})
        for pid, kind, name, statement, rule, governs in POLICIES
    ]  # fmt: skip
    doc["processes"] = [
        {"id": f"PROC-{key}", "name": name, "area": area, "purpose": purpose,
         "interfacesWith": [f"PROC-{peer}" for peer in peers.split()]}
        for key, name, area, purpose, peers in rows(PROCESSES)
    ]  # fmt: skip
    records()
    utilization_readings()
    for key, items in doc.items():
        if isinstance(items, list) and key != "utilizationReadings":  # readings are sorted by CI and time
            items.sort(key=lambda x: x.get("id") or (x.get("from") or x["businessUnit"], x.get("to") or x["service"]))
    return doc


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(cis)} configuration items, {len(services)} services)")
