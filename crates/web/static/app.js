// anjian: the little JavaScript the pages use. Everything works without it.
document.addEventListener("click", function (e) {
  var t = e.target.closest("[data-toggle]");
  if (t) {
    var el = document.getElementById(t.getAttribute("data-toggle"));
    if (el) el.classList.toggle("open");
  }
  var c = e.target.closest("[data-confirm]");
  if (c && !window.confirm(c.getAttribute("data-confirm"))) e.preventDefault();
  // The Content-Security-Policy allows no inline handlers: a print button says data-print.
  if (e.target.closest("[data-print]")) window.print();
});
// A form field with data-opens="ID" opens the <details> ID when set to "major"
// (the governance plan of a major hazard).
document.addEventListener("change", function (e) {
  var id = e.target.getAttribute && e.target.getAttribute("data-opens");
  if (id && e.target.value === "major") {
    var d = document.getElementById(id);
    if (d) d.open = true;
  }
});
