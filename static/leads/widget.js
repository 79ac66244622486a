/* Leadgen form widget: one tag on any page shows a form's fields and consent texts from the
 * leads API, in the page's language, inside a shadow root the page's CSS cannot reach.
 *
 *   <script src=".../static/leads/widget.js" integrity="sha384-..." crossorigin="anonymous"
 *           data-form="SLUG" async></script>
 *
 * Optional: data-lang="ru" (else the page's <html lang>), data-target="element-id" (else the
 * form appears where the tag is). No framework, no cookies (credentials: "omit"), nothing
 * pre-ticked; the server checks everything again with the same rules as its own form.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.getAttribute("data-form")) { return; }
  var slug = script.getAttribute("data-form");
  var base = new URL(script.src, location.href).origin;
  var endpoint = base + "/api/v1/forms/" + encodeURIComponent(slug) + "/";
  var lang = script.getAttribute("data-lang") || document.documentElement.lang ||
    navigator.language || "";
  var seq = 0;

  var CSS = [
    // !important on the host: there the page's own !important rules would win over ours. Sizes
    // in em, not rem: rem follows the page's root font size.
    ":host{all:initial!important;display:block!important;",
    "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif!important;",
    "color:#1b1f24!important;background:#fff!important;--lg-accent:#0b5cad;--lg-error:#b00020}",
    "form{margin:0}",
    ".field{margin:0 0 1em}",
    "label{display:block;font-weight:600}",
    ".check label{display:inline;font-weight:400}",
    "input[type=text],input[type=tel],input[type=email]{box-sizing:border-box;width:100%;font:inherit;",
    "padding:.5em;border:1px solid #8c959f;border-radius:4px;color:inherit;background:#fff}",
    "input[type=checkbox]{width:1.2em;height:1.2em;vertical-align:middle;margin:0 .4em 0 0}",
    "input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--lg-accent);outline-offset:2px}",
    "[aria-invalid=true]{border-color:var(--lg-error)!important}",
    ".help{margin:.1em 0 .3em;font-size:.9em;color:#59636e}",
    ".errors{color:var(--lg-error);list-style:none;padding:0;margin:.25em 0}",
    ".errors:empty{display:none}",
    "fieldset{border:1px solid #d0d7de;border-radius:4px;margin:0 0 1em;padding:.5em 1em}",
    "legend{font-weight:600;padding:0 .25em}",
    "a{color:var(--lg-accent)}",
    "button{font:inherit;background:var(--lg-accent);color:#fff;border:0;border-radius:4px;",
    "padding:.6em 1.2em;cursor:pointer}",
    "button[disabled]{opacity:.6;cursor:progress}",
    ".notice{background:#fff8c5;border:1px solid #d4a72c;padding:.75em;border-radius:4px}",
    ".notice:empty{display:none}",
    ".trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}"
  ].join("");

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === null || value === undefined) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var host = el("div", { "class": "leadgen-form", "data-form": slug });
  var target = script.getAttribute("data-target") && document.getElementById(script.getAttribute("data-target"));
  if (target) { target.appendChild(host); } else { script.parentNode.insertBefore(host, script.nextSibling); }
  var root = host.attachShadow({ mode: "open" });
  // A constructed sheet: no <style> element, so a host page's CSP on inline styles does not apply.
  var styleNode = null;
  if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    styleNode = el("style", { text: CSS });
  }

  function show(nodes) {
    root.replaceChildren.apply(root, styleNode ? [styleNode].concat(nodes) : nodes);
  }

  function request(url, options) {
    options.credentials = "omit";
    options.headers = options.headers || {};
    options.headers.Accept = "application/json";
    return fetch(url, options).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; },
        function () { return { status: response.status, body: {} }; });
    });
  }

  function showMessage(text) {
    show([el("p", { role: "alert", "class": "notice", text: text })]);
  }

  function load(notice, values) {
    return request(endpoint + "?lang=" + encodeURIComponent(lang), { method: "GET" }).then(function (r) {
      if (r.status !== 200) { showMessage(r.body.message || "The form is not available."); return; }
      render(r.body, notice, values);
    }, function () { showMessage("The form could not be loaded."); });
  }

  function render(form, notice, values) {
    var id = "lg" + (++seq) + "-";
    var labels = form.labels;
    var summary = el("p", { "class": "notice", role: "alert", id: id + "summary", text: notice || "" });
    var status = el("p", { role: "status", "class": "trap", id: id + "status" });
    var inputs = {};
    var node = el("form", { novalidate: true, lang: form.language, "aria-describedby": id + "summary" });

    function errorList(name) { return el("ul", { "class": "errors", id: id + name + "-errors" }); }

    form.fields.forEach(function (field) {
      var describedBy = [id + field.name + "-errors"];
      var children = [el("label", { "for": id + field.name, text: field.label })];
      if (field.help_text) {
        children.push(el("p", { "class": "help", id: id + field.name + "-help", text: field.help_text }));
        describedBy.unshift(id + field.name + "-help");
      }
      var input = el("input", {
        id: id + field.name, name: field.name, type: field.type, autocomplete: field.autocomplete || false,
        maxlength: field.max_length || false, required: field.required, "aria-required": field.required ? "true" : false,
        "aria-describedby": describedBy.join(" ")
      });
      input.value = (values && values[field.name]) || "";
      inputs[field.name] = input;
      children.push(input, errorList(field.name));
      node.appendChild(el("div", { "class": "field" }, children));
    });

    var fieldset = el("fieldset", {}, [el("legend", { text: labels.consents })]);
    var texts = {};
    form.texts.forEach(function (text) { texts[text.kind] = text; });
    form.consents.forEach(function (consent) {
      // The label is the recorded wording: the sentence, then the texts' names, as links.
      var label = el("label", { "for": id + consent.field }, [consent.sentence + " ("]);
      consent.links.forEach(function (link, index) {
        if (index) { label.appendChild(document.createTextNode(", ")); }
        label.appendChild(el("a", { href: texts[link.kind].url, target: "_blank", rel: "noopener", text: link.name }));
      });
      label.appendChild(document.createTextNode(")"));
      var box = el("input", {
        type: "checkbox", id: id + consent.field, name: consent.field,
        "aria-required": consent.required ? "true" : false, "aria-describedby": id + consent.field + "-errors"
      });
      box.checked = false;  // never pre-ticked, not even after a "texts changed" answer
      inputs[consent.field] = box;
      fieldset.appendChild(el("div", { "class": "field check" }, [box, " ", label, errorList(consent.field)]));
    });
    node.appendChild(fieldset);

    var trap = el("input", { type: "text", name: "website", tabindex: "-1", autocomplete: "off" });
    node.appendChild(el("div", { "class": "trap", "aria-hidden": "true" }, [trap]));
    var tokenErrors = errorList("token");
    node.appendChild(tokenErrors);
    var button = el("button", { type: "submit", text: labels.submit });
    node.appendChild(button);

    node.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      button.textContent = labels.sending;
      status.textContent = labels.sending;
      var body = { token: form.token, page_url: location.href, referrer: document.referrer, website: trap.value };
      Object.keys(inputs).forEach(function (name) {
        body[name] = inputs[name].type === "checkbox" ? inputs[name].checked : inputs[name].value;
      });
      request(endpoint + "submissions/", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      }).then(function (r) {
        if (r.status === 200 || r.status === 201) { return thank(r.body, labels); }
        button.disabled = false;
        button.textContent = labels.submit;
        status.textContent = "";
        if (r.status === 400) { return showErrors(r.body.fields || {}); }
        if (r.status === 409 && r.body.form) {
          var kept = {};
          form.fields.forEach(function (field) { kept[field.name] = inputs[field.name].value; });
          return render(r.body.form, r.body.message, kept);
        }
        summary.textContent = r.status === 429 ? labels.rate_limited : (r.body.message || labels.network);
      }, function () {
        button.disabled = false;
        button.textContent = labels.submit;
        summary.textContent = labels.network;
      });
    });

    function showErrors(fields) {
      var first = null;
      root.querySelectorAll(".errors").forEach(function (list) { list.replaceChildren(); });
      Object.keys(inputs).forEach(function (name) { inputs[name].removeAttribute("aria-invalid"); });
      Object.keys(fields).forEach(function (name) {
        var list = root.getElementById(id + name + "-errors") || tokenErrors;
        fields[name].forEach(function (error) { list.appendChild(el("li", { text: error.message })); });
        if (inputs[name]) {
          inputs[name].setAttribute("aria-invalid", "true");
          first = first || inputs[name];
        }
      });
      summary.textContent = labels.errors;
      if (first) { first.focus(); }
    }

    show([summary, status, node]);
    if (notice) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
  }

  function thank(body, labels) {
    if (body.thank_you && body.thank_you.url) { location.assign(body.thank_you.url); return; }
    var children = [el("p", { role: "status", text: (body.thank_you && body.thank_you.message) || labels.thank_you })];
    if (body.receipt_url) {
      children.push(el("p", {}, [el("a", { href: body.receipt_url, target: "_blank", rel: "noopener", text: labels.receipt })]));
    }
    show(children);
  }

  load("", null);
}());
