// The sandbox's page: live updates, and what a Discord client sends when you click, type or pick.
// No framework and no build step: the server renders the HTML; this swaps in the parts that change.
"use strict";

const params = new URLSearchParams(document.body.dataset.query);
const language = params.get("lang") || "fr";

// ── talking to the sandbox ─────────────────────────────────────────────────────────────────────

async function act(path, fields, busy) {
  const body = new FormData();
  for (const [key, value] of params) body.append(key, value);
  for (const [key, value] of fields) body.append(key, value);
  busy?.classList.add("busy");
  try {
    const response = await fetch(path, { method: "POST", body });
    const answer = response.headers.get("Content-Type")?.includes("json") ? await response.json() : {};
    if (!response.ok && !answer.error) answer.error = `${response.status} ${await response.text()}`;
    return answer;
  } catch (error) {
    return { error: String(error) };
  } finally {
    busy?.classList.remove("busy");
  }
}

function show(answer) {
  if (answer.error) toast(answer.error);
  if (answer.modal) openModal(answer.modal);
  return !answer.error;
}

function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(box.timer);
  box.timer = setTimeout(() => (box.hidden = true), 8000);
}

// ── live updates ───────────────────────────────────────────────────────────────────────────────

let refreshing = null;
let again = false;

async function refresh() {
  if (refreshing) return void (again = true);
  refreshing = (async () => {
    const response = await fetch(`/live?${params}`);
    if (!response.ok) return;
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const list = document.getElementById("messages");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    for (const part of holder.querySelectorAll("[data-part]")) {
      const target = document.querySelector(`[data-part="${part.dataset.part}"]`);
      if (target && target.innerHTML !== part.innerHTML) target.innerHTML = part.innerHTML;
    }
    formatTimes();
    if (atBottom) list.scrollTop = list.scrollHeight;
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
    if (again) {
      again = false;
      refresh();
    }
  }
}

function listen() {
  // Each event carries the fake Discord's change counter; the page was rendered at one of them.
  let shown = document.body.dataset.version;
  const events = new EventSource("/events");
  events.onmessage = (event) => {
    if (event.data === shown) return;
    shown = event.data;
    refresh();
  };
}

// ── times, in the reader's language and time zone (as Discord shows them) ─────────────────────

const styles = {
  t: { timeStyle: "short" },
  T: { timeStyle: "medium" },
  d: { dateStyle: "short" },
  D: { dateStyle: "long" },
  f: { dateStyle: "medium", timeStyle: "short" },
  F: { dateStyle: "full", timeStyle: "short" },
};

function formatTimes() {
  const relative = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
  for (const element of document.querySelectorAll("time[datetime]")) {
    const moment = new Date(element.getAttribute("datetime"));
    if (Number.isNaN(moment.getTime())) continue;
    const style = element.dataset.style || "f";
    if (style === "R") {
      const minutes = Math.round((moment - Date.now()) / 60000);
      const [size, unit] =
        Math.abs(minutes) >= 1440 ? [Math.round(minutes / 1440), "day"]
        : Math.abs(minutes) >= 60 ? [Math.round(minutes / 60), "hour"]
        : [minutes, "minute"];
      element.textContent = relative.format(size, unit);
    } else {
      element.textContent = new Intl.DateTimeFormat(language, styles[style] || styles.f).format(moment);
    }
    element.title = moment.toLocaleString(language);
  }
}

// ── commands ───────────────────────────────────────────────────────────────────────────────────

function chosenCommand() {
  const picker = document.getElementById("command-name");
  if (!picker) return;
  for (const fieldset of document.querySelectorAll("fieldset.options")) {
    const current = fieldset.dataset.command === picker.value;
    fieldset.hidden = !current;
    fieldset.disabled = !current; // a hidden command's required options must not block the form
  }
  sessionStorage.setItem("command", picker.value);
}

function setUpCommands() {
  const form = document.getElementById("command");
  if (!form) return;
  const picker = document.getElementById("command-name");
  const remembered = sessionStorage.getItem("command");
  if (remembered && [...picker.options].some((option) => option.value === remembered)) picker.value = remembered;
  picker.addEventListener("change", chosenCommand);
  chosenCommand();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = [...new FormData(form)].filter(([, value]) => value !== "");
    if (show(await act("/act/command", fields, form))) {
      form.querySelector("fieldset:not([hidden])")?.querySelectorAll("input").forEach((input) => (input.value = ""));
    }
  });
  let typing;
  form.addEventListener("input", (event) => {
    const input = event.target.closest("[data-autocomplete]");
    if (!input) return;
    clearTimeout(typing);
    typing = setTimeout(() => suggest(form, input), 250);
  });
}

async function suggest(form, input) {
  const fields = [...new FormData(form), ["focused", input.dataset.autocomplete]];
  const answer = await act("/act/autocomplete", fields);
  const list = document.getElementById(input.getAttribute("list"));
  list.replaceChildren(
    ...(answer.choices || []).map((choice) => {
      const option = document.createElement("option");
      option.value = choice.value;
      option.label = choice.name;
      return option;
    }),
  );
}

// ── messages: buttons, menus, reactions; the message box ──────────────────────────────────────

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button || button.disabled) return;
  const message = button.closest("[data-message]")?.dataset.message;
  if (button.dataset.act === "click") {
    show(await act("/act/click", [["message", message], ["custom_id", button.dataset.custom]], button));
  } else if (button.dataset.act === "react") {
    const fields = [["message", message], ["emoji", button.dataset.emoji], ["on", button.dataset.on]];
    show(await act("/act/react", fields, button));
  } else if (button.dataset.act === "fast-forward") {
    show(await act("/act/fast-forward", [["what", button.dataset.what]], button));
  }
});

document.addEventListener("change", async (event) => {
  const menu = event.target.closest("select[data-act=select]");
  if (menu) {
    const values = [...menu.selectedOptions].map((option) => option.value).filter(Boolean);
    if (!values.length) return;
    const message = menu.closest("[data-message]").dataset.message;
    show(await act("/act/click", [["message", message], ["custom_id", menu.dataset.custom], ...values.map((v) => ["values", v])], menu));
    return;
  }
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});

function setUpSay() {
  const form = document.getElementById("say");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (show(await act("/act/say", [...new FormData(form)], form))) form.reset();
  });
}

// ── modals ─────────────────────────────────────────────────────────────────────────────────────

function openModal(html) {
  const dialog = document.getElementById("modal");
  dialog.innerHTML = html;
  const form = dialog.querySelector("form");
  form.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await act("/act/modal", [["token", form.dataset.token], ...new FormData(form)], form);
    if (answer.error) {
      const error = form.querySelector(".modal-error");
      error.textContent = answer.error;
      error.hidden = false;
      return;
    }
    dialog.close();
    show(answer);
  });
  dialog.showModal();
  form.querySelector("input, textarea, select")?.focus();
}

// ── start ──────────────────────────────────────────────────────────────────────────────────────

formatTimes();
setUpCommands();
setUpSay();
listen();
const list = document.getElementById("messages");
list.scrollTop = list.scrollHeight;
setInterval(formatTimes, 60000);
