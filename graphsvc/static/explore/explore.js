// graphsvc explorer (/explore): a dependency map that reads the CMDB only through the GraphQL API (docs/explore.md).
//
// What is drawn is kept in `model` (items, edges, expansions) and redrawn by render(); what the view is (focus,
// expansions, overlay, origins, time, what-if edits) is kept in `view` and written to the URL after every step,
// so a reload or a shared link draws the same map. Arrows point the way a failure travels: from what is depended
// on to what depends on it, so the layered layout puts infrastructure on the left and services on the right, as
// the CAB report's diagram does.
"use strict";

(function () {
  const PAGE = 25; // neighbours read per side; the rest is one "+N more" node
  const COLLAPSE_AT = 6; // more than this many CIs of one type on one side of a node become one "N x TYPE" node
  const IMPACT_DRAWN = 120; // impacted items drawn around the origins, nearest first
  const MORE_TYPES = 4; // "+N more" nodes per side, one per type (the smallest types share the last)
  const COST_SOURCES = 24; // a business unit's largest cost sources drawn
  const COST_ROWS = 8; // in columns of this many
  const SERVICES_DRAWN = 16; // impacted services drawn beyond the nearest rings, nearest first
  const ORIGINS_DRAWN = 300; // origins read and drawn (a site's CIs may be thousands)
  const IMPACT_READ = 2000; // impacted items read to colour the map (totals always count them all)
  const MAX_PAGE = 500; // the server's page-size cap unless configured lower (GRAPHSVC_MAX_PAGE_SIZE)
  const BATCH = 200; // items read by id per request (the server's page-size cap is 500 unless configured)

  const $ = (id) => document.getElementById(id);
  const problem = $("problem");

  // ---------------------------------------------------------------- the API

  const ITEM = `fragment I on Item { id itemKind name
    ... on ConfigurationItem { ciType: type ciStatus: status criticality monthlyCost }
    ... on Service { serviceStatus: status serviceCriticality: criticality monthlyCost tier }
    ... on RedundancyGroup { minHealthy } }`;
  const SIDE = `fragment S on Neighbours { total byType { itemKind ciType count }
    edges { strength item { ...I } } }`;

  class ApiError extends Error {}

  async function post(query, variables) {
    const response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: query, variables: variables || {} }),
    });
    const body = await response.json().catch(() => ({}));
    if (body.errors && body.errors.length) {
      throw new ApiError(body.errors.map((e) => e.message).join("; "));
    }
    if (!response.ok || !body.data) {
      throw new ApiError(`the API answered ${response.status}`);
    }
    return body.data;
  }

  // A read under the view's time and what-if edits: `selection` is asked at the root, or under estate(...).
  async function read(selection, variables, declared) {
    const vars = Object.assign({}, variables);
    const params = Object.keys(declared || {}).map((k) => `$${k}: ${declared[k]}`);
    let body = selection;
    const underEstate = view.asOf || view.edits.length;
    if (underEstate) {
      params.push("$asOf: DateTime", "$edits: [GraphEdit!]");
      vars.asOf = view.asOf || null;
      vars.edits = view.edits.length ? view.edits : null;
      body = `root: estate(asOf: $asOf, edits: $edits) { ${selection} }`;
    }
    const query = `query Explore${params.length ? "(" + params.join(", ") + ")" : ""} { ${body} }
      ${selection.includes("...S") ? SIDE : ""} ${selection.includes("...I") ? ITEM : ""}`;
    const data = await post(query, vars);
    return underEstate ? data.root : data;
  }

  async function itemsById(ids) {
    const found = {};
    const wanted = [...new Set(ids.filter((id) => !model.items.has(id)))];
    for (let start = 0; start < wanted.length; start += BATCH) {
      const batch = wanted.slice(start, start + BATCH);
      const data = await read("items(ids: $ids) { ...I }", { ids: batch }, { ids: "[ID!]!" });
      data.items.forEach((item, n) => {
        if (item) found[batch[n]] = item;
      });
    }
    for (const id of ids) {
      if (model.items.has(id)) found[id] = model.items.get(id);
    }
    return found;
  }

  // ---------------------------------------------------------------- what is drawn

  // Items by id; a service's criticality is read under another name (it is Int!, a CI's is Int) and kept as one.
  class Items extends Map {
    set(id, item) {
      if (item && item.serviceCriticality != null) item.criticality = item.serviceCriticality;
      return super.set(id, item);
    }
  }

  const model = {
    items: new Items(), // id -> the item as read (fragment I)
    edges: new Map(), // "from>to" -> {from, to, kind: "dep" | "member", strength}
    sides: new Map(), // "id|SIDE" -> {total, byType, edges: [{item, strength}]}
    opened: new Set(), // collapsed "N x TYPE" nodes the person opened
    impact: null, // {status: Map(id -> impacted entry), origins, degraded, totals, services, units, slas}
    continuity: null,
    cost: null,
    path: [], // the highlighted path, item first, origin last
    missing: [], // expanded ids with no item at the view's time or under its edits
  };

  // The view: everything a URL must carry to draw the same map again.
  const view = {
    focus: null,
    expand: [], // ids whose neighbours are drawn (the focus first)
    overlay: null, // "impact" | "continuity" | "cost" | null
    origins: [],
    degraded: [],
    record: null, // a change, incident or site id the impact comes from
    service: null, // continuity
    unit: null, // cost
    asOf: null,
    edits: [],
    selected: null,
    scenario: null, // the saved scenario the edits came from (its name and id), for the title
    pages: {}, // "id|SIDE" -> how many neighbours that side reads, once its "+N more" was clicked
  };

  const SIDES = [
    ["DEPENDS_ON", "up"],
    ["DEPENDENTS", "down"],
    ["MEMBERS", "members"],
    ["MEMBER_OF", "groups"],
  ];

  // An item's neighbours on every side: PAGE each, or as many as its "+N more" node was asked for (view.pages).
  // False when there is no such item (at that time, or under the edits): it is left off the map, and said.
  async function expand(id) {
    const first = (side) => view.pages[`${id}|${side}`] || PAGE;
    const selection = `item(id: $id) { ...I ... on Dependable {
      up: neighbours(direction: DEPENDS_ON, first: $up) { ...S }
      down: neighbours(direction: DEPENDENTS, first: $down) { ...S }
      members: neighbours(direction: MEMBERS, first: $members) { ...S }
      groups: neighbours(direction: MEMBER_OF, first: $groups) { ...S } } }`;
    const vars = { id: id, up: first("DEPENDS_ON"), down: first("DEPENDENTS"), members: first("MEMBERS"), groups: first("MEMBER_OF") };
    const data = await read(selection, vars, { id: "ID!", up: "Int!", down: "Int!", members: "Int!", groups: "Int!" });
    if (!data.item) {
      model.missing.push(id);
      if (!view.expand.includes(id)) view.expand.push(id); // kept in the view: another time may have it
      return false;
    }
    model.items.set(id, data.item);
    for (const [side, key] of SIDES) {
      const found = data.item[key];
      if (!found) continue;
      model.sides.set(`${id}|${side}`, found);
      for (const edge of found.edges) {
        model.items.set(edge.item.id, edge.item);
      }
    }
    if (!view.expand.includes(id)) view.expand.push(id);
    return true;
  }

  function ciType(item) {
    return item.ciType || item.itemKind;
  }

  function edgeOf(side, id, other, strength) {
    // Arrows follow a failure: from what is depended on to what depends on it.
    if (side === "DEPENDS_ON") return { from: other, to: id, kind: "dep", strength: strength };
    if (side === "DEPENDENTS") return { from: id, to: other, kind: "dep", strength: strength };
    if (side === "MEMBERS") return { from: other, to: id, kind: "member" };
    return { from: id, to: other, kind: "member" };
  }

  // Cytoscape elements for the expansions: each side of each expanded item, collapsed and capped.
  function expansionElements(nodes, edges) {
    for (const id of view.expand) {
      if (!model.items.has(id)) continue;
      nodes.set(id, nodeOf(model.items.get(id)));
      for (const [side] of SIDES) {
        const found = model.sides.get(`${id}|${side}`);
        if (!found) continue;
        const byType = new Map();
        for (const edge of found.edges) {
          const other = edge.item;
          const key = `${id}|${side}|${ciType(other)}`;
          const alone = other.itemKind === "SERVICE" || nodes.has(other.id) || view.expand.includes(other.id);
          if (!alone && !model.opened.has(key)) {
            if (!byType.has(key)) byType.set(key, []);
            byType.get(key).push(edge);
            continue;
          }
          nodes.set(other.id, nodeOf(other));
          const e = edgeOf(side, id, other.id, edge.strength);
          edges.set(`${e.from}>${e.to}`, e);
        }
        for (const [key, list] of byType) {
          if (list.length <= COLLAPSE_AT) {
            for (const edge of list) {
              nodes.set(edge.item.id, nodeOf(edge.item));
              const e = edgeOf(side, id, edge.item.id, edge.strength);
              edges.set(`${e.from}>${e.to}`, e);
            }
            continue;
          }
          const type = ciType(list[0].item);
          nodes.set(key, {
            id: key,
            label: `${list.length} x ${type}`,
            kind: "STACK",
            members: list.map((edge) => edge.item.id),
            tip: `${list.length} ${type} items: click to draw them one by one`,
          });
          const e = edgeOf(side, id, key);
          edges.set(`${e.from}>${e.to}`, Object.assign(e, { kind: side.startsWith("MEMBER") ? "member" : "dep" }));
        }
        // what was not read, one "+N more TYPE" node per kind and CI type (from the API's counts of the whole
        // side), so a hub's make-up shows even where the first page is all of one type; any of them reads the next
        // page (the API pages a side in one order: services, then the most critical, then id)
        const read = new Map();
        for (const edge of found.edges) read.set(ciType(edge.item), (read.get(ciType(edge.item)) || 0) + 1);
        const unread = found.byType
          .map((c) => [c.ciType || c.itemKind, c.count - (read.get(c.ciType || c.itemKind) || 0)])
          .filter((c) => c[1] > 0)
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        const shownTypes = unread.length > MORE_TYPES ? unread.slice(0, MORE_TYPES - 1) : unread;
        const other = unread.slice(shownTypes.length).reduce((n, c) => n + c[1], 0);
        const groups = shownTypes.map((c) => [c[0], c[1]]);
        if (other > 0) groups.push(["of other types", other]);
        const atCap = found.edges.length >= MAX_PAGE;
        for (const [type, count] of groups) {
          const key = `${id}|${side}|more|${type}`;
          nodes.set(key, {
            id: key,
            label: `+${count.toLocaleString("en")} more\n${type}`,
            kind: "MORE",
            owner: id,
            side: side,
            loaded: found.edges.length,
            count: count,
            tip: atCap
              ? `${count} ${type} not drawn: more than a page reads; impact(...) or a filtered list in GraphiQL lists them`
              : `${count} ${type} not drawn (${found.total - found.edges.length} on this side in all): click to read ${PAGE} more`,
          });
          const e = edgeOf(side, id, key);
          edges.set(`${e.from}>${e.to}`, e);
        }
      }
    }
  }

  function nodeOf(item) {
    const kind = item.itemKind;
    const sub = item.ciType ? item.ciType : kind === "REDUNDANCY_GROUP" ? `group, quorum ${item.minHealthy}` : kind;
    const retired = item.ciStatus === "RETIRED" || item.serviceStatus === "RETIRED";
    return {
      id: item.id,
      name: item.name,
      label: `${item.name}\n${sub}${retired ? " · RETIRED" : ""}`,
      kind: kind,
      retired: retired,
    };
  }

  // ---------------------------------------------------------------- the overlays

  async function originsOf(recordId) {
    const data = await read(
      `item(id: $id) { id itemKind ... on Change { modifies { id } } ... on Incident { effect affects { id } } }`,
      { id: recordId },
      { id: "ID!" },
    );
    const found = data.item;
    if (!found) throw new ApiError(`no change, incident or site ${recordId}`);
    if (found.itemKind === "CHANGE") return { origins: found.modifies.map((i) => i.id), degraded: [] };
    if (found.itemKind === "INCIDENT") {
      const ids = found.affects.map((i) => i.id);
      return found.effect === "DEGRADATION" ? { origins: [], degraded: ids } : { origins: ids, degraded: [] };
    }
    if (found.itemKind === "SITE") return { site: recordId };
    throw new ApiError(`${recordId} is a ${found.itemKind}: give a change, an incident or a site`);
  }

  const IMPACT_FIELDS = `origin degraded
    totals { impacted down degraded services businessUnits slas requirements }
    impacted(first: $first) { id kind name status depth path explanation item { ...I } }
    far: impacted(first: $services, kind: SERVICE) { id kind name status depth path explanation item { ...I } }
    services(first: 100) { id name status criticality }
    businessUnits { id name } slas { id name }`;

  async function loadImpact() {
    let origins = view.origins;
    let degraded = view.degraded;
    let result;
    let site = null;
    if (view.record) {
      const from = await originsOf(view.record);
      if (from.site) {
        const data = await read(`siteFailure(siteId: $site) { ${IMPACT_FIELDS} }`, { site: from.site, first: IMPACT_READ, services: SERVICES_DRAWN }, {
          site: "ID!",
          first: "Int!",
          services: "Int!",
        });
        result = data.siteFailure;
        site = from.site;
        Object.entries(await itemsById([site])).forEach(([id, item]) => model.items.set(id, item));
      } else {
        origins = from.origins;
        degraded = from.degraded;
      }
    }
    if (!result) {
      const data = await read(
        `impact(origin: $origin, degraded: $degraded) { ${IMPACT_FIELDS} }`,
        { origin: origins, degraded: degraded, first: IMPACT_READ, services: SERVICES_DRAWN },
        { origin: "[ID!]!", degraded: "[ID!]", first: "Int!", services: "Int!" },
      );
      result = data.impact;
    }
    const status = new Map();
    for (const entry of result.impacted.concat(result.far)) {
      status.set(entry.id, entry);
      if (entry.item) model.items.set(entry.id, entry.item);
    }
    const originItems = await itemsById(result.origin.slice(0, ORIGINS_DRAWN).concat(result.degraded.slice(0, ORIGINS_DRAWN)));
    for (const [id, item] of Object.entries(originItems)) model.items.set(id, item);
    model.impact = {
      status: status,
      site: site,
      origins: result.origin,
      degraded: result.degraded,
      totals: result.totals,
      services: result.services,
      units: result.businessUnits,
      slas: result.slas,
      list: result.impacted,
      far: result.far,
    };
  }

  // The blast radius: the origins and the nearest impacted items, each drawn from the next item of its path. A fan-out
  // of one type, status, depth and parent collapses into one "N x TYPE" node (services never), origins of one type
  // too; the rest is counted in "+N more impacted".
  function impactElements(nodes, edges) {
    const impact = model.impact;
    const where = new Map(); // item id -> the node that draws it (itself, or a stack)
    const stacked = (list, key, label, tip) => {
      nodes.set(key, { id: key, label: label, kind: "STACK", members: list.map((x) => x.id), tip: tip });
      for (const x of list) where.set(x.id, key);
    };
    for (const [ids, role] of [[impact.origins, "fails"], [impact.degraded, "degraded"]]) {
      const byType = new Map();
      for (const id of ids.slice(0, ORIGINS_DRAWN)) {
        const item = model.items.get(id) || { id: id, name: id, itemKind: "?" };
        const type = ciType(item);
        if (!byType.has(type)) byType.set(type, []);
        byType.get(type).push(item);
      }
      for (const [type, list] of byType) {
        const key = `origins|${role}|${type}`;
        if (list.length > COLLAPSE_AT && type !== "SERVICE" && !model.opened.has(key)) {
          stacked(list, key, `${list.length} x ${type}\n${role} (origins)`, `${list.length} ${type} origins: click to draw them one by one`);
          continue;
        }
        for (const item of list) {
          nodes.set(item.id, nodeOf(item));
          where.set(item.id, item.id);
        }
      }
    }
    if (impact.site) {
      const site = model.items.get(impact.site);
      nodes.set(impact.site, Object.assign(nodeOf(site || { id: impact.site, name: impact.site, itemKind: "SITE" }), { site: true }));
      for (const id of new Set(impact.origins.map((o) => where.get(o)).filter(Boolean))) {
        edges.set(`${impact.site}>${id}`, { from: impact.site, to: id, kind: "located" });
      }
    }
    const shown = impact.list.filter((entry) => entry.path.length > 1).slice(0, IMPACT_DRAWN); // not the origins
    for (let at = 0; at < shown.length; ) {
      const depth = shown[at].depth;
      const groups = new Map();
      for (; at < shown.length && shown[at].depth === depth; at++) {
        const entry = shown[at];
        const item = model.items.get(entry.id) || { id: entry.id, name: entry.name, itemKind: entry.kind };
        const parent = where.get(entry.path[1]) || entry.path[1];
        const key = `${parent}|${entry.status}|${depth}|${ciType(item)}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push({ id: entry.id, entry: entry, item: item, parent: parent });
      }
      for (const [key, list] of groups) {
        const parent = list[0].parent;
        const type = ciType(list[0].item);
        if (list.length > COLLAPSE_AT && list[0].item.itemKind !== "SERVICE" && !model.opened.has(key)) {
          stacked(list, key, `${list.length} x ${type}`, `${list.length} ${type} items ${list[0].entry.status}: click to draw them one by one`);
          edges.set(`${parent}>${key}`, { from: parent, to: key, kind: "dep" });
          continue;
        }
        for (const x of list) {
          nodes.set(x.id, nodeOf(x.item));
          where.set(x.id, x.id);
          if (parent) edges.set(`${parent}>${x.id}`, { from: parent, to: x.id, kind: "dep" });
        }
      }
    }
    // the services it reaches beyond the nearest rings, each drawn from its origin with how far it is (its path
    // shows on a click): where a large failure's business impact is
    let far = 0;
    for (const entry of impact.far) {
      if (where.has(entry.id) || far >= SERVICES_DRAWN) continue;
      const origin = where.get(entry.path[entry.path.length - 1]) || impact.site;
      if (!origin) continue;
      nodes.set(entry.id, nodeOf(model.items.get(entry.id) || { id: entry.id, name: entry.name, itemKind: "SERVICE" }));
      where.set(entry.id, entry.id);
      edges.set(`${origin}>${entry.id}`, { from: origin, to: entry.id, kind: "via", label: `${entry.depth} steps` });
      far++;
    }
    const rest = impact.totals.impacted - impact.origins.length - impact.degraded.length - shown.length - far;
    const anchor = impact.site || where.get(impact.origins[0] || impact.degraded[0]);
    if (rest > 0 && anchor) {
      nodes.set("impact|more", {
        id: "impact|more",
        label: `+${rest} more impacted`,
        kind: "MORE",
        tip: `${rest} more impacted items are not drawn: the side panel counts them all; GraphiQL's impact(...) lists them`,
      });
      edges.set(`${anchor}>impact|more`, { from: anchor, to: "impact|more", kind: "dep" });
    }
  }

  async function loadContinuity() {
    if (!view.service) throw new ApiError("overlay=continuity needs a service: add &service=SVC-...");
    const data = await read(
      `continuity(serviceId: $id) { service { id name }
        singlePointsOfFailure { id name kind }
        rtoViolations { item { id name } itemMinutes serviceMinutes }
        rpoViolations { item { id name } itemMinutes serviceMinutes }
        unknownRto { id } unknownRpo { id }
        recoveryWaves { wave ids } notes }`,
      { id: view.service },
      { id: "ID!" },
    );
    const result = data.continuity;
    const ids = result.recoveryWaves.flatMap((w) => w.ids).slice(0, 300);
    const found = await itemsById(ids.concat([view.service]));
    for (const [id, item] of Object.entries(found)) model.items.set(id, item);
    model.continuity = result;
  }

  // Recovery waves as columns (wave 1, what recovers first, on the left), the service last.
  function continuityElements(nodes, edges) {
    const result = model.continuity;
    const spof = new Set(result.singlePointsOfFailure.map((i) => i.id));
    const gaps = new Map();
    for (const v of result.rtoViolations) gaps.set(v.item.id, `RTO ${v.itemMinutes} > ${v.serviceMinutes} min`);
    for (const v of result.rpoViolations) {
      const text = `RPO ${v.itemMinutes} > ${v.serviceMinutes} min`;
      gaps.set(v.item.id, gaps.has(v.item.id) ? gaps.get(v.item.id) + ", " + text : text);
    }
    for (const wave of result.recoveryWaves) {
      const column = `wave|${wave.wave}`;
      nodes.set(column, { id: column, label: `Wave ${wave.wave}`, kind: "WAVE", wave: wave.wave });
      // what needs a decision stays in sight: single points of failure, objective gaps, services; the rest of one
      // type collapses into "N x TYPE"
      const rows = [];
      const byType = new Map();
      for (const id of wave.ids) {
        const item = model.items.get(id);
        if (!item) continue;
        if (spof.has(id) || gaps.has(id) || item.itemKind === "SERVICE") rows.push(item);
        else {
          if (!byType.has(ciType(item))) byType.set(ciType(item), []);
          byType.get(ciType(item)).push(item);
        }
      }
      for (const [type, list] of byType) {
        const key = `${column}|${type}`;
        if (list.length > COLLAPSE_AT && !model.opened.has(key)) rows.push({ stack: key, type: type, list: list });
        else rows.push(...list);
      }
      rows.forEach((row, n) => {
        let node;
        if (row.stack) {
          node = { id: row.stack, label: `${row.list.length} x ${row.type}`, kind: "STACK", members: row.list.map((i) => i.id) };
          node.tip = `${row.list.length} ${row.type} items recover in wave ${wave.wave}: click to draw them one by one`;
        } else {
          node = nodeOf(row);
          if (gaps.has(row.id)) {
            node.gap = gaps.get(row.id);
            node.label += `\n${gaps.get(row.id)}`;
          }
          if (spof.has(row.id)) {
            node.spof = true;
            node.label += "\nSINGLE POINT OF FAILURE";
          }
          node.tip = [spof.has(row.id) ? "its loss alone takes the service down" : "", gaps.get(row.id) || ""].filter(Boolean).join("; ");
        }
        Object.assign(node, { parent: column, wave: wave.wave, row: n });
        nodes.set(node.id, node);
      });
    }
  }

  async function loadCost() {
    if (!view.unit) throw new ApiError("overlay=cost needs a business unit: add &unit=BU-...");
    const data = await read(
      `costAllocation { total businessUnit(id: $unit) { id name amount byService { serviceId amount }
        sources(first: $first) { id name kind ownCost amount item { ...I } } } }`,
      { unit: view.unit, first: COST_SOURCES },
      { unit: "ID!", first: "Int!" },
    );
    const unit = data.costAllocation.businessUnit;
    if (!unit) throw new ApiError(`${view.unit} is not a business unit with a cost allocation`);
    for (const source of unit.sources) if (source.item) model.items.set(source.id, source.item);
    Object.entries(await itemsById([unit.id])).forEach(([id, item]) => model.items.set(id, item));
    model.cost = { unit: unit, total: data.costAllocation.total };
  }

  // Where a business unit's cost comes from: the items whose own cost reaches it, largest first, each with what it
  // brings the unit out of its own monthly cost (the edge's label); the rest counted in one node.
  function costElements(nodes, edges) {
    const cost = model.cost;
    const unitNode = nodeOf(model.items.get(cost.unit.id) || { id: cost.unit.id, name: cost.unit.name, itemKind: "BUSINESS_UNIT" });
    unitNode.label = `${cost.unit.name}\n${money(cost.unit.amount)} a month`;
    nodes.set(cost.unit.id, unitNode);
    const shown = [];
    for (const source of cost.unit.sources) {
      if (Number(source.amount) <= 0) continue;
      const item = model.items.get(source.id) || { id: source.id, name: source.name, itemKind: source.kind };
      const node = nodeOf(item);
      node.label += `\nbrings ${money(source.amount)} of its ${money(source.ownCost)}`;
      node.share = Number(source.amount) / Math.max(Number(cost.unit.amount), 0.01);
      node.tip = `${money(source.amount)} of ${item.name}'s own ${money(source.ownCost)} a month reaches ${cost.unit.name}`;
      node.rank = shown.length;
      nodes.set(item.id, node);
      edges.set(`${item.id}>${cost.unit.id}`, { from: item.id, to: cost.unit.id, kind: "cost" });
      shown.push(Number(source.amount));
    }
    const rest = Number(cost.unit.amount) - shown.reduce((a, b) => a + b, 0);
    if (cost.unit.sources.length >= COST_SOURCES && rest >= 0.005) {
      nodes.set("cost|more", {
        id: "cost|more",
        label: `+${money(rest)} a month\nfrom smaller sources`,
        kind: "MORE",
        rank: shown.length,
        tip: "the items not drawn bring the rest: GraphiQL's costAllocation { businessUnits { sources } } lists them",
      });
      edges.set(`cost|more>${cost.unit.id}`, { from: "cost|more", to: cost.unit.id, kind: "cost" });
    }
  }

  function money(value) {
    return Number(value).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // ---------------------------------------------------------------- drawing

  let cy = null;

  const STYLE = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": 150,
        "text-valign": "center",
        "text-halign": "center",
        "font-size": 11,
        "font-family": "system-ui, sans-serif",
        color: "#1b1b1b",
        width: 170,
        height: "data(h)",
        shape: "rectangle",
        "background-color": "#eef2f7",
        "border-width": 1,
        "border-color": "#5b6b7f",
      },
    },
    { selector: 'node[kind = "SERVICE"]', style: { shape: "round-rectangle", "background-color": "#dde8f6" } },
    { selector: 'node[kind = "REDUNDANCY_GROUP"]', style: { shape: "hexagon", width: 180 } },
    { selector: "node[?site]", style: { shape: "cut-rectangle", "background-color": "#d55e00", color: "#fff", "border-width": 7, "border-style": "double", "border-color": "#3b1500" } },
    { selector: 'node[kind = "BUSINESS_UNIT"]', style: { shape: "tag", "background-color": "#efe6f7" } },
    { selector: 'node[kind = "STACK"]', style: { shape: "barrel", "background-color": "#f4f4f4", "border-style": "double", "border-width": 4 } },
    { selector: 'node[kind = "MORE"]', style: { shape: "round-rectangle", "background-color": "#ffffff", "border-style": "dotted", color: "#333", height: 30 } },
    { selector: "node[?retired]", style: { opacity: 0.55, "border-style": "dashed" } },
    { selector: 'node[kind = "WAVE"]', style: { "padding": 12,  "background-color": "#fafafa", "border-color": "#999", "text-valign": "top", "font-size": 14, "font-weight": "bold" } },
    { selector: 'node[status = "DOWN"]', style: { "background-color": "#f4b9a6", "border-color": "#a23b00", "border-width": 5 } },
    { selector: 'node[status = "DEGRADED"]', style: { "background-color": "#fbe3a7", "border-color": "#8a6100", "border-width": 4, "border-style": "dashed" } },
    { selector: 'node[status = "ORIGIN"]', style: { "background-color": "#d55e00", color: "#fff", "border-color": "#3b1500", "border-width": 7, "border-style": "double" } },
    { selector: 'node[status = "ORIGIN_DEGRADED"]', style: { "background-color": "#e69f00", "border-color": "#3b2a00", "border-width": 7, "border-style": "double" } },
    { selector: 'node[status = "UNKNOWN"]', style: { "background-color": "#ffffff", "border-style": "dotted" } },
    { selector: "node[?spof]", style: { "border-color": "#000", "border-width": 6 } },
    { selector: "node[gap]", style: { "background-color": "#fbe3a7" } },
    { selector: "node[share]", style: { width: "mapData(share, 0, 1, 150, 260)" } },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "line-color": "#8a96a3",
        "target-arrow-color": "#8a96a3",
        "target-arrow-shape": "triangle",
        "curve-style": "bezier",
      },
    },
    { selector: 'edge[strength = "SOFT"]', style: { "line-style": "dashed" } },
    { selector: 'edge[kind = "via"]', style: { "line-style": "dashed", label: "data(label)", "font-size": 10, color: "#44505e", "text-background-color": "#fff", "text-background-opacity": 1 } },
    { selector: 'edge[kind = "located"]', style: { "line-style": "dashed", "line-color": "#d55e00", "target-arrow-color": "#d55e00" } },
    { selector: 'edge[kind = "member"]', style: { "line-style": "dotted", "target-arrow-shape": "diamond" } },
    { selector: 'edge[kind = "cost"]', style: { "line-color": "#c3cad2", "target-arrow-color": "#c3cad2", width: 1 } },
    { selector: "node[?focus]", style: { "font-weight": "bold", "border-width": 3, "border-color": "#1b1b1b" } },
    { selector: "node:selected", style: { "overlay-color": "#0072b2", "overlay-opacity": 0.25, "overlay-padding": 6 } },
    { selector: "node.path", style: { "border-color": "#0072b2", "border-width": 7, "border-style": "solid" } },
    { selector: "edge.path", style: { width: 5, "line-color": "#0072b2", "target-arrow-color": "#0072b2", "z-index": 10 } },
  ];

  function statusOf(id) {
    const impact = model.impact;
    if (!impact) return null;
    if (impact.origins.includes(id)) return "ORIGIN";
    if (impact.degraded.includes(id)) return "ORIGIN_DEGRADED";
    const entry = impact.status.get(id);
    if (entry) return entry.status;
    return impact.totals.impacted > impact.list.length ? "UNKNOWN" : "OK";
  }

  function decorate(node) {
    const status = statusOf(node.id);
    if (status && node.kind !== "MORE" && node.kind !== "WAVE") {
      node.status = status;
      const entry = model.impact.status.get(node.id);
      if (node.kind === "STACK") {
        const statuses = new Set(node.members.map(statusOf));
        node.status = statuses.size === 1 ? [...statuses][0] : "DEGRADED";
        node.tip = `${node.tip}\n${node.status}`;
      } else if (node.site) {
        node.status = "ORIGIN";
        node.label += "\nSITE LOST (origin)";
        node.tip = "the site is lost: every CI located there fails";
      } else if (status === "ORIGIN") {
        node.label += "\nFAILS (origin)";
        node.tip = "origin of the impact: fails";
      } else if (status === "ORIGIN_DEGRADED") {
        node.label += "\nDEGRADED (origin)";
        node.tip = "degraded origin of the impact";
      } else if (entry) {
        node.label += `\n${entry.status}`;
        node.tip = entry.explanation;
      } else if (status === "UNKNOWN") {
        node.label += "\nnot read";
        node.tip = `the impact reaches ${model.impact.totals.impacted} items; the ${model.impact.list.length} nearest were read and this is not one of them: ask impact(...) in GraphiQL`;
      } else {
        node.tip = "OK: the impact does not reach it";
      }
    }
    node.h = Math.max(40, 14 + 13 * String(node.label || "").split("\n").length); // room for every line
    return node;
  }

  function elements() {
    const nodes = new Map();
    const edges = new Map();
    if (view.overlay === "continuity" && model.continuity) continuityElements(nodes, edges);
    else if (view.overlay === "cost" && model.cost) costElements(nodes, edges);
    else if (view.overlay === "impact" && model.impact) impactElements(nodes, edges);
    expansionElements(nodes, edges);
    // the highlighted path's steps, drawn even where no expansion drew them
    for (let n = 0; n + 1 < model.path.length; n++) {
      const [near, far] = [model.path[n], model.path[n + 1]];
      for (const id of [near, far]) if (!nodes.has(id) && model.items.has(id)) nodes.set(id, nodeOf(model.items.get(id)));
      if (!edges.has(`${far}>${near}`) && !edges.has(`${near}>${far}`)) {
        edges.set(`${far}>${near}`, { from: far, to: near, kind: "dep" });
      }
    }
    const list = [];
    for (const node of nodes.values()) {
      list.push({ group: "nodes", data: decorate(Object.assign({ focus: node.id === view.focus }, node)) });
    }
    for (const [key, e] of edges) {
      if (!nodes.has(e.from) || !nodes.has(e.to)) continue;
      list.push({
        group: "edges",
        data: { id: "e:" + key, source: e.from, target: e.to, kind: e.kind, strength: e.strength || null, label: e.label || "" },
      });
    }
    return list;
  }

  let drawnKey = "";

  // Draws `elements()`. When the same items and edges are drawn as before (a path highlighted, a status changed),
  // they keep their places: only their data and classes change, so the map does not jump under the reader.
  function render() {
    const list = elements();
    const key = list.map((e) => e.data.id).sort().join("\n");
    const same = key === drawnKey && cy.elements().length === list.length;
    drawnKey = key;
    cy.batch(() => {
      if (same) {
        for (const e of list) cy.$id(e.data.id).data(e.data);
        cy.elements().removeClass("path");
      } else {
        cy.elements().remove();
        cy.add(list);
      }
    });
    const pathIds = new Set(model.path);
    for (let n = 0; n + 1 < model.path.length; n++) {
      const [near, far] = [model.path[n], model.path[n + 1]];
      cy.$id(`e:${far}>${near}`).addClass("path");
      cy.$id(`e:${near}>${far}`).addClass("path");
    }
    cy.nodes().filter((n) => pathIds.has(n.id())).addClass("path");
    if (same) {
      // nothing moved
    } else if (view.overlay === "continuity") {
      // waves as columns: each wave's items one under the other
      const next = new Map(); // wave -> the y of its next row
      cy.nodes("[wave]")
        .filter((n) => n.data("kind") !== "WAVE")
        .sort((a, b) => a.data("row") - b.data("row"))
        .forEach((n) => {
          const y = next.get(n.data("wave")) || 0;
          n.position({ x: n.data("wave") * 220, y: y + n.data("h") / 2 });
          next.set(n.data("wave"), y + n.data("h") + 14);
        });
      cy.fit(undefined, 30);
    } else if (view.overlay === "cost") {
      // the sources in columns of COST_ROWS, largest first from the column nearest the unit
      const ranked = cy.nodes("[rank >= 0]");
      ranked.forEach((n) => {
        const rank = n.data("rank");
        n.position({ x: -240 * (Math.floor(rank / COST_ROWS) + 1), y: 64 * (rank % COST_ROWS) });
      });
      cy.$id(view.unit).position({ x: 200, y: (64 * (Math.min(ranked.length, COST_ROWS) - 1)) / 2 });
      cy.fit(undefined, 30);
    } else {
      cy.layout({ name: "dagre", rankDir: "LR", nodeSep: 18, rankSep: 90, fit: true, padding: 30, animate: false }).run();
    }
    if (!same && cy.zoom() > 1.1) {
      cy.zoom(1.1); // a few items are not blown up to fill the screen
      cy.center();
    }
    if (view.selected && cy.$id(view.selected).nonempty()) cy.$id(view.selected).select();
    listDrawn();
    writeUrl();
    document.body.dataset.drawn = String(cy.nodes().length); // for the tests: the map is drawn
    if (!document.body.dataset.firstRenderMs) {
      // from the start of navigation to the first map drawn: bench/explore_bench.py reads it
      document.body.dataset.firstRenderMs = String(Math.round(performance.now()));
    }
  }

  function listDrawn() {
    const ul = $("drawn");
    ul.replaceChildren();
    const nodes = cy.nodes().filter((n) => n.data("kind") !== "WAVE").sort((a, b) => (a.id() < b.id() ? -1 : 1));
    $("drawn-count").textContent = String(nodes.length);
    nodes.forEach((n) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = `${n.data("label").split("\n").join(" · ")}`;
      button.addEventListener("click", () => select(n.id()));
      li.appendChild(button);
      ul.appendChild(li);
    });
  }

  // ---------------------------------------------------------------- the side panel

  const NOTHING = "Nothing selected: click an item, or Tab to the map and use the arrow keys.";

  function select(id) {
    view.selected = id;
    cy.$(":selected").unselect();
    if (!id) {
      $("selected-none").hidden = false;
      $("selected-none").textContent = NOTHING;
      $("selected-info").hidden = true;
      writeUrl();
      return;
    }
    const node = cy.$id(id);
    if (node.nonempty()) node.select();
    const item = model.items.get(id);
    $("selected-none").hidden = !!item;
    $("selected-info").hidden = !item;
    if (!item) {
      // a stack or "+N more": what it holds, and that Enter opens it
      $("selected-none").textContent = node.nonempty() && node.data("tip") ? `${node.data("label").replace(/\n/g, " ")}: ${node.data("tip")} (Enter)` : NOTHING;
      writeUrl();
      return;
    }
    $("sel-name").textContent = item.name;
    $("sel-id").textContent = item.id;
    const bits = [item.itemKind, item.ciType, item.ciStatus || item.serviceStatus, item.criticality ? `criticality ${item.criticality}` : null];
    if (item.monthlyCost) bits.push(`own cost ${money(item.monthlyCost)} a month`);
    $("sel-kind").textContent = bits.filter(Boolean).join(" · ");
    const entry = model.impact && model.impact.status.get(id);
    $("sel-explain").textContent = node.nonempty() && node.data("tip") ? node.data("tip") : entry ? entry.explanation : "";
    $("act-continuity").hidden = item.itemKind !== "SERVICE";
    $("act-cost").hidden = item.itemKind !== "BUSINESS_UNIT";
    const groups = $("sel-groups");
    groups.replaceChildren();
    const memberOf = model.sides.get(`${id}|MEMBER_OF`);
    for (const edge of memberOf ? memberOf.edges : []) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `What if out of ${edge.item.id}`;
      button.addEventListener("click", () => addEdit({ removeMember: { group: edge.item.id, member: id } }));
      groups.appendChild(button);
    }
    writeUrl();
  }

  function showCounts() {
    const box = $("counts");
    box.replaceChildren();
    const impact = model.impact;
    if (view.overlay === "impact" && impact) {
      const t = impact.totals;
      const p = document.createElement("p");
      p.className = "totals";
      p.textContent = `${t.down} down, ${t.degraded} degraded: ${t.services} services, ${t.businessUnits} business units, ${t.slas} SLAs`;
      box.appendChild(p);
      const list = document.createElement("ul");
      for (const s of impact.services) {
        const li = document.createElement("li");
        li.className = s.status;
        li.textContent = `${s.status} ${s.name} (${s.id}, criticality ${s.criticality})`;
        list.appendChild(li);
      }
      box.appendChild(list);
      if (impact.units.length) {
        const units = document.createElement("p");
        units.textContent = "Business units: " + impact.units.map((u) => u.name).join(", ");
        box.appendChild(units);
      }
      if (impact.slas.length) {
        const slas = document.createElement("p");
        slas.textContent = "SLAs: " + impact.slas.map((s) => s.name).join(", ");
        box.appendChild(slas);
      }
    } else if (view.overlay === "continuity" && model.continuity) {
      const c = model.continuity;
      const all = c.recoveryWaves.reduce((n, w) => n + w.ids.length, 0);
      if (all > 300) {
        const cut = document.createElement("p");
        cut.textContent = `${all} items recover in these waves; the first 300 are drawn (the continuity report lists them all)`;
        box.appendChild(cut);
      }
      const p = document.createElement("p");
      p.className = "totals";
      p.textContent = `${c.service.name}: ${c.singlePointsOfFailure.length} single points of failure, ${c.rtoViolations.length} RTO gaps, ${c.rpoViolations.length} RPO gaps, ${c.recoveryWaves.length} recovery waves`;
      box.appendChild(p);
      for (const note of c.notes) {
        const n = document.createElement("p");
        n.textContent = note;
        box.appendChild(n);
      }
    } else if (view.overlay === "cost" && model.cost) {
      const p = document.createElement("p");
      p.className = "totals";
      p.textContent = `${model.cost.unit.name}: ${money(model.cost.unit.amount)} a month, through ${model.cost.unit.byService.length} services`;
      box.appendChild(p);
      const list = document.createElement("ul");
      for (const share of model.cost.unit.byService) {
        const li = document.createElement("li");
        li.textContent = `${share.serviceId}: ${money(share.amount)}`;
        list.appendChild(li);
      }
      box.appendChild(list);
    }
  }

  function title() {
    const bits = [];
    if (view.overlay === "impact") bits.push(`Impact of ${view.record || view.origins.concat(view.degraded).join(", ")}`);
    if (view.overlay === "continuity") bits.push(`Continuity of ${view.service}: recovery waves left to right`);
    if (view.overlay === "cost") bits.push(`Where ${view.unit}'s cost comes from`);
    if (view.focus && !view.overlay) bits.push(`${view.focus} and its neighbours`);
    if (view.asOf) bits.push(`as of ${view.asOf}`);
    if (view.edits.length) bits.push(`with ${view.edits.length} what-if edit${view.edits.length > 1 ? "s" : ""}`);
    if (view.scenario) bits.push(`from scenario ${view.scenario}`);
    $("view-title").textContent = bits.join(" · ") || "Find an item to start";
  }

  function showEdits() {
    const ol = $("edits");
    ol.replaceChildren();
    view.edits.forEach((edit, n) => {
      const li = document.createElement("li");
      li.textContent = describeEdit(edit) + " ";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "undo";
      remove.setAttribute("aria-label", `undo edit ${n + 1}: ${describeEdit(edit)}`);
      remove.addEventListener("click", () => {
        view.edits.splice(n, 1);
        refresh();
      });
      li.appendChild(remove);
      ol.appendChild(li);
    });
  }

  function describeEdit(edit) {
    if (edit.retire) return `${edit.retire} retired`;
    if (edit.removeMember) return `${edit.removeMember.member} out of ${edit.removeMember.group}`;
    if (edit.addMember) return `${edit.addMember.member} into ${edit.addMember.group}`;
    if (edit.addDependency) return `${edit.addDependency.from} depends on ${edit.addDependency.to}`;
    if (edit.removeDependency) return `${edit.removeDependency.from} no longer depends on ${edit.removeDependency.to}`;
    if (edit.setMinHealthy) return `${edit.setMinHealthy.group} needs ${edit.setMinHealthy.minHealthy}`;
    return JSON.stringify(edit);
  }

  function addEdit(edit) {
    view.edits.push(edit);
    refresh();
  }

  // ---------------------------------------------------------------- the URL

  function writeUrl() {
    const q = new URLSearchParams();
    if (view.focus) q.set("focus", view.focus);
    const more = view.expand.filter((id) => id !== view.focus);
    if (more.length) q.set("expand", more.join(","));
    if (view.overlay) q.set("overlay", view.overlay);
    if (view.origins.length) q.set("origins", view.origins.join(","));
    if (view.degraded.length) q.set("degraded", view.degraded.join(","));
    if (view.record) q.set("from", view.record);
    if (view.service) q.set("service", view.service);
    if (view.unit) q.set("unit", view.unit);
    if (view.asOf) q.set("asOf", view.asOf);
    if (view.edits.length) q.set("edits", JSON.stringify(view.edits));
    if (model.opened.size) q.set("open", [...model.opened].join(","));
    const pages = Object.entries(view.pages).map(([key, n]) => `${key}:${n}`);
    if (pages.length) q.set("pages", pages.join(","));
    if (view.selected) q.set("selected", view.selected);
    const search = q.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
  }

  function readUrl() {
    const q = new URLSearchParams(location.search);
    const list = (name) => (q.get(name) || "").split(",").map((s) => s.trim()).filter(Boolean);
    view.focus = q.get("focus") || q.get("id") || null;
    view.expand = view.focus ? [view.focus].concat(list("expand").filter((id) => id !== view.focus)) : list("expand");
    view.overlay = ["impact", "continuity", "cost"].includes(q.get("overlay")) ? q.get("overlay") : null;
    view.origins = list("origins");
    view.degraded = list("degraded");
    view.record = q.get("from") || null;
    view.service = q.get("service") || null;
    view.unit = q.get("unit") || null;
    view.asOf = q.get("asOf") || null;
    view.selected = q.get("selected") || view.focus;
    model.opened = new Set(list("open"));
    view.pages = {};
    for (const entry of list("pages")) {
      const [key, n] = entry.split(":");
      if (key && Number(n) > 0) view.pages[key] = Math.min(Number(n), MAX_PAGE);
    }
    try {
      const edits = JSON.parse(q.get("edits") || "[]");
      view.edits = Array.isArray(edits) ? edits : [];
    } catch (_) {
      view.edits = [];
      problem.textContent = "the link's what-if edits are not readable JSON: they were left out";
    }
    if (!view.overlay && (view.origins.length || view.degraded.length || view.record)) view.overlay = "impact";
  }

  // ---------------------------------------------------------------- steps

  let busy = Promise.resolve();

  // The view as last drawn: what a failed step goes back to.
  function snapshot() {
    return Object.assign({}, view, { expand: view.expand.slice(), edits: view.edits.slice(), pages: Object.assign({}, view.pages) });
  }
  let lastGood = snapshot();

  // Every step runs after the last one, and a failing step says why and leaves the map as it was.
  function step(work) {
    busy = busy.then(async () => {
      problem.textContent = "";
      document.body.classList.add("loading");
      try {
        await work();
      } catch (error) {
        problem.textContent = error instanceof ApiError ? error.message : `failed: ${error.message}`;
        if (!(error instanceof ApiError)) console.error(error);
      } finally {
        document.body.classList.remove("loading");
        document.body.dataset.steps = String(Number(document.body.dataset.steps || "0") + 1);
      }
    });
    return busy;
  }

  async function loadAll() {
    model.items.clear();
    model.sides.clear();
    model.missing = [];
    model.impact = model.continuity = model.cost = null;
    for (const id of view.expand.slice()) await expand(id);
    if (view.overlay === "impact") await loadImpact();
    if (view.overlay === "continuity") await loadContinuity();
    if (view.overlay === "cost") await loadCost();
    if (view.selected && model.impact && model.impact.status.has(view.selected)) {
      model.path = model.impact.status.get(view.selected).path;
      await itemsById(model.path).then((found) => Object.entries(found).forEach(([id, item]) => model.items.set(id, item)));
    } else {
      model.path = [];
    }
  }

  function refresh() {
    return step(async () => {
      // a read that fails (an id unknown at that time, an edit the API refuses) leaves the map as it was
      const saved = {
        items: new Items(model.items),
        sides: new Map(model.sides),
        impact: model.impact,
        continuity: model.continuity,
        cost: model.cost,
        path: model.path,
        missing: model.missing,
        opened: new Set(model.opened),
      };
      try {
        await loadAll();
      } catch (error) {
        Object.assign(model, saved);
        Object.assign(view, lastGood);
        view.expand = lastGood.expand.slice();
        view.edits = lastGood.edits.slice();
        showEdits();
        showTime();
        title();
        throw error;
      }
      lastGood = snapshot();
      render();
      showCounts();
      showEdits();
      title();
      if (view.selected) select(view.selected);
      if (model.missing.length) {
        const when = view.asOf ? " at that time" : view.edits.length ? " under these edits" : "";
        problem.textContent = model.missing.map((id) => `no item ${id}${when}`).join("; ");
      }
    });
  }

  function focus(id) {
    view.focus = id;
    view.expand = [id];
    view.overlay = null;
    view.selected = id;
    model.opened.clear();
    model.path = [];
    return refresh();
  }

  // Expand adds to a layered map; the continuity and cost views are laid out by their own figures, so there it
  // starts a map of the item instead.
  function expandSelected() {
    const id = view.selected;
    if (view.overlay === "continuity" || view.overlay === "cost") return focus(id);
    return step(async () => {
      if (await expand(id)) render();
      else problem.textContent = `no item ${id}`;
    });
  }

  // A click (or a tap from the tests, or Enter on a stack): a stack opens, "+N more" reads the next page, an impacted
  // item shows its path to the origin, anything else is selected. Every one runs as a step, after the last.
  function clickNode(node) {
    const data = node.data();
    return step(async () => {
      if (data.kind === "STACK") {
        model.opened.add(data.id);
        render();
        return;
      }
      if (data.kind === "MORE") {
        if (data.owner && data.loaded < MAX_PAGE) {
          view.pages[`${data.owner}|${data.side}`] = Math.min(data.loaded + PAGE, MAX_PAGE);
          await expand(data.owner);
          render();
        }
        return;
      }
      if (data.kind === "WAVE") return;
      model.path = [];
      view.selected = data.id;
      if (model.impact && model.impact.status.has(data.id)) {
        const path = model.impact.status.get(data.id).path;
        const found = await itemsById(path);
        for (const [id, item] of Object.entries(found)) model.items.set(id, item);
        // a step of the path inside a stack: the stack opens, so the path is drawn through the items themselves
        const steps = new Set(path);
        cy.nodes('[kind = "STACK"]').forEach((stack) => {
          if (stack.data("members").some((id) => steps.has(id))) model.opened.add(stack.id());
        });
        model.path = path;
      }
      render();
      select(data.id);
    });
  }

  // ---------------------------------------------------------------- exports

  // SVG written from what is drawn: each node's shape, colours and label at its position, each edge as a line with
  // an arrowhead (straight: a diagram for a document, not a copy of the canvas's curves).
  function toSvg() {
    const box = cy.elements().boundingBox();
    const pad = 20;
    // XML 1.0 has no control characters: a name that holds one must not make the file unreadable
    const esc = (s) => String(s).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    const out = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(box.w + 2 * pad)}" height="${Math.ceil(box.h + 2 * pad)}" viewBox="${box.x1 - pad} ${box.y1 - pad} ${box.w + 2 * pad} ${box.h + 2 * pad}" font-family="sans-serif" font-size="11">`,
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`,
      `<rect x="${box.x1 - pad}" y="${box.y1 - pad}" width="${box.w + 2 * pad}" height="${box.h + 2 * pad}" fill="#fff"/>`,
    ];
    cy.edges().forEach((e) => {
      const s = e.sourceEndpoint();
      const t = e.targetEndpoint();
      const colour = e.style("line-color");
      const dash = e.style("line-style") === "solid" ? "" : ' stroke-dasharray="4 3"';
      out.push(
        `<line data-id="${esc(e.id())}" class="${esc(e.classes().join(" "))}" x1="${s.x.toFixed(1)}" y1="${s.y.toFixed(1)}" x2="${t.x.toFixed(1)}" y2="${t.y.toFixed(1)}" stroke="${colour}" stroke-width="${parseFloat(e.style("width"))}"${dash} marker-end="url(#arrow)"/>`,
      );
    });
    cy.nodes().forEach((n) => {
      const p = n.position();
      const w = n.width();
      const h = n.height();
      const fill = n.style("background-color");
      const stroke = n.style("border-color");
      const sw = parseFloat(n.style("border-width"));
      const dash = n.style("border-style") === "dashed" ? ' stroke-dasharray="6 3"' : n.style("border-style") === "dotted" ? ' stroke-dasharray="2 2"' : "";
      const rx = n.style("shape").startsWith("round") || n.style("shape") === "barrel" ? 8 : 0;
      const attrs = `data-id="${esc(n.id())}" data-status="${esc(n.data("status") || "")}"`;
      out.push(`<g ${attrs} class="${esc(n.classes().join(" "))}">`);
      out.push(
        `<rect x="${(p.x - w / 2).toFixed(1)}" y="${(p.y - h / 2).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" rx="${rx}" fill="${fill}" stroke="${stroke}" stroke-width="${sw}"${dash}/>`,
      );
      const lines = String(n.data("label") || "").split("\n");
      const top = n.data("kind") === "WAVE" ? p.y - h / 2 - 6 : p.y - ((lines.length - 1) * 13) / 2 + 4;
      lines.forEach((line, i) => {
        out.push(`<text x="${p.x.toFixed(1)}" y="${(top + i * 13).toFixed(1)}" text-anchor="middle" fill="${n.style("color")}">${esc(line)}</text>`);
      });
      out.push("</g>");
    });
    out.push("</svg>");
    return out.join("\n");
  }

  function download(name, href) {
    const a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function fileName(extension) {
    const what = view.overlay ? `${view.overlay}-${view.record || view.origins[0] || view.service || view.unit || ""}` : view.focus || "map";
    return `graphsvc-${what}.${extension}`.replace(/[^A-Za-z0-9._-]/g, "_");
  }

  // ---------------------------------------------------------------- keyboard

  function nearest(direction) {
    const current = cy.$id(view.selected);
    const nodes = cy.nodes().filter((n) => n.data("kind") !== "WAVE");
    if (current.empty()) return nodes.first();
    const from = current.position();
    let best = null;
    let bestScore = Infinity;
    nodes.forEach((n) => {
      if (n.id() === current.id()) return;
      const p = n.position();
      const dx = p.x - from.x;
      const dy = p.y - from.y;
      const along = { ArrowRight: dx, ArrowLeft: -dx, ArrowDown: dy, ArrowUp: -dy }[direction];
      const across = direction === "ArrowRight" || direction === "ArrowLeft" ? Math.abs(dy) : Math.abs(dx);
      if (along <= 0) return;
      const score = along + 2 * across;
      if (score < bestScore) {
        bestScore = score;
        best = n;
      }
    });
    return best;
  }

  // Arrows select the nearest item that way (an impacted item shows its path); Enter expands the selected item or
  // opens a stack; I fails it; F focuses it; Escape clears the selection and the path.
  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return; // the browser's own shortcuts
    if (event.key.startsWith("Arrow")) {
      const next = nearest(event.key);
      if (next && next.nonempty()) {
        event.preventDefault();
        const id = next.id();
        if (["STACK", "MORE"].includes(next.data("kind"))) step(async () => select(id));
        else clickNode(next);
        step(async () => {
          if (cy.$id(id).nonempty()) cy.center(cy.$id(id));
        });
      }
      return;
    }
    const id = view.selected;
    if (!id) return;
    const node = cy.$id(id);
    if (event.key === "Enter") {
      event.preventDefault();
      if (node.nonempty() && ["STACK", "MORE"].includes(node.data("kind"))) clickNode(node);
      else expandSelected();
    } else if ((event.key === "i" || event.key === "I") && model.items.has(id)) {
      startImpact([id], []);
    } else if ((event.key === "f" || event.key === "F") && model.items.has(id)) {
      focus(id);
    } else if (event.key === "Escape") {
      step(async () => {
        model.path = [];
        view.selected = null;
        render();
        select(null);
      });
    }
  }

  // ---------------------------------------------------------------- wiring

  function startImpact(origins, degraded, record) {
    view.overlay = "impact";
    view.origins = origins;
    view.degraded = degraded;
    view.record = record || null;
    model.path = [];
    model.opened.clear();
    $("origins").value = origins.join(", ");
    $("degraded").value = degraded.join(", ");
    $("from-record").value = record || "";
    if (view.focus && !view.expand.length) view.expand = [view.focus];
    return refresh();
  }

  function ids(text) {
    return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  }

  function wire() {
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = $("search").value.trim();
      if (!text) return;
      step(async () => {
        // the search index is of now, whatever the view's time: a hit unknown then is said so when focused
        const data = await post("query Search($text: String!) { search(text: $text, first: 15) { id kind name } }", { text: text });
        const ul = $("hits");
        ul.replaceChildren();
        if (!data.search.length) {
          const li = document.createElement("li");
          li.textContent = `nothing matches "${text}"`;
          ul.appendChild(li);
        }
        for (const hit of data.search) {
          const li = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.className = "link hit";
          button.dataset.id = hit.id;
          button.textContent = `${hit.name} (${hit.id}, ${hit.kind})`;
          button.addEventListener("click", () => focus(hit.id));
          li.appendChild(button);
          ul.appendChild(li);
        }
      });
    });
    $("act-focus").addEventListener("click", () => view.selected && focus(view.selected));
    $("act-expand").addEventListener("click", () => view.selected && expandSelected());
    $("act-origin").addEventListener("click", () => {
      if (!view.selected) return;
      const origins = view.record ? [] : view.origins.filter((id) => id !== view.selected);
      startImpact(origins.concat([view.selected]), view.record ? [] : view.degraded.filter((id) => id !== view.selected));
    });
    $("act-degrade").addEventListener("click", () => {
      if (!view.selected) return;
      const degraded = view.record ? [] : view.degraded.filter((id) => id !== view.selected);
      startImpact(view.record ? [] : view.origins.filter((id) => id !== view.selected), degraded.concat([view.selected]));
    });
    const overlayOf = (overlay, key) => {
      Object.assign(view, { overlay: overlay, focus: null, expand: [], origins: [], degraded: [], record: null });
      view.service = view.unit = null;
      view[key] = view.selected;
      model.path = [];
      model.opened.clear();
      refresh();
    };
    $("act-continuity").addEventListener("click", () => overlayOf("continuity", "service"));
    $("act-cost").addEventListener("click", () => overlayOf("cost", "unit"));
    $("act-retire").addEventListener("click", () => view.selected && addEdit({ retire: view.selected }));
    $("add-dep").addEventListener("submit", (event) => {
      event.preventDefault();
      const to = $("add-dep-to").value.trim();
      if (view.selected && to) addEdit({ addDependency: { from: view.selected, to: to, strength: "HARD" } });
    });
    $("impact-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const record = $("from-record").value.trim();
      startImpact(record ? [] : ids($("origins").value), record ? [] : ids($("degraded").value), record || null);
    });
    $("clear-overlay").addEventListener("click", () => {
      view.overlay = null;
      view.origins = [];
      view.degraded = [];
      view.record = view.service = view.unit = null;
      model.path = [];
      if (!view.expand.length && view.focus) view.expand = [view.focus];
      refresh();
    });
    const slider = $("asof");
    const exact = $("asof-exact");
    slider.addEventListener("input", () => {
      const days = Number(slider.value);
      view.asOf = days === 0 ? null : new Date(Date.now() + days * 86400000).toISOString().slice(0, 16) + ":00Z";
      showTime();
    });
    slider.addEventListener("change", () => refresh());
    exact.addEventListener("change", () => {
      view.asOf = exact.value ? exact.value.slice(0, 16) + ":00Z" : null;
      showTime();
      refresh();
    });
    $("clear-edits").addEventListener("click", () => {
      view.edits = [];
      refresh();
    });
    $("save-scenario").addEventListener("click", () => {
      if (!view.edits.length) {
        problem.textContent = "no what-if edits to save: retire an item, take one out of a group or add a dependency first";
        return;
      }
      const name = window.prompt("Save these what-if edits as a scenario named:");
      if (!name) return;
      const id = "SCN-" + name.toUpperCase().replace(/[^A-Z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40);
      step(async () => {
        const existing = await post("query Scenario($id: ID!) { scenario(id: $id) { name createdBy } }", { id: id });
        if (existing.scenario && !window.confirm(`${id} ("${existing.scenario.name}", by ${existing.scenario.createdBy}) exists: replace its edits with these?`)) {
          problem.textContent = `not saved: ${id} exists`;
          return;
        }
        const data = await post(
          `mutation Save($input: ScenarioInput!) { saveScenario(input: $input) { __typename
            ... on ScenarioPayload { scenario { id } } ... on InvalidInput { message } ... on InvalidEdit { message } } }`,
          { input: { id: id, name: name, edits: view.edits } },
        );
        const result = data.saveScenario;
        if (result.__typename !== "ScenarioPayload") throw new ApiError(`not saved: ${result.message}`);
        problem.textContent = `saved as scenario ${result.scenario.id}: open it with /explore?scenario=${result.scenario.id}`;
      });
    });
    $("export-svg").addEventListener("click", () => {
      const blob = new Blob([toSvg()], { type: "image/svg+xml" });
      const url = URL.createObjectURL(blob);
      download(fileName("svg"), url);
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
    $("export-png").addEventListener("click", () => download(fileName("png"), cy.png({ full: true, scale: 2, bg: "#ffffff" })));
    $("fit").addEventListener("click", () => cy.fit(undefined, 30));
    const tip = $("tip");
    cy.on("mouseover", "node", (event) => {
      const text = event.target.data("tip");
      if (!text) return;
      tip.textContent = text;
      const p = event.target.renderedPosition();
      const room = $("map").clientWidth - p.x;
      tip.style.left = `${room < 380 ? Math.max(0, p.x - 372) : p.x + 12}px`; // kept inside the map
      tip.style.top = `${p.y + 24}px`;
      tip.hidden = false;
    });
    cy.on("mouseout", "node", () => {
      tip.hidden = true;
    });
    cy.on("tap", "node", (event) => clickNode(event.target));
    $("map").addEventListener("keydown", onKey);
  }

  function showTime() {
    $("asof-shown").textContent = view.asOf ? view.asOf.replace("T", " ").replace(":00Z", " UTC") : "now";
    $("asof-exact").value = view.asOf ? view.asOf.slice(0, 16) : "";
    const days = view.asOf ? Math.round((Date.parse(view.asOf) - Date.now()) / 86400000) : 0;
    $("asof").value = String(Math.max(-365, Math.min(0, days)));
  }

  // ---------------------------------------------------------------- sign-in (as GraphiQL's page does)

  async function session(method, body, bearer) {
    const init = { method: method, credentials: "same-origin", headers: {} };
    if (bearer) init.headers["Authorization"] = "Bearer " + bearer; // who a token is, without signing in with it
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch("/auth/session", init);
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, data: data };
  }

  // A #token= link while signed in as someone else switches identity only once the person agrees (the cookie is
  // the whole site's: GraphiQL would run as the link's token too), as GraphiQL's page asks.
  async function mayFollowSignInLink(token) {
    const current = await session("GET");
    if (!current.ok || current.data.auth === false) return true;
    const linked = await session("GET", null, token);
    const who = (data) => `${data.name} (${data.role})`;
    if (!linked.ok) {
      problem.textContent = "sign-in link not used: " + ((linked.data.errors || [])[0] || { message: "its token does not work" }).message;
      return false;
    }
    if (linked.data.tokenId === current.data.tokenId) return false; // signed in with it already
    if (window.confirm(`This sign-in link would sign you out as ${who(current.data)} and sign you in as ${who(linked.data)}, here and in GraphiQL.\n\nSwitch to ${who(linked.data)}?`)) {
      return true;
    }
    problem.textContent = `sign-in link not used: still signed in as ${who(current.data)}`;
    return false;
  }

  async function signedIn() {
    const hash = new URLSearchParams(location.hash.slice(1));
    if (hash.get("token")) {
      const token = hash.get("token");
      history.replaceState(null, "", location.pathname + location.search);
      if (await mayFollowSignInLink(token)) {
        const result = await session("POST", { token: token });
        if (!result.ok) problem.textContent = ((result.data.errors || [])[0] || { message: "sign-in failed" }).message;
      }
    }
    const current = await session("GET");
    if (current.ok) {
      $("who").textContent = current.data.auth === false ? "auth is off (local demo)" : `signed in: ${current.data.name} (${current.data.role})`;
      $("signout").hidden = current.data.auth === false;
      return true;
    }
    $("who").textContent = "not signed in";
    $("signin").hidden = false;
    return false;
  }

  $("signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await session("POST", { token: $("token").value.trim() });
    if (!result.ok) {
      problem.textContent = ((result.data.errors || [])[0] || { message: "sign-in failed" }).message;
      return;
    }
    location.reload();
  });
  $("signout").addEventListener("click", async () => {
    const result = await session("DELETE");
    if (!result.ok) {
      problem.textContent = ((result.data.errors || [])[0] || { message: "sign-out failed: try again" }).message;
      return;
    }
    location.reload();
  });

  async function start() {
    if (!(await signedIn())) {
      document.body.dataset.ready = "signin";
      return;
    }
    $("main").hidden = false;
    cytoscape.use(cytoscapeDagre);
    cy = cytoscape({
      container: $("map"),
      style: STYLE,
      selectionType: "single",
      boxSelectionEnabled: false,
      minZoom: 0.05,
      maxZoom: 3,
    });
    window.graphsvcExplorer = { cy: cy, view: view, model: model, toSvg: toSvg, idle: () => busy };
    wire();
    readUrl();
    $("origins").value = view.origins.join(", ");
    $("degraded").value = view.degraded.join(", ");
    $("from-record").value = view.record || "";
    showTime();
    const scenario = new URLSearchParams(location.search).get("scenario");
    if (scenario) {
      // a saved scenario's edits become the view's (and the URL's): they can be changed and saved again
      await step(async () => {
        const data = await post("query Scenario($id: ID!) { scenario(id: $id) { id name edits } }", { id: scenario });
        if (!data.scenario) throw new ApiError(`no saved scenario ${scenario}`);
        view.edits = data.scenario.edits;
        view.scenario = `${data.scenario.name} (${data.scenario.id})`;
      });
    }
    if (view.expand.length || view.overlay) await refresh();
    else title();
    document.body.dataset.ready = "map";
  }

  start();
})();
