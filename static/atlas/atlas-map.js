/* Strategic Sites Atlas: how the map draws itself in the browser.
 *
 * The server sends the heavy, constant data once, as files the browser fetches and keeps
 * (the Natural Earth outlines; the events as compact columns, with their text in chunks
 * fetched when a tooltip or popup needs them), or inline in a standalone export. Each
 * view then sends only what differs: the sites with their status on the as-of date, the
 * lease areas, and which events are in the view (a bitmap). Events are clustered here,
 * with supercluster, so panning and zooming never go back to the server.
 *
 * Text from the data reaches the page through textContent or HTML the server escaped.
 */
(function () {
  "use strict";
  var SSA = (window.SSA = window.SSA || {});
  var refs = SSA._refs || (SSA._refs = {}); // name -> URL or inline value
  var loads = SSA._loads || (SSA._loads = {}); // URL -> promise of its JSON

  // --- data ----------------------------------------------------------------------------

  SSA.source = function (spec) {
    Object.keys(spec).forEach(function (name) { refs[name] = spec[name]; });
  };

  // A file the server is still writing (on the first visit after a deploy) is not there
  // yet: try again, a little later each time (about 8 s in all).
  var RETRIES = 10;
  function fetchJson(ref, attempt) {
    return fetch(ref, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(ref + ": HTTP " + response.status);
      return response.json();
    }).catch(function (error) {
      if (attempt >= RETRIES) throw error;
      return new Promise(function (resolve) { setTimeout(resolve, 150 * (attempt + 1)); }).then(function () {
        return fetchJson(ref, attempt + 1);
      });
    });
  }

  function get(ref) {
    if (typeof ref !== "string") return Promise.resolve(ref);
    if (!loads[ref]) {
      loads[ref] = fetchJson(ref, 0);
      loads[ref].catch(function () { delete loads[ref]; }); // a later attempt may succeed
    }
    return loads[ref];
  }
  SSA.get = function (name) {
    if (!(name in refs)) return Promise.reject(new Error("no data source named " + name));
    return get(refs[name]);
  };

  function failed(what) {
    return function (error) {
      if (window.console) console.warn("Strategic Sites Atlas: " + what + " not drawn: " + error);
    };
  }

  // --- small DOM helpers (text always through textContent) -------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : "";
  }

  // --- base: Natural Earth land, outlines and the minimap ---------------------------------

  var LAND = "#f4f1ea", WATER = "#c9dcec";

  SSA.land = function (map) {
    var pane = map.createPane("ssa-land");
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    SSA.get("outlines").then(function (data) {
      L.geoJSON(data, {
        pane: "ssa-land", interactive: false,
        style: { color: "#9e9e9e", weight: 0.6, fillColor: LAND, fillOpacity: 1 }
      }).addTo(map);
    }).catch(failed("land"));
  };

  SSA.minimap = function (map) {
    if (!L.Control.MiniMap) return;
    var land = L.geoJSON(null, {
      interactive: false,
      style: { color: "#8a8a8a", weight: 0.5, fillColor: LAND, fillOpacity: 1 }
    });
    var mini = new L.Control.MiniMap(land, {
      position: "bottomleft", width: 150, height: 150, zoomLevelOffset: -5, toggleDisplay: true, minimized: SSA.narrow(map)
    });
    mini.addTo(map);
    mini._miniMap.getContainer().style.background = WATER;
    SSA.get("outlines").then(function (data) { land.addData(data); }).catch(failed("minimap"));
  };

  // --- controls: a box of server-escaped HTML (the legend, an export's note) --------------

  // A narrow or short map (a phone, a small embed): its boxes start folded, so that the map itself shows.
  var NARROW = 600, SHORT = 520;
  SSA.narrow = function (map) {
    var box = map.getContainer();
    return box.clientWidth < NARROW || box.clientHeight < SHORT;
  };

  SSA.legend = function (map, spec) {
    var box = L.control({ position: spec.position });
    box.onAdd = function () {
      var div = L.DomUtil.create("div", spec.className);
      div.innerHTML = spec.html; // built and escaped by the server from its own constants
      // The legend's title folds and unfolds it; on a narrow map it starts folded.
      var title = div.querySelector(".ssa-legend-title");
      if (title) {
        title.setAttribute("role", "button");
        title.setAttribute("tabindex", "0");
        var toggle = function () {
          var folded = div.classList.toggle("ssa-folded");
          title.setAttribute("aria-expanded", folded ? "false" : "true");
        };
        title.addEventListener("click", toggle);
        title.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
        if (SSA.narrow(map)) div.classList.add("ssa-folded");
        title.setAttribute("aria-expanded", div.classList.contains("ssa-folded") ? "false" : "true");
      }
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    box.addTo(map);
  };

  // On a narrow map the layer control starts folded to its button (it opens on a tap and
  // folds again on a tap on the map), once streamlit-folium has added it.
  SSA.compact = function (map) {
    if (!SSA.narrow(map)) return;
    var tries = 0;
    (function fold() {
      var control = map.getContainer().querySelector(".leaflet-control-layers");
      if (!control) {
        if (++tries < 40) setTimeout(fold, 50);
        return;
      }
      control.classList.remove("leaflet-control-layers-expanded");
      map.on("click", function () { control.classList.remove("leaflet-control-layers-expanded"); });
    })();
  };

  // Popups no wider than the map leaves room for.
  SSA.popupWidth = function (wanted) {
    return Math.max(200, Math.min(wanted, (window.innerWidth || wanted + 60) - 60));
  };

  // The overlays a view starts without: switched off once the layer control holds them.
  SSA.hideOverlays = function (overlays, names) {
    names.forEach(function (name) { if (overlays[name]) overlays[name].remove(); });
  };

  // Tells the app which overlays are on after the user ticks one in the layer control.
  // streamlit-folium returns ``selected_layers`` only for WMS layers; this fills it, when a
  // tick (not a rerun swapping the layers) added or removed an overlay, with the overlays
  // the control shows ticked, plus a numbered entry so that each report differs.
  SSA.reportOverlays = function (map, spec) {
    var ticked = false, reports = 0, container = map.getContainer();
    container.addEventListener("click", function (event) {
      if (event.target && event.target.matches && event.target.matches(".leaflet-control-layers-overlays input")) {
        ticked = true;
        setTimeout(function () { ticked = false; }, 0);
      }
    }, true); // capture: before Leaflet's own handler adds or removes the layer
    map.on("overlayadd overlayremove", function () {
      var data = window.__GLOBAL_DATA__;
      if (!ticked || !data) return;
      var selected = {};
      reports += 1;
      selected[spec.marker] = { name: spec.marker, url: "report-" + reports };
      container.querySelectorAll(".leaflet-control-layers-overlays label").forEach(function (label) {
        var input = label.querySelector("input"), name = label.textContent.trim();
        if (input && input.checked) selected[name] = { name: name, url: "ssa" };
      });
      data.selected_layers = selected;
    });
  };

  SSA.countries = function (group, hosts) {
    SSA.get("outlines").then(function (data) {
      if (!SSA._outlines) {
        SSA._outlines = L.geoJSON(data, {
          interactive: false,
          style: function (feature) {
            var host = hosts.indexOf(feature.properties.iso3) >= 0;
            return { color: host ? "#4d4d4d" : "#9e9e9e", weight: host ? 1.6 : 0.8, fill: false };
          }
        });
      }
      group.addLayer(SSA._outlines);
    }).catch(failed("country outlines"));
  };

  // --- sites: one marker per site, coloured by its status on the as-of date ---------------

  SSA.sites = function (group, view) {
    var pending = [];
    SSA._siteMarkers = {};
    view.sites.forEach(function (site) {
      var icon = el("div", {
        "class": "ssa-site" + (site.faded ? " ssa-faded" : "") + (site.changed ? " ssa-changed" : ""),
        "data-site": site.id, "data-kind": site.kind, "data-conf": site.conf || ""
      });
      icon.style.background = site.colour;
      var marker = L.marker([site.lat, site.lon], {
        icon: L.divIcon({ html: icon, className: "ssa-site-icon", iconSize: [26, 26], iconAnchor: [13, 13] }),
        zIndexOffset: 1000, // above event clusters at the same place
        keyboard: true
      });
      // The site's id travels with the marker: a click reports it (streamlit-folium returns
      // the clicked layer's GeoJSON as ``last_active_drawing``).
      marker.feature = { type: "Feature", properties: { site: site.id }, geometry: null };
      marker.bindTooltip(site.tooltip, site.changed ? { className: "ssa-tooltip-wide" } : {}); // escaped by the server; changes wrap
      var content = el("div", { "class": "ssa-popup-holder" }, "\u2026");
      marker.bindPopup(content, { maxWidth: SSA.popupWidth(380), maxHeight: 320 });
      pending.push([site, icon, content, marker]);
      SSA._siteMarkers[site.id] = marker;
      group.addLayer(marker);
    });
    // The popups' constant parts and the glyphs come with the sites' file (small, kept).
    SSA.get("sites").then(function (bundle) {
      pending.forEach(function (item) {
        var site = item[0], parts = bundle.popups[site.id] || ["", ""];
        item[1].innerHTML = bundle.glyphs[site.kind] || ""; // SVG built by the server from its own constants
        item[2].innerHTML = parts[0] + site.now + parts[1]; // HTML escaped by the server
        if (item[3].isPopupOpen()) item[3].getPopup().update();
      });
    }).catch(failed("site popups"));
  };

  // --- leases: areas shaded by years left, rings where no area is drawn -------------------

  SSA.leases = function (group, view) {
    view.rings.forEach(function (ring) {
      var circle = L.circleMarker([ring.lat, ring.lon], { radius: 17, color: ring.colour, weight: 4, fill: false });
      circle.bindTooltip(ring.tooltip);
      group.addLayer(circle);
    });
    if (!view.areas.length) return;
    SSA.get("sites").then(function (bundle) {
      view.areas.forEach(function (area) {
        var style = { color: area.colour, weight: 2, fillColor: area.colour, fillOpacity: 0.35, dashArray: "4 3" };
        var feature = { type: "Feature", properties: { site: area.site }, geometry: bundle.areas[area.area] };
        var shape = L.geoJSON(feature, { style: style });
        shape.bindTooltip(area.tooltip, { sticky: true });
        shape.on("mouseover", function () { shape.setStyle({ weight: 4, fillOpacity: 0.5 }); });
        shape.on("mouseout", function () { shape.setStyle(style); });
        // A click on an area is a click on its site: its popup, and the site selected.
        shape.on("click", function () {
          var marker = SSA._siteMarkers && SSA._siteMarkers[area.site];
          if (marker && marker._map) marker.fire("click", { latlng: marker.getLatLng() });
        });
        group.addLayer(shape);
      });
    }).catch(failed("lease areas"));
  };

  // --- events: compact columns, clustered in the browser ---------------------------------

  function bitsOf(base64, n) {
    var bytes = atob(base64), picked = [];
    for (var i = 0; i < n; i++) {
      if (bytes.charCodeAt(i >> 3) & (1 << (i & 7))) picked.push(i);
    }
    return picked;
  }

  // The text of event i (date, title, summary, ...), from its chunk; a promise.
  function eventText(bundle, i) {
    var events = bundle.events, chunk = Math.floor(i / events.chunk);
    return get(events.text[chunk]).then(function (rows) { return rows[i - chunk * events.chunk]; });
  }

  function dot(colour) {
    var node = el("span", { "class": "ssa-status" });
    node.style.background = colour;
    return node;
  }

  function eventPopup(bundle, i, text) {
    var events = bundle.events, kind = bundle.kinds[events.kind[i]];
    var box = el("div", { "class": "ssa-popup", "data-event": text[0] });
    box.appendChild(el("h3", null, text[3]));
    var dl = el("dl");
    function row(label, value) {
      dl.appendChild(el("dt", null, label));
      var dd = el("dd");
      if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
      dl.appendChild(dd);
      return dd;
    }
    var date = row("Date", text[1]);
    if (text[2] !== "day") date.appendChild(el("span", { "class": "ssa-muted" }, " (" + text[2] + ")"));
    var kindCell = el("span");
    kindCell.appendChild(dot(kind[1]));
    kindCell.appendChild(document.createTextNode(kind[0]));
    row("Kind", kindCell);
    var site = events.site[i];
    if (site >= 0) row("Site", bundle.sites[site][1]);
    row("Countries", text[5].map(function (code) { return bundle.countries[code] || code; }).join(", "));
    var grade = confidenceOf(bundle, i);
    if (grade) row("Confidence", badge(grade));
    box.appendChild(dl);
    if (text[4]) box.appendChild(el("p", null, text[4]));
    var other = text[7];
    if (other) {
      // A disputed event: the kept value and the other one, each with its sources.
      var field = other[0], kept = { date: text[1], title: text[3], summary: text[4] }[field];
      var sides = el("div", { "class": "ssa-dispute-sides" });
      var keptSide = el("div"), otherSide = el("div");
      keptSide.appendChild(el("span", { "class": "ssa-muted" }, "Kept"));
      keptSide.appendChild(el("div", null, kept === undefined ? "(as above)" : kept));
      var keptSources = text[6].filter(function (s) { return other[2].indexOf(s) < 0; });
      keptSide.appendChild(sourceList(bundle, keptSources.length ? keptSources : text[6]));
      otherSide.appendChild(el("span", { "class": "ssa-muted" }, "Other"));
      otherSide.appendChild(el("div", null, other[1]));
      otherSide.appendChild(sourceList(bundle, other[2]));
      sides.appendChild(keptSide);
      sides.appendChild(otherSide);
      var block = el("div", { "class": "ssa-dispute" });
      block.appendChild(el("b", null, "Sources disagree on " + field.replace(/_/g, " ")));
      block.appendChild(sides);
      box.appendChild(block);
    } else {
      box.appendChild(el("b", null, "Sources"));
      box.appendChild(sourceList(bundle, text[6]));
    }
    return box;
  }

  function sourceList(bundle, numbers) {
    var list = el("ul");
    numbers.forEach(function (s) {
      var source = bundle.sources[s], item = el("li");
      if (!source) return;
      var label = source[0], note = " (" + source[1] + (source[2] ? ", " + source[2] : "") + ")";
      var url = safeUrl(source[3]);
      var holder = url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }) : item;
      holder.appendChild(document.createTextNode(label));
      holder.appendChild(el("span", { "class": "ssa-muted" }, note));
      if (url) item.appendChild(holder);
      list.appendChild(item);
    });
    return list;
  }

  // An event's confidence: [grade, label, mark, colour, meaning], or null (the user's points have none).
  function confidenceOf(bundle, i) {
    var codes = bundle.events.conf;
    return codes && bundle.confidence ? bundle.confidence[codes[i]] || null : null;
  }

  function badge(grade) {
    var node = el("span", { "class": "ssa-conf ssa-conf-" + grade[0], title: grade[1] + ": " + grade[4] }, grade[2] + " " + grade[1].toLowerCase());
    node.style.borderColor = node.style.color = grade[3];
    return node;
  }

  function tooltipOf(text) {
    var node = el("div");
    node.appendChild(el("b", null, text[1]));
    node.appendChild(document.createTextNode(" \u2014 " + text[3]));
    return node;
  }

  function clusterIcon(count, extraClass) {
    var size = count < 10 ? 28 : count < 100 ? 34 : count < 1000 ? 40 : 46;
    var label = count < 10000 ? String(count) : Math.round(count / 1000) + "k";
    var node = el("div", { "class": "ssa-cluster" + (extraClass ? " " + extraClass : ""), "data-count": String(count) }, label);
    node.style.width = node.style.height = size + "px";
    return L.divIcon({ html: node, className: "ssa-cluster-icon", iconSize: [size, size] });
  }

  // A layer of points clustered in the browser: the atlas's events, or the user's own points
  // ("points": the same bundle format, sent with the page). ``kind`` names the data source,
  // the SSA slot of the layer on the map, and the map container's attributes.
  var KINDS = {
    events: { slot: "_events", noun: "events", clusterClass: "" },
    points: { slot: "_points", noun: "points", clusterClass: "ssa-cluster-points" }
  };

  function EventsLayer(group, view, kind) {
    this.kind = KINDS[kind || "events"];
    this.source = kind || "events";
    this.group = group;
    this.view = view;
    this.drawn = L.layerGroup();
    this.renderer = L.canvas({ padding: 0.3 });
    this.group.addLayer(this.drawn);
    this.onMove = this.render.bind(this);
    group.on("add", this.attach, this);
    group.on("remove", this.detach, this);
    if (group._map) this.attach();
  }

  // The bundle is fetched when the layer is first shown, not before.
  EventsLayer.prototype.load = function () {
    var self = this, view = this.view;
    this.loading = true;
    SSA.get(this.source).then(function (bundle) {
      self.bundle = bundle;
      self.picked = bitsOf(view.bits, bundle.events.n);
      self.index = new Supercluster({ radius: 60, maxZoom: Math.min(18, self.map ? self.map.getMaxZoom() : 18), minPoints: 2 });
      var lat = bundle.events.lat, lon = bundle.events.lon, scale = bundle.events.scale;
      self.index.load(self.picked.map(function (i) {
        return { type: "Feature", properties: { i: i }, geometry: { type: "Point", coordinates: [lon[i] / scale, lat[i] / scale] } };
      }));
      if (self.map) self.render();
    }).catch(failed(this.kind.noun));
  };

  EventsLayer.prototype.attach = function () {
    this.map = this.group._map;
    this.map.on("moveend", this.onMove);
    SSA[this.kind.slot] = this;
    if (this.index) this.render();
    else if (!this.loading) this.load();
  };

  EventsLayer.prototype.detach = function () {
    if (this.map) {
      this.map.off("moveend", this.onMove);
      // Its canvas goes too: Leaflet keeps a renderer on the map once used, so every filter
      // change (a new layer, a new canvas) would leave one more full-size canvas redrawn on
      // each pan. Shown again, the layer's markers put it back.
      this.map.removeLayer(this.renderer);
    }
    if (SSA[this.kind.slot] === this) SSA[this.kind.slot] = null;
  };

  EventsLayer.prototype.render = function () {
    var map = this.map;
    if (!map || !this.index || SSA[this.kind.slot] !== this) return;
    var bounds = map.getBounds().pad(0.3);
    var west = bounds.getWest(), east = bounds.getEast();
    if (east - west >= 360) { west = -180; east = 180; }
    var items = this.index.getClusters([west, Math.max(-90, bounds.getSouth()), east, Math.min(90, bounds.getNorth())], map.getZoom());
    var self = this, total = 0;
    this.drawn.clearLayers();
    items.forEach(function (item) {
      var latlng = [item.geometry.coordinates[1], item.geometry.coordinates[0]];
      var layer;
      if (item.properties && item.properties.cluster) {
        total += item.properties.point_count;
        layer = L.marker(latlng, { icon: clusterIcon(item.properties.point_count, self.kind.clusterClass), ssaCluster: item.properties.cluster_id });
        layer.bindTooltip(item.properties.point_count + " " + self.kind.noun + ": click to " +
          (self.index.getClusterExpansionZoom(item.properties.cluster_id) > self.index.options.maxZoom ? "list them" : "zoom in"));
        layer.on("click", function () { self.openCluster(item, latlng); });
      } else {
        total += 1;
        layer = self.single(item.properties.i, latlng);
      }
      self.drawn.addLayer(layer);
    });
    var container = map.getContainer();
    container.setAttribute("data-ssa-" + this.kind.noun + "-view", String(this.picked.length));
    container.setAttribute("data-ssa-" + this.kind.noun + "-drawn", String(total));
  };

  EventsLayer.prototype.single = function (i, latlng) {
    var self = this, bundle = this.bundle, kind = bundle.kinds[bundle.events.kind[i]];
    // A disputed or unconfirmed event is drawn hollow-looking: a dashed ring in its badge's colour.
    var grade = confidenceOf(bundle, i), doubtful = grade && (grade[0] === "disputed" || grade[0] === "unconfirmed");
    var marker = L.circleMarker(latlng, {
      renderer: this.renderer, radius: 6, color: doubtful ? grade[3] : "#ffffff", weight: doubtful ? 2 : 1.5,
      dashArray: doubtful ? "3 2" : null, fill: true, fillColor: kind[1], fillOpacity: doubtful ? 0.45 : 0.95, ssaEvent: i
    });
    var hover = el("div", null, kind[0] + " \u2026");
    marker.bindTooltip(hover);
    marker.on("mouseover", function () {
      eventText(bundle, i).then(function (text) { marker.setTooltipContent(tooltipOf(text)); }).catch(failed("tooltip"));
    });
    marker.on("click", function () { self.openEvent(i, latlng); });
    return marker;
  };

  EventsLayer.prototype.openEvent = function (i, latlng) {
    var map = this.map, bundle = this.bundle;
    eventText(bundle, i).then(function (text) {
      L.popup({ maxWidth: SSA.popupWidth(360), maxHeight: 300 }).setLatLng(latlng).setContent(eventPopup(bundle, i, text)).openOn(map);
    }).catch(failed("popup"));
  };

  var PAGE = 25;

  EventsLayer.prototype.openCluster = function (item, latlng) {
    var map = this.map, id = item.properties.cluster_id, count = item.properties.point_count;
    var zoom = this.index.getClusterExpansionZoom(id);
    if (zoom <= this.index.options.maxZoom) {
      map.setView(latlng, Math.min(zoom, map.getMaxZoom()));
      return;
    }
    // Events at one place: list them, a page at a time; each opens its own popup.
    var self = this, bundle = this.bundle;
    var box = el("div", { "class": "ssa-popup" });
    box.appendChild(el("h3", null, count + " " + this.kind.noun + " here"));
    var list = el("ol", { "class": "ssa-list" });
    box.appendChild(list);
    var more = el("button", { "class": "ssa-link", type: "button" });
    var popup = L.popup({ maxWidth: SSA.popupWidth(360), maxHeight: 300 }).setLatLng(latlng).setContent(box).openOn(map);
    function page(offset) {
      var leaves = self.index.getLeaves(id, PAGE, offset);
      Promise.all(leaves.map(function (leaf) { return eventText(bundle, leaf.properties.i); })).then(function (texts) {
        texts.forEach(function (text, k) {
          var item = el("li"), link = el("button", { "class": "ssa-link", type: "button" }, text[1] + " \u2014 " + text[3]);
          link.addEventListener("click", function () { self.openEvent(leaves[k].properties.i, latlng); });
          item.appendChild(link);
          list.appendChild(item);
        });
        var shown = offset + leaves.length;
        if (more.parentNode) more.parentNode.removeChild(more);
        if (shown < count) {
          more.textContent = "Show more (" + shown + " of " + count + " shown)";
          more.onclick = function () { page(shown); };
          box.appendChild(more);
        }
        popup.update();
      }).catch(failed("event list"));
    }
    page(0);
  };

  // The event numbers that what is drawn stands for (every leaf of every cluster, and each
  // single marker): used by tests to check that every event in the view is drawn once.
  EventsLayer.prototype.drawnEvents = function () {
    var self = this, found = [];
    this.drawn.eachLayer(function (layer) {
      if (layer.options.ssaCluster !== undefined) {
        self.index.getLeaves(layer.options.ssaCluster, Infinity).forEach(function (leaf) { found.push(leaf.properties.i); });
      } else if (layer.options.ssaEvent !== undefined) {
        found.push(layer.options.ssaEvent);
      }
    });
    return found;
  };

  SSA.events = function (group, view) {
    return new EventsLayer(group, view, "events");
  };
  SSA.points = function (group, view) {
    return new EventsLayer(group, view, "points");
  };
  SSA.drawnEvents = function () {
    return SSA._events ? SSA._events.drawnEvents() : [];
  };
  SSA.drawnPoints = function () {
    return SSA._points ? SSA._points.drawnEvents() : [];
  };
})();
