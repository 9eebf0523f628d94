// Small behaviours of the back office that HTML alone does not give:
// - an open action menu closes on Escape (focus back on its button), on a click outside,
//   and after one of its items was chosen;
// - a field marked data-select-on-focus selects its text (a token to copy).
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
})();
