// A list of many choices (select[data-search], e.g. the mentees of a mentoring item) gets a box
// above it: typing narrows the list to the matching names; chosen ones always stay in view.
// Loaded as a file, since the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-search]").forEach((select) => {
    const box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.placeholder = select.dataset.searchPlaceholder || "";
    box.setAttribute("aria-label", select.dataset.searchPlaceholder || "");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", () => {
      const wanted = box.value.trim().toLowerCase();
      Array.from(select.options).forEach((option) => {
        const shown = !wanted || option.selected || option.text.toLowerCase().includes(wanted);
        option.hidden = !shown;
      });
    });
  });
});
