// The dashboard's board you can work on (progressive enhancement: without this file every card
// a person may change has an "Advance to …" form and a "Return…" link, plain pages). With it:
// - a card dragged onto the next step's column advances; onto an earlier one it returns, once
//   a dialog has asked why; two steps ahead or more is refused here (the server refuses too);
// - the card's own Advance button and Return… link do the same in place, for the keyboard.
// Every move is posted to the views the buttons post to, asking for JSON
// (partnerships/views/moves.py): refused, the card stays in (or goes back to) the column the
// server names and the live region lists what is missing; accepted, the card joins its new
// column and the counts follow. No inline script or style anywhere (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", () => {
  const board = document.querySelector("[data-board]");
  const status = document.getElementById("board-status");
  if (!board || !status) return;
  const dialog = document.getElementById("board-return-dialog");
  const returnForm = dialog && dialog.querySelector("[data-return-form]");
  const canAsk = returnForm && typeof dialog.showModal === "function";
  const columns = Array.from(board.querySelectorAll(".board-column[data-step]"));
  const columnOf = (step) => columns.find((c) => Number(c.dataset.step) === step);
  const stepOf = (card) => Number(card.dataset.step);
  const titleOf = (card) => card.querySelector("a").textContent.trim();
  let dragged = null;
  let returning = null;

  // The live region: a message, and what is missing as a list.
  const tell = (message, reasons, refused) => {
    const line = document.createElement("p");
    line.className = "mb-0";
    line.textContent = message;
    const parts = [line];
    if (reasons && reasons.length) {
      const list = document.createElement("ul");
      list.className = "mb-0 board-missing";
      reasons.forEach((reason) => {
        const item = document.createElement("li");
        item.textContent = reason;
        list.append(item);
      });
      parts.push(list);
    }
    status.className = `board-status alert small py-2 ${refused ? "alert-danger" : "alert-success"}`;
    status.replaceChildren(...parts);
  };

  // The answer as JSON with its HTTP status, or null (no network, or a page instead: the
  // sign-in page when the session has ended).
  const post = async (url, body) => {
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": body.get("csrfmiddlewaretoken") || "",
        },
      });
      const answer = await response.json();
      if (!answer || typeof answer.ok !== "boolean") return null;
      answer.status = response.status;
      return answer;
    } catch {
      return null;
    }
  };

  const count = (column, delta) => {
    const badge = column.querySelector("[data-count]");
    badge.textContent = String(Number(badge.textContent) + delta);
    badge.removeAttribute("title"); // its words counted what the page was drawn with
  };
  const showEmpty = (column) => {
    column.querySelector("[data-empty]").hidden = column.querySelector("[data-card]") !== null;
  };

  // The card into the column of `step`, its controls made right for that step.
  const place = (card, step) => {
    const from = card.closest(".board-column");
    const to = columnOf(step);
    if (!to || from === to) return;
    to.querySelector("[data-cards]").prepend(card);
    card.dataset.step = String(step);
    const advance = card.querySelector("[data-advance]");
    if (advance) {
      advance.hidden = !to.dataset.advanceLabel;
      advance.querySelector("[name=from_step]").value = String(step);
      advance.querySelector("button").textContent = to.dataset.advanceLabel || "";
    }
    const back = card.querySelector("[data-return]");
    if (back) back.hidden = step === 1;
    count(from, -1);
    count(to, 1);
    showEmpty(from);
    showEmpty(to);
  };

  const settle = (card, answer, focus) => {
    card.removeAttribute("aria-busy");
    if (!answer) {
      tell(board.dataset.failed, [], true);
    } else if (answer.ok) {
      place(card, answer.step);
      tell(`${titleOf(card)}: ${answer.message}`, [], false);
    } else {
      // Refused: the card stands where the server says (moved meanwhile by someone else?).
      if (answer.step && answer.step !== stepOf(card)) place(card, answer.step);
      tell(`${titleOf(card)}: ${answer.message}`, answer.reasons, true);
    }
    // Moving an element drops its focus: give it back, or to the card's link.
    if (focus) (focus.closest("[hidden]") ? card.querySelector("a") : focus).focus();
  };

  const advance = async (card, toStep, focus) => {
    const form = card.querySelector("[data-advance]");
    if (!form || card.getAttribute("aria-busy")) return;
    const body = new FormData(form);
    if (toStep) body.set("to_step", String(toStep));
    card.setAttribute("aria-busy", "true");
    settle(card, await post(form.action, body), focus);
  };

  const openReturn = (card, toStep) => {
    const step = stepOf(card);
    if (card.getAttribute("aria-busy") || step <= 1) return;
    returning = card;
    const select = returnForm.querySelector("[name=to_step]");
    select.replaceChildren(
      ...columns
        .filter((c) => Number(c.dataset.step) < step)
        .map((c) => new Option(c.dataset.label, c.dataset.step)),
    );
    select.value = String(toStep || step - 1);
    returnForm.setAttribute("action", card.dataset.returnUrl);
    returnForm.querySelector("[name=from_step]").value = String(step);
    returnForm.querySelector("[data-return-title]").textContent = titleOf(card);
    returnForm.querySelector("[name=reason]").value = "";
    returnForm.querySelector("[data-return-errors]").replaceChildren();
    dialog.showModal();
    returnForm.querySelector("[name=reason]").focus();
  };

  if (canAsk) {
    returnForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const card = returning;
      if (!card || card.getAttribute("aria-busy")) return;
      card.setAttribute("aria-busy", "true");
      const answer = await post(returnForm.action, new FormData(returnForm));
      if (answer && answer.status === 400 && answer.reasons.length) {
        // The reason (or the step) is not right: said in the dialog, which stays open.
        card.removeAttribute("aria-busy");
        const errors = returnForm.querySelector("[data-return-errors]");
        errors.replaceChildren(
          ...answer.reasons.map((reason) => {
            const item = document.createElement("li");
            item.textContent = reason;
            return item;
          }),
        );
        returnForm.querySelector("[name=reason]").focus();
        return;
      }
      returning = null;
      dialog.close();
      settle(card, answer, card.querySelector("[data-return]"));
    });
    returnForm.querySelector("[data-return-cancel]").addEventListener("click", () => {
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      if (returning) {
        const link = returning.querySelector("[data-return]");
        (link && !link.hidden ? link : returning.querySelector("a")).focus();
      }
      returning = null;
    });
  }

  // The card's own controls: the Advance button (Enter or Space on it) and the Return… link.
  board.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-advance]");
    if (!form) return;
    event.preventDefault();
    advance(form.closest("[data-card]"), null, form.querySelector("button"));
  });
  board.addEventListener("click", (event) => {
    const link = event.target.closest("[data-return]");
    if (!link || !canAsk) return; // without the dialog, the link opens the return page
    event.preventDefault();
    openReturn(link.closest("[data-card]"), null);
  });

  // Dragging (HTML5 drag and drop: draggable cards, the columns as drop targets).
  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest("[data-card][draggable=true]");
    if (!card || card.getAttribute("aria-busy")) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    card.classList.add("dragging");
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    columns.forEach((column) => column.classList.remove("drop-target"));
  });
  columns.forEach((column) => {
    column.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault(); // a card may be dropped here
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", (event) => {
      if (!column.contains(event.relatedTarget)) column.classList.remove("drop-target");
    });
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("drop-target");
      const card = dragged;
      dragged = null;
      if (!card) return;
      card.classList.remove("dragging");
      const from = stepOf(card);
      const to = Number(column.dataset.step);
      if (to === from + 1) advance(card, to, null);
      else if (to > from + 1) tell(`${titleOf(card)}: ${board.dataset.tooFar}`, [], true);
      else if (to < from && canAsk) openReturn(card, to);
    });
  });
});
