// Desktop notifications for new notices, through the browser's Notification API only (no push service).
// The navigation badge (templates/callbacks/partials/badge.html) is polled every 30 seconds; a poll that finds
// a newer unread notice carries it in data-notice-id/-text/-url. Each notice pops up once per browser, however
// many tabs are open: the last shown id is kept in IndexedDB, and a tab pops a notice up only if its own
// read-write transaction raised that id. The browser runs such transactions one at a time across all tabs,
// so two tabs whose polls return together cannot both claim it (a check and a write in localStorage could:
// each tab's process reads its own copy). Nothing pops up while the colleague's status is "Do not disturb"
// (data-quiet).
(() => {
  const DATABASE = "terugbel-notify";
  const STORE = "notices";
  const LAST_SHOWN = "lastShown";

  const supported = () => "Notification" in window;

  // Runs `change(lastShownId)` in one read-write transaction; it returns the id to store, or null to keep
  // it. Resolves to whether a new id was stored. Without IndexedDB (blocked, say) nothing is claimed.
  function updateLastShown(change) {
    return new Promise((resolve) => {
      let opening;
      try {
        opening = window.indexedDB.open(DATABASE, 1);
      } catch {
        resolve(false);
        return;
      }
      opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
      opening.onerror = () => resolve(false);
      opening.onsuccess = () => {
        const database = opening.result;
        const transaction = database.transaction(STORE, "readwrite");
        const store = transaction.objectStore(STORE);
        let stored = false;
        const reading = store.get(LAST_SHOWN);
        reading.onsuccess = () => {
          const next = change(reading.result === undefined ? null : reading.result);
          if (next !== null) {
            store.put(next, LAST_SHOWN);
            stored = true;
          }
        };
        transaction.oncomplete = () => {
          database.close();
          resolve(stored);
        };
        transaction.onabort = () => {
          database.close();
          resolve(false);
        };
      };
    });
  }

  async function showNewNotice(badge) {
    const id = Number(badge.dataset.noticeId || 0);
    const text = badge.dataset.noticeText;
    const url = badge.dataset.noticeUrl;
    const quiet = "quiet" in badge.dataset;
    if (!text) {
      return;
    }
    const claimed = await updateLastShown((lastShown) => (lastShown === null || id > lastShown ? id : null));
    if (!claimed || !supported() || Notification.permission !== "granted" || quiet) {
      return;
    }
    const notification = new Notification(text, { tag: `terugbel-notice-${id}` });
    notification.onclick = () => {
      window.focus();
      window.location.assign(url);
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
    if (badge) {
      const id = Number(badge.dataset.noticeId || 0);
      updateLastShown((lastShown) => (lastShown === null ? id : null));
    }
    showEnableButton();
  });
})();
