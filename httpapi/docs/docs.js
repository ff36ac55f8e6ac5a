// Renders Coffer's OpenAPI document as a reference page. Everything is
// built with DOM calls (never innerHTML), so text from the document is
// always shown as text.
"use strict";

(function () {
  const METHODS = ["get", "post", "put", "patch", "delete"];
  const MAX_DEPTH = 3;
  let doc = null;

  // el builds an element: el("td", {class: "x"}, "text", child, …).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // inline renders `code` and **bold** in one paragraph of text.
  function inline(text) {
    const out = [];
    const re = /(`[^`]+`|\*\*[^*]+\*\*)/g;
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) out.push(text.slice(last, m.index));
      const tok = m[0];
      out.push(tok.startsWith("`") ? el("code", {}, tok.slice(1, -1)) : el("strong", {}, tok.slice(2, -2)));
      last = m.index + tok.length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  // prose renders paragraphs separated by blank lines.
  function prose(text, cls) {
    if (!text) return null;
    const box = el("div", { class: cls || "desc" });
    for (const para of String(text).split(/\n\s*\n/)) {
      if (para.trim()) box.append(el("p", {}, inline(para.trim())));
    }
    return box;
  }

  function refName(ref) {
    return ref.slice(ref.lastIndexOf("/") + 1);
  }

  function resolve(schema) {
    if (schema && schema.$ref) {
      const s = (doc.components && doc.components.schemas || {})[refName(schema.$ref)];
      return s || {};
    }
    return schema || {};
  }

  function schemaLink(name) {
    return el("a", { href: "#schema-" + name, class: "type" }, name);
  }

  function types(schema) {
    const t = schema.type;
    if (Array.isArray(t)) return t;
    return t ? [t] : [];
  }

  // typeLabel describes a schema's type in a few words, linking named types.
  function typeLabel(schema) {
    if (!schema) return "any";
    if (schema.$ref) return [schemaLink(refName(schema.$ref))];
    const ts = types(schema);
    const parts = [];
    for (const t of ts) {
      if (t === "null") continue;
      if (t === "array") {
        parts.push("array of ", ...[].concat(typeLabel(schema.items)));
      } else if (t === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object") {
        parts.push("map of ", ...[].concat(typeLabel(schema.additionalProperties)));
      } else if (t === "string" && schema.format === "decimal") {
        parts.push("decimal string");
      } else {
        parts.push(t + (schema.format ? " (" + schema.format + ")" : ""));
      }
    }
    if (ts.includes("null")) parts.push(" | null");
    return parts.length ? parts : ["any"];
  }

  // constraints lists what limits a value beyond its type.
  function constraints(schema) {
    const out = [];
    const add = (s) => out.push(el("span", { class: "constraint" }, s));
    if (schema.deprecated) add("Deprecated.");
    // Amounts are explained once, at the top of the page.
    if (schema.format === "decimal") return out;
    if (schema.enum) add(["One of: ", schema.enum.map((v, i) => [i ? ", " : "", el("code", {}, String(v))])]);
    if (schema.pattern) add(["Pattern: ", el("code", {}, schema.pattern)]);
    if (schema.minimum !== undefined) add("Minimum " + schema.minimum + ".");
    if (schema.maximum !== undefined) add("Maximum " + schema.maximum + ".");
    if (schema.minItems !== undefined) add("At least " + schema.minItems + " items.");
    if (schema.maxItems !== undefined) add("At most " + schema.maxItems + " items.");
    if (schema.maxLength !== undefined) add("At most " + schema.maxLength + " characters.");
    if (schema.examples && schema.examples.length) add(["Example: ", el("code", {}, JSON.stringify(schema.examples[0]))]);
    return out;
  }

  // objectOf returns the object schema nested in s (itself, its array items
  // or map values) with the suffix that names its fields.
  function objectOf(s) {
    const r = resolve(s);
    if (r.properties) return { schema: r, suffix: ".", name: s.$ref ? refName(s.$ref) : null };
    if (types(r).includes("array") && r.items) {
      const inner = objectOf(r.items);
      if (inner) return { schema: inner.schema, suffix: "[]" + inner.suffix, name: inner.name };
    }
    return null;
  }

  // fieldRows renders an object's properties, descending into nested
  // objects a few levels deep.
  function fieldRows(schema, prefix, depth, seen) {
    const rows = [];
    const required = new Set(schema.required || []);
    const props = schema.properties || {};
    for (const name of Object.keys(props)) {
      const p = props[name];
      const r = resolve(p);
      const desc = p.description || r.description;
      rows.push(el("tr", {},
        el("td", { class: "name mono" }, prefix ? el("span", { class: "nest" }, prefix) : null, name,
          required.has(name) ? el("span", { class: "req" }, "required") : null),
        el("td", {}, el("span", { class: "type" }, typeLabel(p))),
        el("td", {}, desc ? inline(desc) : null, constraints(r))));
      const nested = objectOf(p);
      if (nested && depth < MAX_DEPTH && !(nested.name && seen.has(nested.name))) {
        const next = new Set(seen);
        if (nested.name) next.add(nested.name);
        rows.push(...fieldRows(nested.schema, prefix + name + nested.suffix, depth + 1, next));
      }
    }
    return rows;
  }

  function fieldTable(schema, name) {
    const seen = new Set(name ? [name] : []);
    return el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "Field"), el("th", {}, "Type"), el("th", {}, "Description"))),
      el("tbody", {}, fieldRows(resolve(schema), "", 0, seen)));
  }

  function paramTable(params) {
    return el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "Parameter"), el("th", {}, "In"), el("th", {}, "Type"), el("th", {}, "Description"))),
      el("tbody", {}, params.map((p) => el("tr", {},
        el("td", { class: "name mono" }, p.name, p.required ? el("span", { class: "req" }, "required") : null),
        el("td", {}, p.in),
        el("td", {}, el("span", { class: "type" }, typeLabel(p.schema))),
        el("td", {}, p.description ? inline(p.description) : null, p.schema ? constraints(resolve(p.schema)) : [],
          p.explode ? el("span", { class: "constraint" }, "May be repeated.") : null)))));
  }

  function opId(method, path, op) {
    return "op-" + (op.operationId || (method + path).replace(/[^a-zA-Z0-9]+/g, "-"));
  }

  function bodySchema(content) {
    const media = content && (content["application/json"] || Object.values(content)[0]);
    return media && media.schema;
  }

  function renderOperation(method, path, op) {
    const card = el("section", { class: "op", id: opId(method, path, op), "data-search": (method + " " + path + " " + (op.summary || "")).toLowerCase() },
      el("h3", {}, el("span", { class: "method " + method }, method), el("span", { class: "path" }, path),
        op.summary ? el("span", { class: "summary" }, op.summary) : null),
      prose(op.description));

    if (op.security && op.security.length) {
      const names = op.security.map((s) => Object.keys(s)).flat();
      const schemes = (doc.components && doc.components.securitySchemes) || {};
      card.append(el("p", { class: "desc" }, "Authentication: ",
        names.map((n, i) => [i ? " or " : "", el("strong", {}, n), schemes[n] ? " (" + (schemes[n].scheme || schemes[n].type) + ")" : ""])));
    }

    if (op.parameters && op.parameters.length) {
      card.append(el("h4", {}, "Parameters"), paramTable(op.parameters));
    }

    const req = op.requestBody && bodySchema(op.requestBody.content);
    if (req) {
      card.append(el("h4", {}, "Request body", op.requestBody.required ? "" : " (optional)", req.$ref ? [": ", schemaLink(refName(req.$ref))] : ""),
        fieldTable(req, req.$ref ? refName(req.$ref) : null));
    }

    const statuses = Object.keys(op.responses || {}).sort();
    if (statuses.length) {
      const list = el("div", { class: "responses" });
      for (const status of statuses) {
        const resp = op.responses[status];
        const schema = bodySchema(resp.content);
        const ok = status.startsWith("2");
        const head = [el("span", { class: "status " + (ok ? "ok" : "err") }, status), " ", resp.description || "",
          schema && schema.$ref ? [" — ", schemaLink(refName(schema.$ref))] : ""];
        if (ok && schema) {
          list.append(el("details", {}, el("summary", {}, head), fieldTable(schema, schema.$ref ? refName(schema.$ref) : null)));
        } else {
          list.append(el("div", {}, head));
        }
      }
      card.append(el("h4", {}, "Responses"), list);
    }
    return card;
  }

  function render() {
    const main = document.getElementById("main");
    const toc = document.getElementById("toc");
    main.textContent = "";
    const info = doc.info || {};
    document.getElementById("version").textContent = info.version ? "v" + info.version : "";
    main.append(el("h1", {}, info.title || "API reference"), prose(info.description, "intro"),
      el("p", { class: "desc" }, "The document this page renders: ", el("a", { href: "/openapi.json" }, "/openapi.json"), "."));

    // Group operations by tag, in the order the document lists its tags.
    const groups = new Map();
    for (const t of doc.tags || []) groups.set(t.name, { tag: t, ops: [] });
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const tag = (op.tags && op.tags[0]) || "Other";
        if (!groups.has(tag)) groups.set(tag, { tag: { name: tag }, ops: [] });
        groups.get(tag).ops.push({ method, path, op });
      }
    }

    for (const { tag, ops } of groups.values()) {
      if (!ops.length) continue;
      const anchor = "tag-" + tag.name.replace(/[^a-zA-Z0-9]+/g, "-");
      main.append(el("h2", { id: anchor }, tag.name), prose(tag.description));
      const items = el("ul", {});
      for (const { method, path, op } of ops) {
        main.append(renderOperation(method, path, op));
        items.append(el("li", { "data-search": (method + " " + path + " " + (op.summary || "")).toLowerCase() },
          el("a", { href: "#" + opId(method, path, op) }, el("span", { class: "method " + method }, method), el("span", { class: "path" }, path))));
      }
      toc.append(el("h3", {}, el("a", { href: "#" + anchor }, tag.name)), items);
    }

    const schemas = (doc.components && doc.components.schemas) || {};
    const names = Object.keys(schemas).sort();
    if (names.length) {
      main.append(el("h2", { id: "schemas" }, "Schemas"));
      toc.append(el("h3", {}, el("a", { href: "#schemas" }, "Schemas")));
      for (const name of names) {
        main.append(el("section", { class: "schema", id: "schema-" + name },
          el("h3", {}, name), prose(schemas[name].description), fieldTable(schemas[name], name)));
      }
    }

    if (location.hash) {
      const target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  }

  function filter(text) {
    const q = text.trim().toLowerCase();
    for (const node of document.querySelectorAll("[data-search]")) {
      node.classList.toggle("hidden", q !== "" && !node.getAttribute("data-search").includes(q));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("filter").addEventListener("input", (e) => filter(e.target.value));
    fetch("/openapi.json", { headers: { Accept: "application/json" } })
      .then((r) => {
        if (!r.ok) throw new Error("GET /openapi.json answered " + r.status);
        return r.json();
      })
      .then((d) => {
        doc = d;
        render();
      })
      .catch((err) => {
        const status = document.getElementById("status");
        status.className = "error";
        status.textContent = "Could not load the API description: " + err.message;
      });
  });
})();
