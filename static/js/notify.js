// Desktop notifications for new notices, through the browser's Notification API only (no push service).
// The navigation badge (templates/callbacks/partials/badge.html) is polled every 30 seconds; a poll that finds
// a newer unread notice carries it in data-notice-id/-text/-url. Each notice pops up once per browser: the last
// shown id is kept in localStorage, so two open tabs do not both notify. Nothing pops up while the colleague's
// status is "Do not disturb" (data-quiet).
(() => {
  const LAST_SHOWN = "terugbel.lastNotifiedNotice";

  const supported = () => "Notification" in window;

  const lastShown = () => Number(window.localStorage.getItem(LAST_SHOWN) || 0);

  function showNewNotice(badge) {
    const id = Number(badge.dataset.noticeId || 0);
    if (!badge.dataset.noticeText || id <= lastShown()) {
      return;
    }
    window.localStorage.setItem(LAST_SHOWN, String(id));
    if (!supported() || Notification.permission !== "granted" || "quiet" in badge.dataset) {
      return;
    }
    const notification = new Notification(badge.dataset.noticeText, { tag: `terugbel-notice-${id}` });
    notification.onclick = () => {
      window.focus();
      window.location.assign(badge.dataset.noticeUrl);
      notification.close();
    };
  }

  function showEnableButton() {
    const button = document.querySelector("[data-notify-enable]");
    if (button && supported() && Notification.permission === "default") {
      button.hidden = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-notify-enable]");
    if (button && supported()) {
      Notification.requestPermission().then(() => {
        button.hidden = Notification.permission !== "default";
      });
    }
  });

  document.addEventListener("htmx:afterSettle", () => {
    const badge = document.getElementById("callbacks-badge");
    if (badge) {
      showNewNotice(badge);
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const badge = document.getElementById("callbacks-badge");
    // A first visit starts from what is unread now: only notices that arrive later pop up.
    if (badge && window.localStorage.getItem(LAST_SHOWN) === null) {
      window.localStorage.setItem(LAST_SHOWN, badge.dataset.noticeId || "0");
    }
    showEnableButton();
  });
})();
