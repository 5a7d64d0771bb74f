// anjian: the little JavaScript the pages use. Everything works without it.
document.addEventListener("click", function (e) {
  var t = e.target.closest("[data-toggle]");
  if (t) {
    var el = document.getElementById(t.getAttribute("data-toggle"));
    if (el) el.classList.toggle("open");
  }
  var c = e.target.closest("[data-confirm]");
  if (c && !window.confirm(c.getAttribute("data-confirm"))) e.preventDefault();
});
