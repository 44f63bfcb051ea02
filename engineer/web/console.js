// The engineer's web console: it lists the host's commands from
// GET api/commands, renders a form for each from its declared arguments
// and options, runs it through POST api/call and keeps a history of the
// calls, newest first.
"use strict";

(() => {
  const maxHistory = 100;
  const commands = new Map(); // name -> {cmd, form, output, button}

  // el makes an element with attributes and children; text is never
  // parsed as HTML.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === undefined || v === null) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.dataset[k.slice(5)] = v;
      else if (v === true) e.setAttribute(k, "");
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined || c === "") continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function fieldID(cmd, name) {
    return "cmd-" + cmd.name + "-" + name;
  }

  // field renders one argument or option as a labelled input.
  function field(cmd, p, isArg) {
    const id = fieldID(cmd, p.name);
    const label = el("label", { for: id },
      isArg ? p.name.toUpperCase() : p.flag,
      p.type === "bool" ? null : el("span", { class: "type" }, p.type),
      isArg ? el("span", { class: "required", title: "required" }, "*") : null);
    let input;
    if (p.type === "bool") {
      input = el("input", { type: "checkbox", id, name: p.name, checked: p.default === true });
    } else {
      input = el("input", {
        type: "text", id, name: p.name, autocomplete: "off", spellcheck: "false",
        inputmode: p.type === "int" ? "numeric" : p.type === "float" ? "decimal" : null,
        "aria-required": isArg ? "true" : null,
      });
      if (p.default !== undefined) input.value = String(p.default);
    }
    return el("div", { class: "field" }, label, input,
      p.help ? el("p", { class: "help" }, p.help) : null);
  }

  // render adds the section of a command: its description, usage, form
  // and the output of its last call.
  function render(cmd) {
    const form = el("form", { "data-command": cmd.name, novalidate: true });
    for (const a of cmd.args) form.append(field(cmd, a, true));
    for (const o of cmd.options) form.append(field(cmd, o, false));
    const button = el("button", { type: "submit" }, "Run");
    form.append(button);
    const output = el("pre", { class: "output", "aria-live": "polite" });
    const section = el("section", { class: "command", id: "cmd-" + cmd.name },
      el("h2", {}, cmd.name),
      cmd.description ? el("p", { class: "description" }, cmd.description) : null,
      el("p", { class: "usage" }, cmd.usage),
      form, output);
    const entry = { cmd, form, output, button };
    commands.set(cmd.name, entry);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      run(entry);
    });
    document.getElementById("commands").append(section);
    document.getElementById("index").append(
      el("li", {}, el("a", { href: "#cmd-" + cmd.name, title: cmd.description || null }, cmd.name)));
  }

  function input(entry, name) {
    return entry.form.elements.namedItem(name);
  }

  // collect reads a form into the args of a call: the arguments, and the
  // options that differ from their defaults.
  function collect(entry) {
    const args = {};
    for (const a of entry.cmd.args) {
      const v = input(entry, a.name).value;
      if (v === "" && a.type !== "string") continue; // missing, and said so
      args[a.name] = v;
    }
    for (const o of entry.cmd.options) {
      const i = input(entry, o.name);
      if (o.type === "bool") {
        if (i.checked !== (o.default === true)) args[o.name] = i.checked;
        continue;
      }
      if (i.value === "" || (o.default !== undefined && i.value === String(o.default))) continue;
      args[o.name] = i.value;
    }
    return args;
  }

  // fill sets a form to the args of an earlier call.
  function fill(entry, args) {
    for (const p of entry.cmd.args.concat(entry.cmd.options)) {
      const i = input(entry, p.name);
      const given = Object.prototype.hasOwnProperty.call(args, p.name);
      if (p.type === "bool") i.checked = given ? args[p.name] === true : p.default === true;
      else i.value = given ? String(args[p.name]) : p.default !== undefined ? String(p.default) : "";
    }
  }

  async function run(entry) {
    const args = collect(entry);
    entry.button.disabled = true;
    entry.output.className = "output";
    entry.output.dataset.state = "running";
    entry.output.textContent = "running…";
    let outcome;
    try {
      const res = await fetch("api/call", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ command: entry.cmd.name, args }),
      });
      let data = null;
      try {
        data = await res.json();
      } catch (e) {
        data = null;
      }
      if (res.ok && data && "result" in data) {
        outcome = { ok: true, text: JSON.stringify(data.result, null, 2), line: data.line,
          summary: JSON.stringify(data.result) };
      } else {
        const msg = data && data.error && data.error.message;
        outcome = { ok: false, text: msg || res.status + " " + res.statusText };
      }
    } catch (e) {
      outcome = { ok: false, text: "the console did not answer: " + e.message };
    } finally {
      entry.button.disabled = false;
    }
    show(entry.output, outcome);
    remember(entry, args, outcome);
  }

  function show(output, outcome) {
    output.className = "output " + (outcome.ok ? "ok" : "error");
    output.dataset.state = outcome.ok ? "ok" : "error";
    output.replaceChildren(
      outcome.line ? el("span", { class: "line" }, "$ " + outcome.line) : "",
      el("span", { class: "text" }, outcome.text));
  }

  // remember puts a call at the top of the history.
  function remember(entry, args, outcome) {
    const words = Object.entries(args).map(([k, v]) => k + "=" + JSON.stringify(v));
    const first = outcome.summary || outcome.text.split("\n").find((l) => l.trim() !== "") || "";
    const li = el("li", { class: outcome.ok ? "ok" : "error", tabindex: "0", "data-command": entry.cmd.name,
      title: "fill the form of " + entry.cmd.name + " again" },
      [entry.cmd.name].concat(words).join(" "),
      el("span", { class: "summary" }, (outcome.ok ? "→ " : "✗ ") + first));
    const again = () => {
      fill(entry, args);
      entry.form.scrollIntoView({ block: "center" });
      const f = entry.form.querySelector("input");
      if (f) f.focus();
    };
    li.addEventListener("click", again);
    li.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        again();
      }
    });
    const list = document.getElementById("history");
    list.prepend(li);
    while (list.children.length > maxHistory) list.lastElementChild.remove();
  }

  function banner(text) {
    const b = document.getElementById("banner");
    b.textContent = text;
    b.hidden = false;
  }

  async function load() {
    try {
      const res = await fetch("api/commands", { headers: { Accept: "application/json" } });
      const data = await res.json();
      if (!res.ok) {
        banner((data.error && data.error.message) || res.status + " " + res.statusText);
        document.getElementById("host").textContent = "";
        return;
      }
      document.getElementById("host").textContent = data.host;
      document.title = "engineer " + data.host;
      for (const cmd of data.commands) render(cmd);
      if (data.commands.length === 0) banner(data.host + " declares no commands");
    } catch (e) {
      banner("cannot load the commands: " + e.message);
    } finally {
      document.body.dataset.ready = "true";
    }
  }

  load();
})();
