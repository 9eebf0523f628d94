// Small behaviours of the back office that HTML alone does not give:
// - an open action menu closes on Escape (focus back on its button), on a click outside,
//   and after one of its items was chosen;
// - a field marked data-select-on-focus selects its text (a token to copy);
// - "/" anywhere outside a field goes to the search box; from the box, the down arrow
//   goes to the results (and up/down moves between them).
(() => {
  const openMenus = () => document.querySelectorAll("details[data-menu][open]");

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    openMenus().forEach((menu) => {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });

  document.addEventListener("click", (event) => {
    openMenus().forEach((menu) => {
      if (!menu.contains(event.target) || event.target.closest(".menu__item")) {
        menu.open = false;
      }
    });
  });

  document.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  const isField = (el) => el.closest("input, textarea, select, [contenteditable]");
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const box = document.querySelector("[data-search-box]");
    if (event.key === "/" && box && !isField(event.target)) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const links = [...document.querySelectorAll(".result-link")];
    if (!links.length) return;
    if (event.target.matches("[data-search-box]") && event.key === "ArrowDown") {
      event.preventDefault();
      links[0].focus();
      return;
    }
    const at = links.indexOf(event.target);
    if (at < 0) return;
    event.preventDefault();
    if (event.key === "ArrowUp" && at === 0 && box) box.focus();
    else links[Math.max(0, Math.min(links.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))].focus();
  });
})();
