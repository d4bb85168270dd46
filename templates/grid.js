// Search, sort and page the job table from the rows embedded in the page (no request: the
// data is a <script type="application/json"> beside the table). The first page of rows is
// HTML already; this script takes over the table body and adds the controls. A link
// `#<section id>?group=<key>` (the failures table's) shows only the jobs of one group.
(function () {
  "use strict";
  var grids = [];

  function setup(root) {
    var data = JSON.parse(document.getElementById(root.getAttribute("data-grid")).textContent);
    var table = root.querySelector("table");
    var body = table.tBodies[0];
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var search = root.querySelector(".grid-search");
    var status = root.querySelector(".grid-status");
    var filterNote = root.querySelector(".grid-filter");
    var prev = root.querySelector(".grid-prev");
    var next = root.querySelector(".grid-next");
    var pageLabel = root.querySelector(".grid-page");
    var numeric = data.columns.map(function (c) { return c[1]; });
    var texts = data.rows.map(function (row) { return row.join("\u0001").toLowerCase(); });
    var values = numeric.map(function (isNumber, column) {
      if (!isNumber) return null;
      return data.rows.map(function (row) {
        return row[column] === "" ? null : Number(row[column]);
      });
    });
    var state = { query: "", group: "", column: -1, descending: false, page: 0 };
    var shown = [];

    root.querySelector(".grid-controls").hidden = false;
    root.querySelector(".grid-pager").hidden = false;
    headers.forEach(function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "grid-sort";
      button.textContent = th.textContent;
      button.title = "Sort by " + th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(column); });
    });
    search.addEventListener("input", function () {
      state.query = search.value.trim().toLowerCase();
      state.page = 0;
      update();
    });
    prev.addEventListener("click", function () { turn(-1); });
    next.addEventListener("click", function () { turn(1); });
    filterNote.querySelector("button").addEventListener("click", function () {
      if (location.hash) history.replaceState(null, "", location.pathname + location.search);
      showGroup("");
    });

    function sortBy(column) {
      if (state.column === column) {
        state.descending = !state.descending;
      } else {
        state.column = column;
        state.descending = numeric[column]; // numbers largest first, text A to Z
      }
      state.page = 0;
      headers.forEach(function (th, i) {
        var order = state.descending ? "descending" : "ascending";
        th.setAttribute("aria-sort", i === column ? order : "none");
      });
      update();
    }

    function turn(step) {
      var pages = Math.max(1, Math.ceil(shown.length / data.pageSize));
      state.page = Math.min(Math.max(state.page + step, 0), pages - 1);
      update();
    }

    function matching() {
      var rows = [];
      for (var i = 0; i < data.rows.length; i++) {
        if (state.group && (" " + data.groups[i] + " ").indexOf(" " + state.group + " ") < 0) continue;
        if (state.query && texts[i].indexOf(state.query) < 0) continue;
        rows.push(i);
      }
      if (state.column >= 0) rows.sort(compare);
      return rows;
    }

    function compare(a, b) {
      var column = state.column, sign = state.descending ? -1 : 1, x, y;
      if (numeric[column]) {
        x = values[column][a]; y = values[column][b];
        if (x === null || y === null) return x === y ? a - b : (x === null ? 1 : -1); // empty last
      } else {
        x = data.rows[a][column]; y = data.rows[b][column];
        if (x === "" || y === "") return x === y ? a - b : (x === "" ? 1 : -1);
      }
      if (x < y) return -sign;
      if (x > y) return sign;
      return a - b; // stable: the page's own order
    }

    function update() {
      shown = matching();
      var size = data.pageSize;
      var pages = Math.max(1, Math.ceil(shown.length / size));
      state.page = Math.min(state.page, pages - 1);
      var first = state.page * size;
      var part = shown.slice(first, first + size);
      var fragment = document.createDocumentFragment();
      part.forEach(function (index) {
        var tr = document.createElement("tr");
        data.rows[index].forEach(function (cell, column) {
          var td = document.createElement("td");
          if (numeric[column]) td.className = "num";
          td.textContent = cell; // text, never markup: tags and workdirs come from users
          tr.appendChild(td);
        });
        fragment.appendChild(tr);
      });
      body.textContent = "";
      body.appendChild(fragment);
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      pageLabel.textContent = "Page " + (state.page + 1).toLocaleString("en-US") + " of " +
        pages.toLocaleString("en-US");
      status.textContent = describe(part.length, first);
    }

    function describe(count, first) {
      var total = shown.length.toLocaleString("en-US");
      var of = data.rows.length.toLocaleString("en-US");
      var filtered = state.query || state.group;
      if (!count) return filtered ? "No job in the page matches." : "No jobs.";
      var range = "Jobs " + (first + 1).toLocaleString("en-US") + "–" +
        (first + count).toLocaleString("en-US") + " of " + total;
      return filtered ? range + " matching (of " + of + " in the page)." : range + ".";
    }

    function showGroup(key) {
      state.group = data.labels[key] === undefined ? "" : key;
      state.page = 0;
      filterNote.hidden = !state.group;
      if (state.group) {
        var inPage = data.groups.filter(function (g) {
          return (" " + g + " ").indexOf(" " + key + " ") >= 0;
        }).length;
        var size = data.sizes[key] || inPage;
        var held = inPage < size ? " (the page holds " + inPage.toLocaleString("en-US") + " of its " +
          size.toLocaleString("en-US") + " jobs; the CSV has every job)" : "";
        filterNote.querySelector("span").textContent =
          "Showing the jobs of the failure group " + data.labels[key] + held + ".";
      }
      update();
    }

    return { id: root.getAttribute("data-section"), element: root, showGroup: showGroup, update: update };
  }

  function followHash() {
    var match = /^#([^?]+)\?group=([A-Za-z0-9]+)$/.exec(location.hash);
    grids.forEach(function (grid) {
      if (match && match[1] === grid.id) {
        grid.showGroup(match[2]);
        grid.element.scrollIntoView();
      }
    });
  }

  document.querySelectorAll(".grid[data-grid]").forEach(function (root) {
    var grid = setup(root);
    grids.push(grid);
    grid.update();
  });
  window.addEventListener("hashchange", followHash);
  followHash();
})();
