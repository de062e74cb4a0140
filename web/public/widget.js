/*
 * Tandem chat widget: add the support chat to any site with one tag:
 *   <script src="https://support.example.com/widget.js" async></script>
 * Optional attributes: data-label="Help" (button text), data-position="left".
 * The chat runs in an iframe served by Tandem, so the host page's styles never leak in.
 */
(function () {
  if (window.__tandemWidget) return;
  window.__tandemWidget = true;
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/", window.location.href).origin;
  var label = (script && script.getAttribute("data-label")) || "Chat with us";
  var side = script && script.getAttribute("data-position") === "left" ? "left" : "right";
  var z = 2147483000;

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "tandem-chat-frame");
  button.style.cssText =
    "position:fixed;bottom:20px;" + side + ":20px;z-index:" + z +
    ";background:#4f46e5;color:#fff;border:0;border-radius:999px;padding:12px 20px;" +
    "font:600 15px/1.2 system-ui,sans-serif;box-shadow:0 6px 20px rgba(0,0,0,.2);cursor:pointer";

  var frame = document.createElement("iframe");
  frame.id = "tandem-chat-frame";
  frame.title = "Support chat";
  frame.src = origin + "/chat?embed=1";
  frame.hidden = true;
  frame.setAttribute("allow", "clipboard-write");
  frame.style.cssText =
    "position:fixed;bottom:84px;" + side + ":20px;z-index:" + z +
    ";width:min(400px,calc(100vw - 40px));height:min(620px,calc(100vh - 110px));" +
    "border:0;border-radius:16px;box-shadow:0 12px 40px rgba(0,0,0,.25);background:#fff";

  var unread = 0;
  var badge = document.createElement("span");
  badge.setAttribute("data-tandem-unread", "");
  badge.style.cssText =
    "display:inline-block;min-width:20px;margin-left:8px;padding:1px 6px;border-radius:999px;" +
    "background:#e11d48;color:#fff;font:700 12px/18px system-ui,sans-serif;text-align:center";

  var spoken = document.createElement("span");
  spoken.style.cssText =
    "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap";

  // The count shows as a badge; the words after it are for screen readers only, so the
  // button's name starts with what it shows ("Chat with us 2 unread messages").
  function render() {
    var open = !frame.hidden;
    button.textContent = open ? "Close chat" : label;
    if (!open && unread > 0) {
      badge.textContent = unread > 99 ? "99+" : String(unread);
      spoken.textContent = unread === 1 ? " unread message" : " unread messages";
      button.appendChild(document.createTextNode(" "));
      button.appendChild(badge);
      button.appendChild(spoken);
    }
  }

  function toggle(open) {
    frame.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) unread = 0;
    render();
    if (open) frame.focus();
  }
  button.addEventListener("click", function () {
    toggle(frame.hidden);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !frame.hidden) {
      toggle(false);
      button.focus();
    }
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow || !event.data) return;
    if (event.data.type === "tandem:close") {
      toggle(false);
      button.focus();
    } else if (event.data.type === "tandem:message" && frame.hidden) {
      unread += Math.max(1, Math.min(Number(event.data.count) || 1, 99));
      render();
    }
  });
  function mount() {
    document.body.appendChild(frame);
    document.body.appendChild(button);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
