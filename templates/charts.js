// Draw every chart on the page from its inline Vega-Lite spec (no network: data is inline).
(function () {
  "use strict";
  var options = {
    renderer: "svg",
    actions: { export: true, source: false, compiled: false, editor: false },
  };
  document.querySelectorAll(".chart[data-spec]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-spec"));
    var spec = JSON.parse(source.textContent);
    window.vegaEmbed(element, spec, options).catch(function (error) {
      element.textContent = "This chart could not be drawn: " + error;
      console.error(error);
    });
  });
})();
