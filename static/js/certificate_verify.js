// The verification page: compares the text signed into the paper's QR code (in the address's
// fragment, which the browser never sends) with what the portal shows for the same code.
(function () {
  "use strict";
  var facts = document.getElementById("certificate-facts");
  var out = document.getElementById("paper-check");
  if (!facts || !out || !window.location.hash) return;
  var fragment = window.location.hash.slice(1);
  var dot = fragment.lastIndexOf(".");
  if (dot < 0) return;
  var parts;
  try {
    var b64 = fragment.slice(0, dot).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bytes = Uint8Array.from(window.atob(b64), function (c) { return c.charCodeAt(0); });
    parts = new TextDecoder("utf-8", { fatal: true }).decode(bytes).split("|");
  } catch (e) {
    return;
  }
  var lang = document.documentElement.lang || "";
  var zh = lang.indexOf("zh") === 0;
  var same =
    parts.length === 6 &&
    parts[0] === "1" &&
    parts[1] === facts.dataset.code &&
    parts[2] === facts.dataset.holder.replace(/\|/g, "｜") &&
    parts[3] === facts.dataset.programme.replace(/\|/g, "｜") &&
    parts[4] === facts.dataset.title.replace(/\|/g, "｜") &&
    parts[5] === facts.dataset.issued;
  out.textContent = same
    ? (zh ? "纸质证书二维码中的信息与本页一致。" : "The text in the paper's QR code matches this page.")
    : (zh ? "纸质证书二维码中的信息与本页不一致。" : "The text in the paper's QR code does not match this page.");
  out.className = "paper-check " + (same ? "ok" : "warn");
  out.hidden = false;
})();
