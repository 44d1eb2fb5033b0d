// As a reader types in the search page's box, headlines that fit are offered (a datalist);
// without this script the form works as before.
(function () {
  var box = document.getElementById("q");
  var list = document.getElementById("search-suggestions");
  if (!box || !list || !window.fetch) return;
  var url = box.getAttribute("data-suggest");
  var timer = null;
  var asked = "";
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var typed = box.value.trim();
      if (typed.length < 2 || typed === asked) return;
      asked = typed;
      fetch(url + "?q=" + encodeURIComponent(typed))
        .then(function (answer) { return answer.ok ? answer.json() : { suggestions: [] }; })
        .then(function (found) {
          if (asked !== typed) return;  // a later answer is on its way
          list.textContent = "";
          found.suggestions.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.title;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  });
})();
