// The kiosk screen: follows the check-in session pushed by /api/session/events (server-sent events; it never polls) and
// drives it through /api/session/*. It shows no name or ID number (the API never sends one), keeps nothing in
// localStorage/sessionStorage, and drops everything of the person (answers, receipt, messages) when the session ends.
"use strict";
(() => {
  const T = {
    zh: {
      title: "智能报到终端", defaultOffice: "社区矫正智能报到终端", switchLang: "English", fontSmaller: "缩小字体", fontLarger: "放大字体",
      callStaff: "呼叫工作人员", loading: "正在连接…", disconnected: "屏幕与本机的连接已断开，请联系工作人员。",
      welcome: "欢迎报到", welcomeHint: "请点击下方按钮开始报到", start: "开始报到",
      idCard: "请放置身份证", idCardHint: "请将身份证放在读卡区，然后点击“读取身份证”。", readCard: "读取身份证",
      consent: "采集生物特征信息告知", consentIntro: "为核验您的身份并形成报到记录，本次报到将采集：",
      capture_face: "人脸图像", capture_fingerprint: "指纹", capture_voice: "语音（口头汇报录音）", capture_signature: "手写签名（笔迹）", listSeparator: "、",
      consentPurpose: "用途：核验您的身份，并作为向负责监管的司法所报送的报到记录。",
      consentKiosk: "本机保存：仅保存到综管平台确认已收到为止，随后即从本机删除。",
      consentPlatformDays: "平台保存：{days}天，期满后由平台删除。", consentPlatformRules: "平台保存：按司法所的相关规定保存。",
      consentChoice: "您可以不同意，改由工作人员为您办理报到，本次将不采集任何生物特征信息。同意后，以后每次报到时均可撤回。",
      consentChanged: "本次采集的内容或保存期限与您上次同意的不同，请重新确认。",
      consentAgree: "同意采集", consentStaff: "不同意，由工作人员办理",
      consentNotice: "采集同意确认", consentNoticeText: "您已于{date}同意采集：{captures}。用途和保存期限不变。",
      consentNoticeHint: "如需撤回同意，本机将删除您的同意记录，并由工作人员为您办理报到。",
      consentContinue: "继续报到", consentWithdraw: "撤回同意，改由工作人员办理",
      staffCheckIn: "工作人员正在赶来", staffCheckIn_refused: "您选择了由工作人员办理报到，本次未采集任何生物特征信息。请稍候。",
      staffCheckIn_withdrawn: "您的同意已撤回，本机已删除您的同意记录，本次未采集任何生物特征信息。工作人员将为您办理报到，请稍候。",
      face: "人脸核验", faceHints: ["请正对摄像头，站在屏幕正前方", "请摘下帽子、口罩和墨镜", "请保持不动，直到提示完成"], captureFace: "开始人脸核验",
      facePreview: "摄像头实时画面", faceHint_holdStill: "请保持不动", faceHint_noFace: "请站到摄像头前", faceHint_oneFaceOnly: "请只留一人在镜头前",
      faceHint_moveCloser: "请靠近一点", faceHint_moveBack: "请稍微后退", faceHint_moreLight: "光线不足，请站到亮处", faceHint_lookAtCamera: "请看摄像头",
      fingerprint: "指纹核验", fingerprintHint: "请将手指平放在指纹采集器上。", captureFingerprint: "采集指纹",
      questions: "报告情况", questionsHint: "请回答以下问题。", yes: "是", no: "否", submitAnswers: "提交回答", answerRequired: "请回答所有必答问题",
      spokenReport: "口头汇报", spokenReportHint: "点击“开始录音”后，请对着麦克风简要说明近期情况，说完后点击“我说完了”。", record: "开始录音",
      recording: "正在录音", timeLeft: "剩余时间", inputLevel: "音量", finishRecording: "我说完了",
      documentScan: "材料扫描", documentScanHint: "请将材料正面朝下放在扫描区。", scan: "扫描材料",
      documentCamera: "材料拍摄", documentPlace: "请将{doc}正面朝上平放在高拍仪下，然后点击“拍摄”。", documentOf: "第 {n} 份，共 {count} 份", takePicture: "拍摄",
      documentsTaken: "已拍摄 {n} 份材料，请确认无误",
      signature: "签名确认", signatureHint: "请在签名板上签名，然后点击“确认签名”。", sign: "确认签名",
      signatureLive: "您在签名板上写下的签名", scannedPages: "已扫描 {n} 页，请确认材料无误", sheetFront: "第 {n} 张 正面", sheetBack: "第 {n} 张 反面", noThumbnail: "无预览",
      commit: "提交报到", commitHint: "所有步骤已完成，请点击“提交报到”。", submit: "提交报到",
      receipt: "报到完成", sequence: "本机报到序号", recordNumber: "报到记录号", time: "报到时间", done: "完成",
      receiptPending: "正在保存报到…", receiptReturn: (n) => `${n} 秒后自动返回首页`,
      halted: "请联系工作人员", haltedHint: "本次报到需要工作人员协助，请点击“呼叫工作人员”。", backHome: "返回首页",
      outOfService: "暂停服务", outOfServiceHint: "本机暂时无法办理报到，请联系工作人员。",
      reason_noRoster: "本机尚未收到报到名单。", reason_storageFull: "本机存储已满。", reason_notEnrolled: "本机尚未完成注册。",
      reason_deviceUnavailable: "以下设备暂时无法使用：",
      device_idCardReader: "身份证阅读器", device_faceCamera: "人脸摄像头", device_fingerprintReader: "指纹采集器",
      device_audioRecorder: "麦克风", device_documentScanner: "扫描仪", device_signaturePad: "签名板",
      cancel: "取消报到", wait: "请稍候…", blank: "触摸屏幕开始",
    },
    en: {
      title: "Self-service check-in", defaultOffice: "Community corrections check-in kiosk", switchLang: "中文", fontSmaller: "Smaller text", fontLarger: "Larger text",
      callStaff: "Call staff", loading: "Connecting…", disconnected: "The screen lost its connection to this kiosk; please see staff.",
      welcome: "Welcome", welcomeHint: "Press the button below to check in", start: "Start check-in",
      idCard: "Place your ID card", idCardHint: "Place your ID card on the reader, then press “Read ID card”.", readCard: "Read ID card",
      consent: "Before we capture your biometric data", consentIntro: "To verify who you are and make the record of this check-in, this check-in captures:",
      capture_face: "Face image", capture_fingerprint: "Fingerprint", capture_voice: "Voice recording (your spoken report)", capture_signature: "Handwritten signature (pen strokes)", listSeparator: ", ",
      consentPurpose: "Why: to verify your identity, and as the check-in record for the office that supervises you.",
      consentKiosk: "On this kiosk: kept only until the platform confirms it has stored it, then deleted from the kiosk.",
      consentPlatformDays: "On the platform: {days} days, then deleted by the platform.", consentPlatformRules: "On the platform: kept as your office's rules require.",
      consentChoice: "You may decline and check in with staff instead; then nothing biometric is captured. If you agree, you can withdraw at any later check-in.",
      consentChanged: "What is captured or how long it is kept has changed since you last agreed; please choose again.",
      consentAgree: "I agree", consentStaff: "Check in with staff instead",
      consentNotice: "Your consent", consentNoticeText: "On {date} you agreed to the capture of: {captures}. Why and how long are unchanged.",
      consentNoticeHint: "If you withdraw your consent, this kiosk deletes its record of it and staff check you in.",
      consentContinue: "Continue", consentWithdraw: "Withdraw consent and check in with staff",
      staffCheckIn: "Staff are on their way", staffCheckIn_refused: "You chose to check in with staff; nothing biometric has been captured. Please wait.",
      staffCheckIn_withdrawn: "Your consent is withdrawn and this kiosk has deleted its record of it; nothing biometric has been captured. Staff will check you in; please wait.",
      face: "Face verification", faceHints: ["Face the camera, standing right in front of the screen", "Take off any hat, mask or sunglasses", "Hold still until you are told it is done"], captureFace: "Start face verification",
      facePreview: "Live camera view", faceHint_holdStill: "Hold still", faceHint_noFace: "Stand in front of the camera", faceHint_oneFaceOnly: "Only one person in view",
      faceHint_moveCloser: "Move a little closer", faceHint_moveBack: "Move back a little", faceHint_moreLight: "More light needed", faceHint_lookAtCamera: "Look at the camera",
      fingerprint: "Fingerprint", fingerprintHint: "Place your finger flat on the fingerprint reader.", captureFingerprint: "Read fingerprint",
      questions: "Your report", questionsHint: "Please answer these questions.", yes: "Yes", no: "No", submitAnswers: "Submit answers", answerRequired: "Please answer every required question",
      spokenReport: "Spoken report", spokenReportHint: "Press “Start recording”, tell the microphone briefly how you have been, then press “I'm done”.", record: "Start recording",
      recording: "Recording", timeLeft: "Time left", inputLevel: "Input level", finishRecording: "I'm done",
      documentScan: "Document scan", documentScanHint: "Place the document face down on the scanner.", scan: "Scan document",
      documentCamera: "Documents", documentPlace: "Lay the {doc} face up under the document camera, then press “Take picture”.", documentOf: "Document {n} of {count}", takePicture: "Take picture",
      documentsTaken: "Documents taken: {n}. Check they are the right ones",
      signature: "Signature", signatureHint: "Sign on the signature pad, then press “Confirm signature”.", sign: "Confirm signature",
      signatureLive: "Your signature as you write it on the pad", scannedPages: "Pages scanned: {n}. Check they are the right documents", sheetFront: "Sheet {n}, front", sheetBack: "Sheet {n}, back", noThumbnail: "No preview",
      commit: "Submit check-in", commitHint: "Every step is done; press “Submit check-in”.", submit: "Submit check-in",
      receipt: "Check-in complete", sequence: "Check-in number at this kiosk", recordNumber: "Record number", time: "Time", done: "Done",
      receiptPending: "Saving your check-in…", receiptReturn: (n) => `Back to the start in ${n} s`,
      halted: "Please see staff", haltedHint: "This check-in needs staff; press “Call staff”.", backHome: "Back to start",
      outOfService: "Out of service", outOfServiceHint: "This kiosk cannot take check-ins right now; please see staff.",
      reason_noRoster: "This kiosk has not received its roster yet.", reason_storageFull: "This kiosk's storage is full.", reason_notEnrolled: "This kiosk has not been registered yet.",
      reason_deviceUnavailable: "These devices cannot be used right now:",
      device_idCardReader: "ID card reader", device_faceCamera: "face camera", device_fingerprintReader: "fingerprint reader",
      device_audioRecorder: "microphone", device_documentScanner: "scanner", device_signaturePad: "signature pad",
      cancel: "Cancel", wait: "Please wait…", blank: "Touch the screen to start",
    },
  };
  // Without a platform policy the session takes any answers: these are the screen's default report questions.
  const DEFAULT_QUESTIONS = [
    { id: "residenceChanged", textZh: "居住地是否变更？", textEn: "Has your residence changed?", answerType: "yesNo", required: true },
    { id: "employment", textZh: "目前就业情况", textEn: "Your current employment", answerType: "text", required: false },
  ];
  const FONT_SCALES = [1, 1.25, 1.5];
  // The version of the consent words above (consent*, capture_*): the agent records it with the person's agreement and
  // refuses an agreement to another version (ConsentScope.CurrentTextVersion). Raise both whenever the words change.
  const CONSENT_TEXT_VERSION = 1;

  let lang = "zh";
  let fontScale = 0;
  let view = null;          // the session's view (no personal data)
  let availability = null;
  let receipt = null;       // the commit's receipt: record number and time only
  let answers = {};
  let message = "";         // the last answer's message, both languages "中文 / English"
  let busy = false;
  let disconnected = false;

  const $ = (id) => document.getElementById(id);
  const t = (key) => T[lang][key];
  const tf = (key, values) => t(key).replace(/\{(\w+)\}/g, (_, name) => values[name]);
  const pick = (text) => {
    if (!text) return "";
    const i = text.indexOf(" / ");
    return i < 0 ? text : (lang === "zh" ? text.slice(0, i) : text.slice(i + 3));
  };
  const el = (tag, props, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "onclick") node.addEventListener("click", v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  };

  function forget() {
    receipt = null;
    answers = {};
    message = "";
    $("call-staff-result").textContent = "";
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) { disconnected = true; render(); throw new Error("unauthorized"); }
    return response.json();
  }

  async function act(path, body) {
    if (busy) return null;
    busy = true;
    render();
    try {
      const answer = await post(path, body);
      message = answer.message || answer.error || "";
      if (answer.receipt) receipt = { recordId: answer.receipt.recordId, seq: answer.receipt.seq, committedAt: answer.receipt.committedAt };
      return answer;
    } catch (e) {
      return null;
    } finally {
      busy = false;
      render();
    }
  }

  function screenName() {
    if (disconnected) return "disconnected";
    if (!view) return "loading";
    if (view.state === "receipt" || (receipt && view.state === "commit")) return "receipt";
    if (view.state === "idle") return availability && !availability.available ? "outOfService" : "welcome";
    if (view.state === "halted") return "halted";
    if (view.state === "staffCheckIn") return "staffCheckIn";
    if (view.state === "consent") return view.consent && view.consent.mode === "notice" ? "consentNotice" : "consent";
    if (view.state === "commit") return "commit";
    return view.nextStep || "loading";
  }

  const stepScreen = (titleKey, hintKey, buttonKey, step, ...extras) => [
    el("h1", { text: t(titleKey) }),
    hintKey ? el("p", { text: t(hintKey) }) : null,
    ...extras,
    el("div", { class: "actions" },
      el("button", { type: "button", class: "primary", "data-testid": "step-" + step, onclick: () => act("/api/session/steps/" + step) }, busy ? t("wait") : t(buttonKey)),
      el("button", { type: "button", class: "secondary", "data-testid": "cancel", onclick: () => act("/api/session/cancel").then(forget) }, t("cancel"))),
  ];

  // The document camera: the policy's documents one at a time, each asked for by name, with which of how many it is.
  function documentCameraScreen(doc) {
    const name = lang === "zh" ? doc.textZh : doc.textEn;
    const prompt = el("p", { "data-testid": "document-prompt" },
      el("strong", { text: t("documentPlace").replace("{doc}", name) }), " ",
      el("span", { text: t("documentOf").replace("{n}", doc.number).replace("{count}", doc.count) }));
    return stepScreen("documentCamera", null, "takePicture", "documentScan", prompt);
  }

  // A question with choices (cmd/policy): one large button per answer, as for yes and no; the answer is the value.
  function choiceButtons(q) {
    const group = el("div", { class: "choices", role: "group", "aria-labelledby": "q-" + q.id });
    for (const c of q.choices) {
      group.append(el("button", {
        type: "button", "data-testid": `answer-${q.id}-${c.value}`, "aria-pressed": String(answers[q.id] === c.value),
        onclick: () => { answers[q.id] = c.value; render(); },
      }, lang === "zh" ? c.textZh : c.textEn));
    }
    return group;
  }

  // A typed answer: the on-screen keyboard (keyboard.js) opens on it, pinyin and letters for text, a digit pad for a
  // number or a date; inputmode="none" keeps any other keyboard away.
  function typedAnswer(q) {
    const kind = q.answerType === "number" || q.answerType === "date" ? q.answerType : "text";
    const props = { type: "text", inputmode: "none", "aria-labelledby": "q-" + q.id, "data-testid": "answer-" + q.id, "data-keyboard-for": q.id, maxlength: kind === "date" ? "10" : "200", autocomplete: "off" };
    if (kind === "date") props.placeholder = "yyyy-MM-dd";
    const input = el("input", props);
    input.value = answers[q.id] || "";
    if (window.KioskKeyboard && KioskKeyboard.editing() === q.id) input.classList.add("editing");
    input.addEventListener("input", () => { answers[q.id] = input.value; });
    const open = () => window.KioskKeyboard && KioskKeyboard.open({
      id: q.id,
      kind,
      value: () => answers[q.id] || "",
      onInput: (value) => {
        answers[q.id] = value;
        const shown = document.querySelector(`[data-keyboard-for="${q.id}"]`);
        if (shown) shown.value = value;
      },
    });
    input.addEventListener("focus", open);
    input.addEventListener("click", open);
    return input;
  }

  // The keyboard speaks the screen's language and closes (forgetting what was typed) when the questions are gone.
  function keyboardFollows(name) {
    if (!window.KioskKeyboard) return;
    KioskKeyboard.setLanguage(lang);
    if (name !== "reportAnswers") KioskKeyboard.close();
  }

  function questionsScreen() {
    const questions = view.questions && view.questions.length ? view.questions : DEFAULT_QUESTIONS;
    const list = questions.map((q) => {
      const label = (lang === "zh" ? q.textZh : q.textEn) + (q.required ? " *" : "");
      const box = el("div", { class: "question", "data-question": q.id }, el("p", { id: "q-" + q.id, text: label }));
      if (q.answerType === "yesNo") {
        const choices = el("div", { class: "choices", role: "group", "aria-labelledby": "q-" + q.id });
        for (const value of ["yes", "no"]) {
          choices.append(el("button", {
            type: "button", "data-testid": `answer-${q.id}-${value}`, "aria-pressed": String(answers[q.id] === value),
            onclick: () => { answers[q.id] = value; render(); },
          }, t(value)));
        }
        box.append(choices);
      } else {
        box.append(q.choices && q.choices.length ? choiceButtons(q) : typedAnswer(q));
      }
      return box;
    });
    const submit = () => {
      const given = {};
      for (const q of questions) if (answers[q.id] && answers[q.id].trim()) given[q.id] = answers[q.id].trim();
      if (questions.some((q) => q.required && !given[q.id])) { message = t("answerRequired"); render(); return; }
      act("/api/session/steps/reportAnswers", { answers: given });
    };
    return [
      el("h1", { text: t("questions") }), el("p", { text: t("questionsHint") }), ...list,
      el("div", { class: "actions" },
        el("button", { type: "button", class: "primary", "data-testid": "step-reportAnswers", onclick: submit }, busy ? t("wait") : t("submitAnswers")),
        el("button", { type: "button", class: "secondary", "data-testid": "cancel", onclick: () => act("/api/session/cancel").then(forget) }, t("cancel"))),
    ];
  }

  // Consent before any biometric capture: what, why, how long, and an equal choice of staff instead (GB/T 41819-2022).
  function consentScreen() {
    const consent = view.consent;
    const choose = (choice) => act("/api/session/consent", { choice, version: CONSENT_TEXT_VERSION });
    return [
      el("h1", { text: t("consent") }),
      el("div", { class: "consent", "data-testid": "consent-text" },
        consent.scopeChanged ? el("p", { class: "changed", text: t("consentChanged") }) : null,
        el("p", { text: t("consentIntro") }),
        el("ul", { "data-testid": "consent-captures" }, ...consent.captures.map((c) => el("li", { "data-capture": c, text: t("capture_" + c) }))),
        el("p", { text: t("consentPurpose") }),
        el("p", { text: t("consentKiosk") }),
        el("p", { "data-testid": "consent-platform-retention", text: consent.platformRetentionDays ? tf("consentPlatformDays", { days: consent.platformRetentionDays }) : t("consentPlatformRules") }),
        el("p", { text: t("consentChoice") })),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "primary", "data-testid": "consent-agree", onclick: () => choose("agree") }, busy ? t("wait") : t("consentAgree")),
        el("button", { type: "button", class: "primary secondary", "data-testid": "consent-staff", onclick: () => choose("staff") }, t("consentStaff"))),
    ];
  }

  // Consent on file for the same scope: a short notice instead of the whole text, and the way to withdraw it.
  function consentNoticeScreen() {
    const consent = view.consent;
    const date = new Date(consent.givenAt).toLocaleDateString(lang === "zh" ? "zh-CN" : "en-GB", { year: "numeric", month: "long", day: "numeric" });
    const captures = consent.captures.map((c) => t("capture_" + c)).join(t("listSeparator"));
    const choose = (choice) => act("/api/session/consent", { choice, version: CONSENT_TEXT_VERSION });
    return [
      el("h1", { text: t("consentNotice") }),
      el("div", { class: "consent", "data-testid": "consent-notice" },
        el("p", { text: tf("consentNoticeText", { date, captures }) }),
        el("p", { text: t("consentNoticeHint") })),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "primary", "data-testid": "consent-continue", onclick: () => choose("agree") }, busy ? t("wait") : t("consentContinue")),
        el("button", { type: "button", class: "primary secondary", "data-testid": "consent-withdraw", onclick: () => choose("withdraw") }, t("consentWithdraw"))),
    ];
  }

  // The face step's live preview: what the camera sees (mirrored, as people expect of a screen facing them), the face box
  // and what to do next in large plain words, announced by screen readers. It shows from the step's first frame until the
  // step answers; the node is kept across renders so the hint is announced, not re-created, and is emptied (no frame of the
  // person left in the DOM) the moment the step ends or the screen moves on.
  let facePreview = null;
  function facePreviewNode() {
    if (!facePreview) return null;
    facePreview.image.alt = t("facePreview");
    facePreview.hint.textContent = t("faceHint_" + facePreview.hintName) || "";
    return facePreview.node;
  }
  function clearFacePreview() {
    if (!facePreview) return;
    facePreview.image.removeAttribute("src");
    facePreview.hint.textContent = "";
    facePreview.node.remove();
    facePreview = null;
  }
  function showFacePreview(data) {
    // A frame that arrives after the step answered is dropped, not shown.
    if (screenName() !== "face" || !busy || !data || typeof data.frame !== "string" || !data.frame.startsWith("data:image/")) return;
    if (!facePreview) {
      const image = el("img", { alt: t("facePreview"), "data-testid": "face-preview-image" });
      const box = el("div", { class: "face-box", "aria-hidden": "true" });
      const hint = el("p", { class: "face-hint", role: "status", "aria-live": "polite", "data-testid": "face-hint" });
      const node = el("div", { class: "face-preview", "data-testid": "face-preview" }, el("div", { class: "face-frame" }, image, box), hint);
      facePreview = { node, image, box, hint, hintName: "" };
    }
    const { image, box, hint } = facePreview;
    image.width = data.width;
    image.height = data.height;
    image.src = data.frame;
    const b = data.box;
    box.hidden = !b || !(data.width > 0) || !(data.height > 0);
    if (!box.hidden) {
      box.style.left = (100 * b.x / data.width) + "%";
      box.style.top = (100 * b.y / data.height) + "%";
      box.style.width = (100 * b.width / data.width) + "%";
      box.style.height = (100 * b.height / data.height) + "%";
    }
    box.classList.toggle("good", data.hint === "holdStill");
    if (facePreview.hintName !== data.hint) {
      facePreview.hintName = data.hint;
      hint.textContent = t("faceHint_" + data.hint) || "";
    }
    if (!facePreview.node.isConnected) render();
  }

  // The face step's liveness challenge: what the person must do while the camera watches (blink, turn the head left or
  // right), drawn by the agent for this attempt and sent as the step starts. Shown large above the preview in the chosen
  // language with the other one beneath it, from the step's start until it answers; a new attempt brings its own.
  const CHALLENGES = {
    blink: { zh: "请眨眼", en: "Please blink" },
    turnLeft: { zh: "请向左转头", en: "Turn your head to the left" },
    turnRight: { zh: "请向右转头", en: "Turn your head to the right" },
  };
  let faceChallenge = null;
  function showChallenge(data) {
    if (screenName() !== "face" || !busy || !data || !CHALLENGES[data.challenge]) return;
    if (faceChallenge === data.challenge) return;
    faceChallenge = data.challenge;
    render();
  }
  function challengeNode() {
    const words = faceChallenge && CHALLENGES[faceChallenge];
    if (!words) return null;
    const other = lang === "zh" ? "en" : "zh";
    return el("div", { class: "face-challenge", role: "alert", "data-testid": "face-challenge", "data-challenge": faceChallenge },
      el("p", { class: "face-challenge-main", text: words[lang] }),
      el("p", { class: "face-challenge-other", lang: other === "zh" ? "zh-CN" : "en", text: words[other] }));
  }

  function content(name) {
    switch (name) {
      case "loading": return [el("h1", { text: t("loading") })];
      case "disconnected": return [el("h1", { text: t("disconnected") })];
      case "outOfService": {
        const reasons = (availability.reasons || []).map((r) => {
          if (r !== "deviceUnavailable") return el("p", { "data-reason": r, text: t("reason_" + r) || r });
          const names = (availability.devices || []).map((d) => t("device_" + d) || d);
          return el("p", { "data-reason": r, text: t("reason_" + r) + names.join(lang === "zh" ? "、" : ", ") });
        });
        return [el("h1", { text: t("outOfService") }), el("p", { text: t("outOfServiceHint") }), ...reasons];
      }
      case "welcome": return [
        el("h1", { text: t("welcome") }), el("p", { text: t("welcomeHint") }),
        el("button", { type: "button", class: "primary", "data-testid": "start", onclick: () => { forget(); act("/api/session/start"); } }, busy ? t("wait") : t("start")),
      ];
      case "idCard": return stepScreen("idCard", "idCardHint", "readCard", "idCard");
      case "consent": return consentScreen();
      case "consentNotice": return consentNoticeScreen();
      case "face": return stepScreen("face", null, "captureFace", "face", challengeNode(), facePreviewNode() || el("ul", { class: "hints", "data-testid": "face-hints" }, ...t("faceHints").map((h) => el("li", { text: h }))));
      case "fingerprint": return stepScreen("fingerprint", "fingerprintHint", "captureFingerprint", "fingerprint");
      case "reportAnswers": return questionsScreen();
      case "spokenReport": return stepScreen("spokenReport", "spokenReportHint", "record", "spokenReport", recordingPanel());
      case "documentScan": return view.document ? documentCameraScreen(view.document) : stepScreen("documentScan", "documentScanHint", "scan", "documentScan");
      case "signature": return stepScreen("signature", "signatureHint", "sign", "signature", signaturePanel());
      case "commit": return [
        el("h1", { text: t("commit") }), el("p", { text: t("commitHint") }),
        el("div", { class: "actions" },
          el("button", { type: "button", class: "primary", "data-testid": "commit", onclick: () => act("/api/session/commit") }, busy ? t("wait") : t("submit")),
          el("button", { type: "button", class: "secondary", "data-testid": "cancel", onclick: () => act("/api/session/cancel").then(forget) }, t("cancel"))),
      ];
      case "receipt": {
        if (!receipt) return [el("h1", { text: t("receiptPending") })];
        const when = new Date(receipt.committedAt).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB");
        return [
          el("h1", { text: t("receipt") }),
          el("div", { class: "receipt" },
            // A short number a person can note down or read to staff; the record number is the one the platform files.
            el("p", {}, t("sequence") + "：", el("strong", { "data-testid": "receipt-seq", text: "No. " + receipt.seq })),
            el("p", {}, t("recordNumber") + "：", el("strong", { "data-testid": "record-number", text: receipt.recordId })),
            el("p", {}, t("time") + "：", el("span", { "data-testid": "record-time", text: when }))),
          el("button", { type: "button", class: "primary", "data-testid": "done", onclick: () => { forget(); act("/api/session/reset").then(forget); } }, t("done")),
          el("p", { class: "countdown", "data-testid": "receipt-return", text: receiptCountdown() }),
        ];
      }
      case "staffCheckIn": return [
        el("h1", { text: t("staffCheckIn") }),
        el("p", { "data-testid": "staff-check-in", text: t("staffCheckIn_" + (view.consentDecision || "refused")) }),
        el("button", { type: "button", class: "secondary", "data-testid": "cancel", onclick: () => act("/api/session/cancel").then(forget) }, t("backHome")),
      ];
      case "halted": return [
        el("h1", { text: t("halted") }), el("p", { text: t("haltedHint") }),
        el("button", { type: "button", class: "secondary", "data-testid": "cancel", onclick: () => act("/api/session/cancel").then(forget) }, t("backHome")),
      ];
      default: return [el("h1", { text: t("loading") })];
    }
  }

  // The receipt's countdown to the kiosk returning to its start (the agent resets the session when it ends; the page only
  // shows the seconds, ticking on its own clock, and asks the agent nothing).
  let receiptEndsAt = null;
  let receiptTicker = null;
  function receiptCountdown() {
    const left = receiptEndsAt ? Math.max(0, Math.ceil((receiptEndsAt - Date.now()) / 1000)) : view.receiptSeconds;
    return left == null ? "" : t("receiptReturn")(left);
  }
  function followReceipt(name) {
    if (name === "receipt" && receipt && view.receiptSeconds != null) {
      if (receiptEndsAt === null) receiptEndsAt = Date.now() + view.receiptSeconds * 1000;
      if (receiptTicker === null) {
        receiptTicker = setInterval(() => {
          const line = document.querySelector("[data-testid=receipt-return]");
          if (line) line.textContent = receiptCountdown();
        }, 1000);
      }
    } else {
      receiptEndsAt = null;
      if (receiptTicker !== null) { clearInterval(receiptTicker); receiptTicker = null; }
    }
  }

  // The start screen goes black after availability.blankAfterSeconds with nobody there, and wakes at a touch (which does
  // nothing else) or when the presence sensor sees someone walk up.
  let presence = null;
  let blankTimer = null;
  function setBlank(on) {
    $("blank").hidden = !on;
    document.querySelector("header").inert = on;
    $("screen").inert = on;
    document.querySelector("footer").inert = on;
    if (!on) armBlank();
  }
  function armBlank() {
    clearTimeout(blankTimer);
    blankTimer = null;
    const after = availability && availability.blankAfterSeconds;
    const name = screenName();
    if (!after || presence === true || (name !== "welcome" && name !== "outOfService")) return;
    blankTimer = setTimeout(() => setBlank(true), after * 1000);
  }
  $("blank").addEventListener("click", (e) => { e.stopPropagation(); setBlank(false); });
  document.addEventListener("pointerdown", () => { if ($("blank").hidden) armBlank(); }, true);

  function render() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    document.documentElement.style.fontSize = 24 * FONT_SCALES[fontScale] + "px";
    $("office").textContent = (availability && availability.officeName) || t("defaultOffice");
    $("lang").textContent = t("switchLang");
    $("lang").setAttribute("lang", lang === "zh" ? "en" : "zh-CN");
    // The accessible name starts with the visible label (WCAG 2.5.3), so "A−" said aloud still finds the button.
    $("font-smaller").setAttribute("aria-label", "A− " + t("fontSmaller"));
    $("font-larger").setAttribute("aria-label", "A+ " + t("fontLarger"));
    $("call-staff").textContent = t("callStaff");
    const name = screenName();
    if (view) followReceipt(name);
    if (name !== "face" || !busy) { clearFacePreview(); faceChallenge = null; }
    const main = $("screen");
    main.dataset.screen = name;
    main.className = name === "outOfService" ? "out-of-service" : "";
    main.replaceChildren(...withScannedPages(content(name).filter(Boolean)));
    keyboardFollows(name);
    const notice = view && view.notice;
    $("notice").hidden = !notice;
    $("notice").textContent = pick(notice);
    $("message").textContent = pick(message);
    $("blank-text").textContent = t("blank");
  }

  $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; render(); });
  $("font-smaller").addEventListener("click", () => { fontScale = Math.max(0, fontScale - 1); render(); });
  $("font-larger").addEventListener("click", () => { fontScale = Math.min(FONT_SCALES.length - 1, fontScale + 1); render(); });
  $("call-staff").addEventListener("click", async () => {
    try {
      const answer = await post("/api/session/call-staff", { reason: "called from the kiosk screen" });
      $("call-staff-result").textContent = pick(answer.message || answer.error);
    } catch (e) { /* disconnected is shown */ }
  });

  const events = new EventSource("/api/session/events");
  events.onmessage = (e) => {
    const update = JSON.parse(e.data);
    const wasIdle = !view || view.state === "idle";
    view = update.session;
    availability = update.availability;
    presence = update.presence;
    followLiveEcho();
    disconnected = false;
    if (view.state === "idle" && !wasIdle) forget();
    render();
    if (presence === true || view.state !== "idle") setBlank(false);
    else if ($("blank").hidden) armBlank();
  };
  // What a running step shows live (preview frames, levels, pen samples): each kind's handler draws into the current
  // screen; nothing of it is kept once the step or the session moves on.
  const activityHandlers = {};
  activityHandlers.face = (data) => { if (data && data.challenge) showChallenge(data); showFacePreview(data); };
  activityHandlers.challenge = showChallenge;
  events.addEventListener("activity", (e) => {
    const activity = JSON.parse(e.data);
    const handler = activityHandlers[activity.kind];
    if (handler) handler(activity.data);
  });
  events.onerror = () => {
    // EventSource reconnects by itself; closed means the agent refused the screen (its cookie is no longer valid).
    if (events.readyState === EventSource.CLOSED) { disconnected = true; render(); }
  };
  // The live echo of the spoken report, the signature and the scan: a few nodes kept across renders (render() puts them back
  // into the screen) and dropped, the canvas cleared first, as soon as the step or the session moves on. Nothing of it is
  // stored anywhere; the scanned pages stay only until the step after the scan is done, so the person sees what was taken.
  const liveEcho = { key: null, signature: null, recording: null, scanned: null };
  const stepKey = () => (view ? view.state + ":" + (view.nextStep || "") : "");

  function followLiveEcho() {
    const key = stepKey();
    if (key === liveEcho.key) return;
    liveEcho.key = key;
    dropStepEcho();
    const scanned = liveEcho.scanned;
    if (!scanned) return;
    if (view.state === "idle" || view.state === "halted" || view.state === "receipt") liveEcho.scanned = null;
    else if (scanned.shownOn === null) { if (view.nextStep !== "documentScan") scanned.shownOn = key; }
    else liveEcho.scanned = null;
  }

  function dropStepEcho() {
    const signature = liveEcho.signature;
    if (signature) {
      signature.canvas.getContext("2d").clearRect(0, 0, signature.canvas.width, signature.canvas.height);
      signature.canvas.width = 0;
      signature.canvas.remove();
    }
    liveEcho.signature = null;
    liveEcho.recording = null;
  }

  // Signature: a canvas scaled from the pad's extent; pen-up breaks the line, pressure sets its width.
  function signaturePanel() {
    if (!liveEcho.signature) {
      const canvas = el("canvas", { class: "signature-live", "data-testid": "signature-canvas", role: "img", width: "800", height: "500" });
      liveEcho.signature = { canvas, padWidth: 0, padHeight: 0, last: null, inked: false };
    }
    const signature = liveEcho.signature;
    // Between attempts (no capture running) the pad starts blank again.
    if (!busy && signature.inked) {
      signature.canvas.getContext("2d").clearRect(0, 0, signature.canvas.width, signature.canvas.height);
      signature.last = null;
      signature.inked = false;
    }
    signature.canvas.setAttribute("aria-label", t("signatureLive"));
    return signature.canvas;
  }

  activityHandlers.pen = (data) => {
    const signature = liveEcho.signature;
    if (!signature || !busy || screenName() !== "signature" || !(data.width > 0 && data.height > 0)) return;
    const canvas = signature.canvas;
    if (signature.padWidth !== data.width || signature.padHeight !== data.height) {
      signature.padWidth = data.width;
      signature.padHeight = data.height;
      canvas.height = Math.max(1, Math.round(canvas.width * data.height / data.width));
      signature.last = null;
    }
    const scale = canvas.width / data.width;
    const context = canvas.getContext("2d");
    context.strokeStyle = "#000";
    context.lineCap = "round";
    context.lineJoin = "round";
    for (const [x, y, pressure, down] of data.points) {
      const point = { x: x * scale, y: y * scale, down: down === 1 };
      if (point.down && signature.last && signature.last.down) {
        context.lineWidth = data.maxPressure > 0 ? 1.5 + (4 * pressure) / data.maxPressure : 3;
        context.beginPath();
        context.moveTo(signature.last.x, signature.last.y);
        context.lineTo(point.x, point.y);
        context.stroke();
        signature.inked = true;
      }
      signature.last = point;
    }
  };

  // Spoken report: "Recording", the time left (mm:ss) and the microphone's level, from the first level the recorder reports.
  function recordingPanel() {
    const recording = liveEcho.recording;
    if (!recording || !busy) { liveEcho.recording = null; return null; }
    recording.indicator.textContent = t("recording");
    recording.label.textContent = t("timeLeft");
    recording.meter.setAttribute("aria-label", t("inputLevel"));
    recording.finish.textContent = t("finishRecording");
    showLevel(recording);
    return recording.node;
  }

  function showLevel(recording) {
    const level = recording.level;
    const seconds = Math.ceil(Math.max(0, level.maxMs - level.elapsedMs) / 1000);
    recording.countdown.textContent = String(Math.floor(seconds / 60)).padStart(2, "0") + ":" + String(seconds % 60).padStart(2, "0");
    const percent = Math.round(Math.min(1, Math.max(0, level.level)) * 100);
    recording.bar.style.width = percent + "%";
    recording.bar.classList.toggle("speech", !!level.speech);
    recording.meter.setAttribute("aria-valuenow", String(percent));
  }

  activityHandlers.level = (data) => {
    if (!busy || screenName() !== "spokenReport") return;
    if (liveEcho.recording) {
      liveEcho.recording.level = data;
      showLevel(liveEcho.recording);
      return;
    }
    const bar = el("div", { class: "level-bar" });
    const meter = el("div", { class: "level-meter", role: "meter", "aria-valuemin": "0", "aria-valuemax": "100", "data-testid": "level-meter" }, bar);
    const indicator = el("p", { class: "recording", "data-testid": "recording" });
    const label = el("span", { class: "countdown-label" });
    const countdown = el("span", { class: "countdown", "data-testid": "countdown" });
    // Ten updates a second: kept out of the screen's polite live region, or a screen reader would read every one.
    // "I'm done": the recording ends now and keeps what was said (it also ends by itself after a pause, or at the limit).
    const finish = el("button", { type: "button", class: "primary", "data-testid": "finish-recording", onclick: () => {
      finish.disabled = true;
      post("/api/session/steps/spokenReport/finish").catch(() => { /* disconnected is shown */ });
    } });
    const node = el("div", { class: "recording-panel" }, el("div", { "aria-live": "off" }, indicator, el("p", {}, label, " ", countdown), meter), finish);
    liveEcho.recording = { node, indicator, label, countdown, meter, bar, finish, level: data };
    render();
  };

  // Scan: the pages just taken as thumbnails (front/back, count), on the scan's screen and the next one until it is done.
  activityHandlers.pages = (data) => {
    liveEcho.scanned = { count: data.count, pages: data.pages || [], shownOn: view && view.nextStep !== "documentScan" ? stepKey() : null };
    render();
  };

  // Document camera: each document as it is taken joins the thumbnails, named, kept as the scan's are.
  activityHandlers.document = (data) => {
    const taken = liveEcho.scanned && liveEcho.scanned.camera ? liveEcho.scanned.pages : [];
    const pages = taken.concat([{ image: data.image, width: data.width, height: data.height, textZh: data.textZh, textEn: data.textEn }]);
    liveEcho.scanned = { camera: true, count: pages.length, pages, shownOn: null };
    render();
  };

  function withScannedPages(parts) {
    const scanned = liveEcho.scanned;
    if (!scanned) return parts;
    const pages = scanned.pages.map((page) => {
      const label = page.textZh ? (lang === "zh" ? page.textZh : page.textEn) : t(page.side === "back" ? "sheetBack" : "sheetFront").replace("{n}", page.sheet);
      return el("li", { "data-testid": "scanned-page" },
        page.image
          ? el("img", { src: page.image, alt: "", width: String(page.width), height: String(page.height) })
          : el("span", { class: "no-thumbnail", text: t("noThumbnail") }),
        el("span", { text: label }));
    });
    const panel = el("figure", { class: "scanned", "data-testid": "scanned-pages" },
      el("figcaption", { text: t(scanned.camera ? "documentsTaken" : "scannedPages").replace("{n}", scanned.count) }), el("ul", {}, ...pages));
    // Under the screen's title, so the next step's title still comes first.
    return [parts[0], panel, ...parts.slice(1)];
  }

  render();
})();
