// The kiosk screen's on-screen keyboard: a kiosk has no physical keyboard, and most people on supervision write Chinese.
// Text answers get pinyin input (type the letters, tap a character in the candidate bar), letters and digits; number
// and date answers get a digit pad (a date as yyyy-MM-dd). The answer's own <input> stays focusable but has
// inputmode="none", so it never brings up any other keyboard. The pinyin table (/screen/pinyin.json, rendered from
// Unihan when the package is built) is loaded once; without it the keyboard types letters and digits and says that
// Chinese input is unavailable. The keyboard keeps no answer: it reads and writes it through the screen (screen.js),
// and forgets what was being typed when it closes.
"use strict";
window.KioskKeyboard = (() => {
  const T = {
    zh: {
      keyboard: "屏幕键盘", pinyin: "拼音", letters: "ABC", symbols: "123", space: "空格", done: "完成", backspace: "删除",
      shift: "大写", previous: "上一页候选字", next: "下一页候选字", candidates: "候选字", noMatch: "没有对应的汉字",
      loading: "正在载入中文输入…", unavailable: "中文输入暂不可用，可以输入字母和数字。", dateHint: "请输入8位数字：年年年年月月日日",
      typed: "已输入拼音",
    },
    en: {
      keyboard: "On-screen keyboard", pinyin: "Pinyin", letters: "ABC", symbols: "123", space: "Space", done: "Done", backspace: "Delete",
      shift: "Shift", previous: "Previous characters", next: "Next characters", candidates: "Characters", noMatch: "No matching character",
      loading: "Loading Chinese input…", unavailable: "Chinese input is unavailable; letters and digits still work.", dateHint: "Type 8 digits: year, month, day",
      typed: "Pinyin typed",
    },
  };
  const LETTER_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
  const SYMBOL_ROWS = [["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"], ["，", "。", "、", "？", "！", "：", "；", "“", "”"], ["-", "/", "(", ")", "@", ".", "#"]];
  const DIGIT_ROWS = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]];
  const PAGE = 8;                               // candidates shown at once
  const MAX_LENGTH = { text: 200, number: 30, date: 10 };
  const LONGEST_SYLLABLE = 6;                   // zhuang, chuang, shuang

  let lang = "zh";
  let table = null;                             // pinyin syllable → its characters, most used first
  let syllables = [];
  let tableState = "loading";                   // loading | ready | unavailable
  let target = null;                            // { id, kind: text|number|date, value(), onInput(value) }
  let layout = "pinyin";                        // text: pinyin | letters | symbols; number and date: digits
  let composing = "";                           // pinyin letters not yet turned into a character
  let page = 0;
  let shift = false;
  let panel = null;

  const t = (key) => T[lang][key];
  const chars = (text) => Array.from(text);     // by code point: a few characters are outside the BMP

  fetch("/screen/pinyin.json", { credentials: "same-origin", cache: "no-store" })
    .then((response) => (response.ok ? response.json() : null))
    .then((json) => {
      if (!json || typeof json.syllables !== "object" || json.syllables === null) throw new Error("no pinyin table");
      table = json.syllables;
      syllables = Object.keys(table).sort();
      tableState = "ready";
    })
    .catch(() => { tableState = "unavailable"; })
    .finally(() => {
      if (tableState !== "ready" && layout === "pinyin") { layout = "letters"; composing = ""; }
      draw();
    });

  // What the typed pinyin may become: the characters of the syllable typed so far, then those of the longer syllables it
  // begins (zh → zha, zhai...), taking the most used of each in turn. When what is typed is no syllable's beginning
  // (zhuzhi), the longest syllable it starts with; tapping a character consumes that syllable and keeps the rest.
  function candidates() {
    if (!composing || !table) return { consumed: 0, list: [] };
    const exact = table[composing] ? chars(table[composing]) : [];
    const longer = syllables.filter((s) => s.length > composing.length && s.startsWith(composing)).map((s) => chars(table[s]));
    if (exact.length || longer.length) {
      const list = [...exact];
      for (let i = 0; longer.some((l) => i < l.length); i++) for (const l of longer) if (i < l.length) list.push(l[i]);
      return { consumed: composing.length, list: [...new Set(list)] };
    }
    for (let n = Math.min(LONGEST_SYLLABLE, composing.length - 1); n > 0; n--) {
      const head = composing.slice(0, n);
      if (table[head]) return { consumed: n, list: chars(table[head]) };
    }
    return { consumed: 0, list: [] };
  }

  function value() { return target ? target.value() || "" : ""; }

  function write(next) {
    if (!target) return;
    const limited = chars(next).slice(0, MAX_LENGTH[target.kind]).join("");
    target.onInput(limited);
  }

  function insert(text) { write(value() + text); }

  function deleteLast() {
    if (target.kind === "date") { write(formatDate(digitsOf(value()).slice(0, -1))); return; }
    write(chars(value()).slice(0, -1).join(""));
  }

  const digitsOf = (text) => text.replace(/\D/g, "").slice(0, 8);
  const formatDate = (d) => d.slice(0, 4) + (d.length > 4 ? "-" + d.slice(4, 6) : "") + (d.length > 6 ? "-" + d.slice(6, 8) : "");

  function pressDigit(key) {
    const current = value();
    if (target.kind === "date") { write(formatDate(digitsOf(current + key))); return; }
    if (key === "." && (current.includes(".") || current === "" || current === "-")) return;
    if (key === "-" && current !== "") return;
    insert(key);
  }

  function pressLetter(letter) {
    if (layout === "pinyin") {
      composing += letter;
      page = 0;
    } else {
      insert(shift ? letter.toUpperCase() : letter);
      shift = false;
    }
    draw();
  }

  function pick(character, consumed) {
    insert(character);
    composing = composing.slice(consumed);
    page = 0;
    draw();
  }

  function pressSpace() {
    if (composing) {
      const { consumed, list } = candidates();
      if (list.length) pick(list[0], consumed);
      else { insert(composing); composing = ""; draw(); }
      return;
    }
    insert(" ");
  }

  function pressBackspace() {
    if (composing) { composing = composing.slice(0, -1); page = 0; draw(); return; }
    deleteLast();
  }

  function pressDone() {
    // Letters typed for pinyin but not turned into a character are kept as they are, never dropped silently.
    if (composing) insert(composing);
    close();
  }

  function setLayout(next) {
    if (next === "pinyin" && tableState === "unavailable") return;
    if (composing) insert(composing);
    composing = "";
    page = 0;
    shift = false;
    layout = next;
    draw();
  }

  const button = (label, onPress, props) => {
    const node = document.createElement("button");
    node.type = "button";
    node.textContent = label;
    for (const [k, v] of Object.entries(props || {})) if (v !== undefined && v !== null) node.setAttribute(k, v);
    // The answer's input keeps the focus (and its caret) while keys are pressed.
    node.addEventListener("mousedown", (e) => e.preventDefault());
    node.addEventListener("click", onPress);
    return node;
  };

  const row = (...keys) => {
    const node = document.createElement("div");
    node.className = "kb-row";
    node.append(...keys);
    return node;
  };

  function candidateBar() {
    const bar = document.createElement("div");
    bar.className = "kb-bar";
    // An <output> (a status): what is typed so far is announced, under its name.
    const typed = document.createElement("output");
    typed.className = "kb-pinyin";
    typed.lang = "en";
    typed.setAttribute("data-testid", "keyboard-pinyin");
    typed.setAttribute("aria-label", t("typed"));
    typed.textContent = composing;
    const { consumed, list } = candidates();
    const pages = Math.max(1, Math.ceil(list.length / PAGE));
    page = Math.min(page, pages - 1);
    const shown = list.slice(page * PAGE, page * PAGE + PAGE);
    const group = document.createElement("div");
    group.className = "kb-candidates";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("candidates"));
    group.setAttribute("data-testid", "keyboard-candidates");
    for (const c of shown) {
      group.append(button(c, () => pick(c, consumed), { class: "kb-candidate", lang: "zh-CN", "data-testid": "candidate", "data-value": c }));
    }
    if (composing && !list.length) {
      const none = document.createElement("span");
      none.className = "kb-none";
      none.textContent = t("noMatch");
      group.append(none);
    }
    const previous = button("‹", () => { page--; draw(); }, { class: "kb-page", "aria-label": "‹ " + t("previous"), "data-testid": "candidates-previous" });
    const next = button("›", () => { page++; draw(); }, { class: "kb-page", "aria-label": "› " + t("next"), "data-testid": "candidates-next" });
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
    bar.append(typed, previous, group, next);
    return bar;
  }

  function textKeys() {
    const rows = [];
    if (layout === "symbols") {
      for (const keys of SYMBOL_ROWS) rows.push(row(...keys.map((k) => button(k, () => insert(k), { class: "kb-key", "data-testid": "key-" + k }))));
    } else {
      const upper = layout === "letters" && shift;
      for (const letters of LETTER_ROWS) {
        rows.push(row(...chars(letters).map((k) => button(upper ? k.toUpperCase() : k, () => pressLetter(k), { class: "kb-key", lang: "en", "data-testid": "key-" + k }))));
      }
      if (layout === "letters") {
        const shiftKey = button("⇧ " + t("shift"), () => { shift = !shift; draw(); }, { class: "kb-key kb-wide kb-function", "aria-pressed": String(shift), "data-testid": "key-shift" });
        rows[2].prepend(shiftKey);
      }
    }
    rows[rows.length - 1].append(button("⌫ " + t("backspace"), pressBackspace, { class: "kb-key kb-wide kb-function", "data-testid": "key-backspace" }));
    const mode = (name) => {
      const key = button(t(name), () => setLayout(name), { class: "kb-key kb-wide kb-mode", "aria-pressed": String(layout === name), "data-testid": "layout-" + name });
      if (name === "pinyin" && tableState !== "ready") key.disabled = true;
      return key;
    };
    rows.push(row(
      mode("pinyin"), mode("letters"), mode("symbols"),
      button(t("space"), pressSpace, { class: "kb-key kb-space kb-function", "data-testid": "key-space" }),
      button(t("done"), pressDone, { class: "kb-key kb-wide kb-done", "data-testid": "key-done" })));
    return rows;
  }

  function digitKeys() {
    const digit = (k) => button(k, () => pressDigit(k), { class: "kb-key", "data-testid": "key-" + k });
    const rows = DIGIT_ROWS.map((keys) => row(...keys.map(digit)));
    const last = target.kind === "number" ? [digit("-"), digit("0"), digit(".")] : [digit("0")];
    rows.push(row(...last));
    rows.push(row(
      button("⌫ " + t("backspace"), pressBackspace, { class: "kb-key kb-wide kb-function", "data-testid": "key-backspace" }),
      button(t("done"), pressDone, { class: "kb-key kb-wide kb-done", "data-testid": "key-done" })));
    return rows;
  }

  function ensurePanel() {
    if (panel) return panel;
    panel = document.createElement("section");
    panel.id = "keyboard";
    panel.className = "keyboard";
    panel.hidden = true;
    panel.setAttribute("data-testid", "keyboard");
    // Below the screen's message, so what the agent answers stays right under the questions.
    const footer = document.querySelector("footer");
    if (footer) footer.before(panel); else document.body.append(panel);
    return panel;
  }

  function draw() {
    const node = ensurePanel();
    node.setAttribute("aria-label", t("keyboard"));
    node.lang = lang === "zh" ? "zh-CN" : "en";
    if (!target) { node.hidden = true; node.replaceChildren(); return; }
    node.hidden = false;
    node.dataset.layout = layout;
    node.dataset.pinyin = tableState;
    const parts = [];
    if (target.kind === "text") {
      if (tableState !== "ready") {
        const status = document.createElement("p");
        status.className = "kb-status";
        status.setAttribute("role", "status");
        status.setAttribute("data-testid", "keyboard-status");
        status.textContent = t(tableState === "loading" ? "loading" : "unavailable");
        parts.push(status);
      }
      if (layout === "pinyin") parts.push(candidateBar());
      parts.push(...textKeys());
    } else {
      if (target.kind === "date") {
        const hint = document.createElement("p");
        hint.className = "kb-status";
        hint.textContent = t("dateHint");
        parts.push(hint);
      }
      parts.push(...digitKeys());
    }
    node.replaceChildren(...parts);
    for (const input of document.querySelectorAll("[data-keyboard-for]")) {
      input.classList.toggle("editing", input.getAttribute("data-keyboard-for") === target.id);
    }
  }

  /** Opens the keyboard for one answer: { id, kind: "text"|"number"|"date", value: () => string, onInput: (value) => void }. */
  function open(options) {
    const same = target && target.id === options.id;
    target = options;
    if (!same) {
      composing = "";
      page = 0;
      shift = false;
      layout = options.kind === "text" ? (tableState === "unavailable" ? "letters" : "pinyin") : "digits";
    }
    draw();
    if (!same) ensurePanel().scrollIntoView({ block: "nearest" });
  }

  /** Closes the keyboard and forgets what was being typed. */
  function close() {
    if (!target && !composing) return;
    target = null;
    composing = "";
    page = 0;
    shift = false;
    for (const input of document.querySelectorAll("[data-keyboard-for].editing")) input.classList.remove("editing");
    draw();
  }

  function setLanguage(next) {
    if (next === lang) return;
    lang = next;
    if (target) draw();
  }

  return { open, close, setLanguage, editing: () => (target ? target.id : null) };
})();
