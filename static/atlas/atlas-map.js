/* Strategic Sites Atlas: how the map draws itself in the browser.
 *
 * The server sends the heavy, constant data once, as files the browser fetches and keeps
 * (the Natural Earth outlines; the sites' popups, names and areas; the events as compact
 * columns, with their text in chunks fetched when a tooltip or popup needs them), or inline in
 * a standalone export. Each view then sends only what differs: the sites with their status on
 * the as-of date, which sites are labelled, the lease areas, and which events are in the view
 * (a bitmap). Each layer of the registry (core/layerset.py) is drawn by one function here,
 * SSA.<script>(group, data). Events are clustered here, with supercluster, and labels placed
 * here, so panning and zooming never go back to the server.
 *
 * Text from the data reaches the page through textContent or HTML the server escaped.
 */
(function () {
  "use strict";
  var SSA = (window.SSA = window.SSA || {});
  var refs = SSA._refs || (SSA._refs = {}); // name -> URL or inline value
  var loads = SSA._loads || (SSA._loads = {}); // URL -> promise of its JSON

  // --- Leaflet, adjusted (the one place that touches its internals; tests/test_map_assets.py
  // checks that the vendored Leaflet still has what is changed here) -----------------------

  // A reader who asks the system for less motion gets no animated zoom, pan or fade.
  var REDUCED = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  SSA.reducedMotion = REDUCED;
  if (window.L && !SSA._adjusted) {
    SSA._adjusted = true;
    if (REDUCED) {
      L.Map.mergeOptions({ zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, inertia: false });
      // Pans too (a popup making room for itself, the minimap following): at once.
      var panBy = L.Map.prototype.panBy;
      L.Map.include({ panBy: function (offset, options) { return panBy.call(this, offset, L.extend({}, options, { animate: false })); } });
    }
    // A press on the map gives it the keyboard focus. Leaflet scrolls its own window back after
    // focusing, but not the page around the map's frame, which scrolls the frame into view
    // between the press and the release: the click then lands beside the marker aimed at.
    if (L.Map.Keyboard && L.Map.Keyboard.prototype._onMouseDown) {
      L.Map.Keyboard.prototype._onMouseDown = function () {
        if (!this._focused) this._map._container.focus({ preventScroll: true });
      };
    }
  }

  // The minimap hands its view back to the map when it moves (so that a reader can drag it). It
  // also moves on its own, following the map a little late or resized when folded, and then
  // handed a stale centre back: the map jumped back under a popup that was panning into sight,
  // leaving it cut off (seen on a phone). Only a move the reader made on the minimap is handed
  // back; after any other the minimap goes back to following the map.
  function userMovedMinimap(mini) {
    var handBack = mini._onMiniMapMoved, touched = false;
    mini._onMiniMapMoved = function (event) {
      if (touched || mini._mainMapMoving) {
        touched = false;
        return handBack.call(mini, event);
      }
      mini._shadowRect.setStyle({ opacity: 0, fillOpacity: 0 });
      // Back on the map's centre, as the minimap follows it (its own move then hands nothing back).
      var centre = mini._mainMap.getCenter();
      if (!mini._miniMap.getCenter().equals(centre, 1e-6)) {
        mini._mainMapMoving = true;
        mini._miniMap.setView(centre, mini._miniMap.getZoom(), { animate: false });
      }
    };
    return function (box) { // once added: the reader's own touches on the minimap
      ["pointerdown", "mousedown", "touchstart", "wheel", "keydown"].forEach(function (type) {
        box.addEventListener(type, function () { touched = true; }, { capture: true, passive: true });
      });
    };
  }

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
      // A fixed zoom (the region at a glance): a minimap that follows the map's zoom clamps it at
      // the map's first zooms and, handing its view back, moves the map away from a fitted view.
      position: "bottomleft", width: 150, height: 150, zoomLevelFixed: 1, zoomAnimation: false, toggleDisplay: true, minimized: SSA.narrow(map),
      strings: { hideText: "Hide the overview map", showText: "Show the overview map" }
    });
    var watchTouches = userMovedMinimap(mini); // before addTo, which binds the minimap's moveend to it
    mini.addTo(map);
    watchTouches(mini._miniMap.getContainer());
    SSA._minimap = mini; // for tests and people looking
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

  // The room the map's controls take at each edge, in pixels: popups and fitted views keep clear of it.
  function controlRoom(map) {
    var box = map.getContainer(), size = map.getSize();
    function corner(name) {
      // The map's own corner (the minimap, a map inside one of them, has corners too).
      var node = box.querySelector(":scope > .leaflet-control-container > .leaflet-" + name.replace(" ", ".leaflet-"));
      if (!node) return { w: 0, h: 0 };
      var w = 0, h = 0;
      Array.prototype.forEach.call(node.children, function (child) {
        if (child.offsetParent === null) return; // hidden
        w = Math.max(w, child.offsetWidth + 10);
        h += child.offsetHeight + 10;
      });
      return { w: Math.min(w, size.x / 2), h: Math.min(h, size.y / 2) };
    }
    var tl = corner("top left"), tr = corner("top right"), bl = corner("bottom left"), br = corner("bottom right");
    return { left: tl.w, top: Math.max(tr.h, 0), right: 0, bottom: Math.max(bl.h, br.h) };
  }

  // A popup opens whole inside the map and clear of its controls: no wider or taller than the
  // room left, and moved into that room when it opens (or grows).
  function popupOptions(map, wanted, tall) {
    var room = controlRoom(map), size = map.getSize();
    // The popup's own frame (its content's margins, its border) adds about 50 px to maxWidth.
    var width = Math.max(150, Math.min(wanted, size.x - room.left - room.right - 16 - 50));
    var height = Math.max(140, Math.min(tall, size.y - room.top - room.bottom - 60));
    return {
      maxWidth: width, minWidth: Math.min(200, width), maxHeight: height, autoPan: true,
      autoPanPaddingTopLeft: L.point(room.left + 8, room.top + 8),
      autoPanPaddingBottomRight: L.point(room.right + 8, room.bottom + 8),
      keepInView: false
    };
  }
  SSA.popupOptions = popupOptions;

  // The overlays a view starts without: switched off once the layer control holds them.
  SSA.hideOverlays = function (overlays, names) {
    names.forEach(function (name) { if (overlays[name]) overlays[name].remove(); });
  };

  // --- what the map tells the app ---------------------------------------------------------
  // streamlit-folium returns ``selected_layers`` (meant for WMS layers) whenever the map moves or
  // a layer is ticked; the atlas's reports ride in it, each an entry {name, url} under its key:
  // the overlays ticked (SSA.reportOverlays) and where the map is (SSA.frame).
  var reports = SSA._reports || (SSA._reports = {});
  function report(key, entries) {
    reports[key] = entries;
    var data = window.__GLOBAL_DATA__;
    if (!data) return;
    var selected = {};
    Object.keys(reports).forEach(function (k) {
      Object.keys(reports[k]).forEach(function (name) { selected[name] = reports[k][name]; });
    });
    data.selected_layers = selected;
  }

  // Tells the app which overlays are on after the user ticks one in the layer control: when a
  // tick (not a rerun swapping the layers) added or removed an overlay, the overlays the
  // control shows ticked, plus a numbered entry so that each report differs.
  SSA.reportOverlays = function (map, spec) {
    var ticked = false, count = 0, container = map.getContainer();
    container.addEventListener("click", function (event) {
      if (event.target && event.target.matches && event.target.matches(".leaflet-control-layers-overlays input")) {
        ticked = true;
        setTimeout(function () { ticked = false; }, 0);
      }
    }, true); // capture: before Leaflet's own handler adds or removes the layer
    map.on("overlayadd overlayremove", function () {
      if (!ticked) return;
      var selected = {};
      count += 1;
      selected[spec.marker] = { name: spec.marker, url: "report-" + count };
      container.querySelectorAll(".leaflet-control-layers-overlays label").forEach(function (label) {
        var input = label.querySelector("input"), name = label.textContent.trim();
        if (input && input.checked) selected[name] = { name: name, url: "ssa" };
      });
      report("overlays", selected);
    });
  };

  // --- the frame: fitted to the view's sites, or where the user (or a link) put it -------------
  //
  // The first view fits the view's sites in the map's real shape; a filter change fits the new
  // sites unless the user has moved the map since, and then the "Zoom to the results" button
  // does it. Where the map is travels with the link: after each move the app is told either
  // "fitted" or the centre and zoom ("lat,lon,zoom", spec.marker), which it writes to the URL
  // (map=). A link that names a frame opens there (spec.pinned), and counts as moved.
  function round(value, digits) {
    var f = Math.pow(10, digits);
    return Math.round(value * f) / f;
  }
  function here(map) {
    var c = map.wrapLatLng(map.getCenter());
    return [round(c.lat, 4), round(c.lng, 4), round(map.getZoom(), 2)];
  }
  // The same frame: the same zoom, and centres less than 3 px apart at it (the minimap, following
  // the map at its own scale, hands the centre back rounded to its pixels).
  function same(map, a, b) {
    if (!a || !b || Math.abs(a[2] - b[2]) >= 1e-2) return false;
    return map.project([a[0], a[1]], a[2]).distanceTo(map.project([b[0], b[1]], a[2])) < 3;
  }

  var FIT_ICON = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h6v2H6v4H4zm10 0h6v6h-2V6h-4zM4 14h2v4h4v2H4zm14 0h2v6h-6v-2h4zM9 9h6v6H9z"/></svg>';

  SSA.frame = function (map, spec) {
    var frame = SSA._frame = { map: map, marker: spec.marker, maxZoom: spec.maxZoom, pinned: !!spec.pinned, fitted: null, fitting: false, moved: !!spec.pinned, bounds: null, started: false };
    // The first view's sites are known with the base map: fitted now, before the minimap
    // starts following the map (a fit while it still settles has it move the map back).
    // The map fills its frame, whose height the page may set (a phone's map is shorter than a
    // desktop's: page.css); a new shape refits a fitted map (see moved()).
    // The height: the map's own (streamlit-folium's), capped by the frame's max-height in the page.
    // Not the frame's height as it is now: the frame starts small until streamlit-folium sizes it,
    // and a map fitted to that would be fitted again (its markers moving) once it is sized.
    var fill = function () {
      var box = map.getContainer(), frame = window.frameElement, data = window.__GLOBAL_DATA__;
      if (!frame || !data || !data.height) return;
      var cap = parseFloat(window.parent.getComputedStyle(frame).maxHeight);
      var height = isFinite(cap) ? Math.min(data.height, cap) : data.height;
      if (height > 0 && Math.abs(box.clientHeight - height) > 1) {
        box.style.height = height + "px";
        map.invalidateSize({ pan: false });
      }
    };
    window.addEventListener("resize", fill);
    fill();
    map.on("moveend", function () { moved(); });
    map.on("autopanstart", function () { frame.autopan = true; });
    if (spec.bounds) {
      frame.bounds = L.latLngBounds(spec.bounds);
      frame.started = true;
      if (!frame.pinned) fit(false);
    }
    var Fit = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var bar = L.DomUtil.create("div", "leaflet-bar ssa-fit");
        var button = L.DomUtil.create("button", "ssa-fit-button", bar);
        button.type = "button";
        button.title = "Zoom to the results";
        button.setAttribute("aria-label", "Zoom to the results: fit the map to the sites of this view");
        button.innerHTML = FIT_ICON; // a constant
        L.DomEvent.on(button, "click", function (event) { L.DomEvent.stop(event); fit(true); });
        L.DomEvent.disableClickPropagation(bar);
        bar.hidden = true;
        frame.button = bar;
        return bar;
      }
    });
    new Fit().addTo(map);
    if (frame.pinned) moved();

  };

  function fit(animate) {
    var frame = SSA._frame;
    if (!frame || !frame.bounds) return;
    var map = frame.map;
    frame.fitting = true;
    // Clear of the buttons down the left edge and the layer button at the top right.
    map.fitBounds(frame.bounds, {
      paddingTopLeft: L.point(60, 36),
      paddingBottomRight: L.point(36, 36),
      maxZoom: frame.maxZoom, // layers.FIT_MAX_ZOOM
      animate: !!animate && !REDUCED
    });
  }
  SSA.fitResults = function () { fit(true); };

  function moved() {
    var frame = SSA._frame, map = frame.map, now = here(map), size = map.getSize();
    if (frame.fitting || (frame.autopan && !frame.moved)) {
      // Our fit; or a popup making room for itself on a fitted map, which stays "fitted".
      frame.fitting = frame.autopan = false;
      frame.fitted = now;
      frame.fitSize = size;
    } else if (!frame.moved && frame.fitSize && !size.equals(frame.fitSize)) {
      fit(false); // the map changed shape (its frame sized, a window turned): fit it again
      return;
    }
    frame.autopan = false;
    frame.moved = !same(map, now, frame.fitted);
    if (frame.button) frame.button.hidden = !(frame.moved && frame.bounds);
    var entry = {};
    entry[frame.marker] = { name: frame.marker, url: frame.moved ? now.join(",") : "fitted" };
    report("frame", entry);
    map.getContainer().setAttribute("data-ssa-frame", frame.moved ? now.join(",") : "fitted");
  }

  // The view's sites are known (a first view, or a filter changed): fit them, unless the user
  // (or the link) placed the map.
  function newResults(points) {
    var frame = SSA._frame;
    if (!frame) return;
    var bounds = points.length ? L.latLngBounds(points) : null;
    var first = !frame.started, same_ = !!bounds && !!frame.bounds && bounds.equals(frame.bounds, 1e-4);
    frame.bounds = bounds;
    frame.started = true;
    if (same_ && frame.fitted) return; // the same sites: the frame stays as it is
    if (frame.moved) {
      if (frame.button) frame.button.hidden = !frame.bounds;
      return;
    }
    fit(!first);
  }

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

  // --- sites: one marker per site, its status on the as-of date in its colour and shape ---------
  //
  // Each marker is a button named as a sighted reader sees it ("Baikonur Cosmodrome, leased to
  // Russia until 2050"), in west-to-east order for the keyboard; Enter or Space does what a click
  // does (opens the popup and selects the site), Escape closes the popup and returns to the marker.
  // Markers that would overlap at the current zoom are spread apart, each on a thin line to its
  // place, so that every one can be aimed at (see spread()).

  var SITE_SIZE = 26, SITE_GAP = 30; // px: a marker, and the least distance between two markers' centres

  SSA.sites = function (group, view) {
    var pending = [], markers = [];
    SSA._siteMarkers = {};
    var sites = view.sites.slice().sort(function (a, b) { return a.lon - b.lon || b.lat - a.lat; });
    sites.forEach(function (site) {
      var icon = el("div", {
        "class": "ssa-site" + (site.faded ? " ssa-faded" : "") + (site.changed ? " ssa-changed" : ""),
        "data-site": site.id, "data-kind": site.kind, "data-conf": site.conf || "", "data-status": site.status || ""
      });
      icon.style.setProperty("--ssa-status", site.colour);
      var marker = L.marker([site.lat, site.lon], {
        icon: L.divIcon({ html: icon, className: "ssa-site-icon", iconSize: [SITE_SIZE, SITE_SIZE], iconAnchor: [SITE_SIZE / 2, SITE_SIZE / 2] }),
        zIndexOffset: 1000, // above event clusters at the same place
        keyboard: true, autoPanOnFocus: false, riseOnHover: true
      });
      marker.ssaShift = [0, 0];
      // The site's id travels with the marker: a click reports it (streamlit-folium returns
      // the clicked layer's GeoJSON as ``last_active_drawing``).
      marker.feature = { type: "Feature", properties: { site: site.id }, geometry: null };
      marker.bindTooltip(site.tooltip, site.changed ? { className: "ssa-tooltip-wide" } : {}); // escaped by the server; changes wrap
      var content = el("div", { "class": "ssa-popup-holder" }, "\u2026");
      // Before the popup's own click handler: the popup's room is worked out when it opens.
      marker.on("click", function () {
        var popup = marker.getPopup();
        if (popup && marker._map) L.setOptions(popup, shiftedPopup(marker, popupOptions(marker._map, 380, 320)));
      });
      marker.bindPopup(content, { maxWidth: 380, maxHeight: 320 });
      marker.on("add", function () { decorate(marker, site.label); });
      marker.on("popupclose", function () {
        if (SSA._escaped === marker) {
          SSA._escaped = null;
          var node = marker.getElement();
          if (node) node.focus({ preventScroll: true });
        }
      });
      pending.push([site, icon, content, marker]);
      markers.push(marker);
      SSA._siteMarkers[site.id] = marker;
      group.addLayer(marker);
    });
    SSA._siteList = markers;
    // The popups' constant parts, the glyphs and the status shapes come with the sites' file (small, kept).
    SSA.get("sites").then(function (bundle) {
      pending.forEach(function (item) {
        var site = item[0], parts = bundle.popups[site.id] || ["", ""];
        var shape = bundle.shapes ? bundle.shapes[site.status || ""] || "" : "";
        item[1].innerHTML = shape + (bundle.glyphs[site.kind] || ""); // SVG built by the server from its own constants
        if (shape) item[1].classList.add("ssa-shaped");
        item[2].innerHTML = parts[0] + site.now + parts[1]; // HTML escaped by the server
        if (item[3].isPopupOpen()) item[3].getPopup().update();
      });
    }).catch(failed("site popups"));
    var onMap = function () {
      var map = group._map;
      newResults(view.sites.map(function (site) { return [site.lat, site.lon]; }));
      spreadSoon(map);
    };
    if (group._map) onMap(); else group.once("add", onMap);
  };

  // A marker's name, and its keys, each time it is (re)drawn.
  function decorate(marker, label) {
    var node = marker.getElement();
    if (!node) return;
    node.setAttribute("aria-label", label);
    node.setAttribute("aria-haspopup", "dialog");
    if (node._ssaKeys) return;
    node._ssaKeys = true;
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        event.stopPropagation();
        // A click, as the mouse's: its popup, and (propagated to its layer) the site selected.
        marker.fire("click", { latlng: marker.getLatLng(), originalEvent: event }, true);
        var popup = marker.getPopup();
        var box = popup && popup.getElement() && popup.getElement().querySelector(".leaflet-popup-content");
        if (box) {
          box.setAttribute("tabindex", "-1");
          box.focus({ preventScroll: true });
        }
      }
    });
    if (marker._map) spreadSoon(marker._map);
  }

  // Escape closes the open popup, wherever the focus is in the map, and a site's popup returns
  // the focus to its marker. (Leaflet's own Escape works only while the map itself has the focus.)
  SSA.keys = function (map) {
    map.on("popupopen", function (event) {
      var site = (SSA._siteList || []).filter(function (m) { return m.getPopup() === event.popup; })[0];
      SSA._openSite = site || null;
    });
    map.getContainer().addEventListener("keydown", function (event) {
      if (event.key !== "Escape" && event.key !== "Esc") return;
      var site = SSA._openSite;
      if (site && site.isPopupOpen()) {
        SSA._escaped = site;
        site.closePopup();
        event.stopPropagation();
      } else if (map.closePopup) {
        map.closePopup();
      }
    }, true);
  };

  // A site's popup opens at its marker where it is drawn (spread apart from its place or not).
  function shiftedPopup(marker, options) {
    options.offset = L.point(marker.ssaShift[0], 7 + marker.ssaShift[1] - SITE_SIZE / 2);
    return options;
  }

  // Spread apart the markers closer than their size at this zoom: pairs that overlap are
  // pushed apart along the line between them (a few rounds, so that chains settle), and each
  // moved marker is drawn at its new place with a line to its real one. Deterministic: the same
  // view and zoom always give the same picture.
  var spreadTimer = null;
  function spreadSoon(map) {
    if (!map || spreadTimer) return;
    if (!map._ssaSpreads) {
      map._ssaSpreads = true;
      map.on("zoomend viewreset", function () { spread(map); });
    }
    spreadTimer = setTimeout(function () { spreadTimer = null; spread(map); }, 0);
  }

  // The markers spread: the sites, and the event clusters drawn (each a button, never under
  // another one). Each keeps at least MARKER_GAP px of its own on every side.
  var MARKER_GAP = 4;
  function sizeOf(marker) {
    var size = marker.options.icon && marker.options.icon.options.iconSize;
    return size ? (size.x || size[0]) : SITE_SIZE;
  }
  function spreadable(map) {
    var items = (SSA._siteList || []).filter(function (m) { return map.hasLayer(m) && m.getElement(); });
    [SSA._events, SSA._points].forEach(function (layer) {
      if (layer && layer.map === map) {
        layer.drawn.eachLayer(function (m) { if (m.options.ssaCluster !== undefined && m.getElement()) items.push(m); });
      }
    });
    return items;
  }

  // Pushes apart the places in ``at`` (centres, in pixels) closer than their sizes allow: pairs
  // that overlap move apart along the line between them (a few rounds, so that chains settle).
  // A fixed place never moves: the other of its pair moves the whole way.
  function settle(at, half, fixed) {
    if (!at.length) return;
    var cell = 2 * Math.max.apply(null, half.concat([SITE_SIZE / 2])) + MARKER_GAP;
    for (var round_ = 0; round_ < 40; round_++) {
      var pushed = false, grid = {};
      at.forEach(function (p, k) {
        var key = Math.floor(p[0] / cell) + ":" + Math.floor(p[1] / cell);
        (grid[key] || (grid[key] = [])).push(k);
      });
      for (var i = 0; i < at.length; i++) {
        var gx = Math.floor(at[i][0] / cell), gy = Math.floor(at[i][1] / cell);
        for (var ox = -1; ox <= 1; ox++) {
          for (var oy = -1; oy <= 1; oy++) {
            (grid[(gx + ox) + ":" + (gy + oy)] || []).forEach(function (j) {
              if (j <= i || (fixed[i] && fixed[j])) return;
              // Apart when their squares are (not only their centres): the larger of the two gaps.
              var need = half[i] + half[j] + MARKER_GAP;
              var dx = at[j][0] - at[i][0], dy = at[j][1] - at[i][1], d = Math.max(Math.abs(dx), Math.abs(dy));
              if (d >= need - 0.01) return;
              if (d < 0.01) { // one place: apart along a fixed direction for this pair
                var angle = (i * 7 + j * 13) % 12 * Math.PI / 6;
                dx = Math.cos(angle); dy = Math.sin(angle); d = Math.max(Math.abs(dx), Math.abs(dy));
              }
              var grow = need / d - 1 + 0.02, mine = fixed[i] === fixed[j] ? 0.5 : fixed[i] ? 0 : 1;
              at[i][0] -= dx * grow * mine; at[i][1] -= dy * grow * mine;
              at[j][0] += dx * grow * (1 - mine); at[j][1] += dy * grow * (1 - mine);
              pushed = true;
            });
          }
        }
      }
      if (!pushed) break;
    }
  }

  function spread(map) {
    var markers = spreadable(map), view = map.getPixelBounds().pad(0.2);
    var zoom = map.getZoom();
    var home = markers.map(function (m) { return map.project(m.getLatLng(), zoom); });
    // Every site (so that a pan never moves one), and the clusters in or near sight.
    var keep = home.map(function (p, k) { return markers[k].options.ssaCluster === undefined || view.contains(p); });
    markers = markers.filter(function (m, k) { return keep[k]; });
    home = home.filter(function (p, k) { return keep[k]; });
    var at = home.map(function (p) { return [p.x, p.y]; });
    var half = markers.map(function (m) { return sizeOf(m) / 2; });
    // The sites first, among themselves: where a site is drawn depends on the sites and the zoom
    // alone, never on the clusters (they come later, and a site must not move under the pointer).
    // Then the clusters, around the sites: a cluster in a site's way moves the whole way itself.
    var site = markers.map(function (m) { return m.options.ssaCluster === undefined; });
    var sites = [];
    site.forEach(function (s, k) { if (s) sites.push(k); });
    settle(sites.map(function (k) { return at[k]; }), sites.map(function (k) { return half[k]; }), sites.map(function () { return false; }));
    settle(at, half, site);
    markers.forEach(function (marker, k) {
      shift(marker, Math.round(at[k][0] - home[k].x), Math.round(at[k][1] - home[k].y));
    });
    if (SSA._labels && SSA._labels.map === map) SSA._labels.place(); // the names follow their markers
  }

  function shift(marker, sx, sy) {
    var node = marker.getElement(), size = sizeOf(marker);
    var before = marker.ssaShift || [0, 0];
    if (before[0] === sx && before[1] === sy && node.style.marginLeft === (sx - size / 2) + "px") return; // as it is
    marker.ssaShift = [sx, sy];
    node.style.marginLeft = (sx - size / 2) + "px";
    node.style.marginTop = (sy - size / 2) + "px";
    var line = node.querySelector(".ssa-leader");
    if (!sx && !sy) {
      if (line) line.parentNode.removeChild(line);
      node.classList.remove("ssa-spread");
    } else {
      if (!line) {
        line = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        line.setAttribute("class", "ssa-leader");
        line.setAttribute("aria-hidden", "true");
        line.setAttribute("focusable", "false");
        line.innerHTML = '<line stroke="#333" stroke-width="1.5"/><circle r="3" fill="#333" stroke="#fff" stroke-width="1"/>';
        node.insertBefore(line, node.firstChild);
      }
      var c = size / 2, x2 = c - sx, y2 = c - sy;
      line.style.width = line.style.height = size + "px";
      var l = line.firstChild, dot = line.lastChild;
      l.setAttribute("x1", c); l.setAttribute("y1", c); l.setAttribute("x2", x2); l.setAttribute("y2", y2);
      dot.setAttribute("cx", x2); dot.setAttribute("cy", y2);
      node.classList.add("ssa-spread");
    }
    var tooltip = marker.getTooltip();
    if (tooltip) tooltip.options.offset = L.point(sx, sy);
    if (marker.isPopupOpen()) {
      marker.getPopup().options.offset = L.point(sx, 7 + sy - SITE_SIZE / 2);
      marker.getPopup().update();
    }
  }
  SSA.spread = spread;

  // --- labels: each site's name beside its marker, placed apart ---------------------------------
  //
  // The names and places come with the sites' file (bundle.labels: id -> [label, lat, lon]); a
  // view names its sites (view.sites: ids, the first placed first where room is short). Each label
  // goes beside its site's marker where the marker is drawn (spread apart or not: its ssaShift),
  // or beside the site's place when the markers are hidden: tried right, left, above, below, then
  // at the corners; it takes the first place in sight (inside the map's window, clear of its
  // controls) that covers no other label, no other site's marker and no event cluster, and is
  // hidden where there is none. Placed anew on every zoom and move (after the markers are spread, which
  // calls place()), hidden while a zoom animates. Decoration for sighted readers: hidden from
  // screen readers (each marker carries its site's name) and transparent to the pointer.

  var LABEL_OFF = 6; // px from a marker's edge to its label (clear of its ! or ? mark)
  var LABEL_NEAR = 4; // px from a site's place to its label when no marker is drawn there
  var LABEL_GAP = 4; // px kept clear round a label: two labels side by side still read as two
  var MARK_PAD = 5; // px round another site's marker a label keeps off (its changed-ring, its mark)
  var LABEL_CELL = 64; // px: the grid that finds what a label might cover

  function rect(x, y, w, h) { return { x: x, y: y, w: w, h: h }; }
  function overlapArea(a, b) {
    var w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x), h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
  }
  function grown(r, by) { return rect(r.x - by, r.y - by, r.w + 2 * by, r.h + 2 * by); }

  // Boxes filed by the grid cells they touch, so that a label is checked against its neighbours only.
  function Grid() { this.cells = {}; }
  Grid.prototype.add = function (r, item) {
    for (var gx = Math.floor(r.x / LABEL_CELL); gx <= Math.floor((r.x + r.w) / LABEL_CELL); gx++) {
      for (var gy = Math.floor(r.y / LABEL_CELL); gy <= Math.floor((r.y + r.h) / LABEL_CELL); gy++) {
        (this.cells[gx + ":" + gy] || (this.cells[gx + ":" + gy] = [])).push(item);
      }
    }
  };
  Grid.prototype.near = function (r) {
    var found = [];
    for (var gx = Math.floor(r.x / LABEL_CELL); gx <= Math.floor((r.x + r.w) / LABEL_CELL); gx++) {
      for (var gy = Math.floor(r.y / LABEL_CELL); gy <= Math.floor((r.y + r.h) / LABEL_CELL); gy++) {
        (this.cells[gx + ":" + gy] || []).forEach(function (item) { if (found.indexOf(item) < 0) found.push(item); });
      }
    }
    return found;
  };

  // The places a w x h label may take round a point (c), ``off`` px from it, in order of preference.
  function labelSpots(c, off, w, h) {
    var d = off; // the corners: clear of the marker's square and its mark at the top right
    return [
      rect(c.x + off, c.y - h / 2, w, h), // right
      rect(c.x - off - w, c.y - h / 2, w, h), // left
      rect(c.x - w / 2, c.y - off - h, w, h), // above
      rect(c.x - w / 2, c.y + off, w, h), // below
      rect(c.x + d, c.y - d - h, w, h), // above right
      rect(c.x + d, c.y + d, w, h), // below right
      rect(c.x - d - w, c.y - d - h, w, h), // above left
      rect(c.x - d - w, c.y + d, w, h) // below left
    ];
  }

  function LabelsLayer(group, view) {
    this.group = group;
    this.ids = view.sites;
    this.nodes = null;
    this.map = null;
    this.timer = null;
    // One box of labels, hidden from screen readers; Leaflet hides it while a zoom animates.
    this.box = el("div", { "class": "ssa-labels leaflet-zoom-hide", "aria-hidden": "true" });
    this.onMove = this.place.bind(this);
    this.onLayers = this.placeSoon.bind(this);
    group.on("add", this.attach, this);
    group.on("remove", this.detach, this);
    var self = this;
    SSA.get("sites").then(function (bundle) {
      var places = bundle.labels || {};
      self.places = places;
      self.nodes = [];
      self.ids.forEach(function (id) {
        if (!places[id]) return;
        var node = el("div", { "class": "ssa-label ssa-label-off", "data-label": id }, places[id][0]); // text, never markup (data-label: not data-site, which names markers)
        node._ssaSite = id;
        self.nodes.push(node);
        self.box.appendChild(node);
      });
      self.place();
    }).catch(failed("site labels"));
    if (group._map) this.attach();
  }

  LabelsLayer.prototype.attach = function () {
    var map = this.map = this.group._map;
    var pane = map.getPane("ssa-labels");
    if (!pane) {
      pane = map.createPane("ssa-labels");
      pane.style.zIndex = 550; // over the areas and the events' canvas, under the markers (600) and tooltips
      pane.style.pointerEvents = "none";
    }
    pane.appendChild(this.box);
    SSA._labels = this;
    map.on("moveend zoomend viewreset resize", this.onMove);
    map.on("overlayadd overlayremove", this.onLayers); // the markers shown or hidden: labelled where they are
    this.place();
    var self = this;
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(function () { self.place(); });
  };

  LabelsLayer.prototype.detach = function () {
    if (this.map) {
      this.map.off("moveend zoomend viewreset resize", this.onMove);
      this.map.off("overlayadd overlayremove", this.onLayers);
      this.map.getContainer().removeAttribute("data-ssa-labels");
    }
    if (this.box.parentNode) this.box.parentNode.removeChild(this.box);
    if (SSA._labels === this) SSA._labels = null;
    this.map = null;
  };

  LabelsLayer.prototype.placeSoon = function () {
    var self = this;
    if (this.timer) return;
    this.timer = setTimeout(function () { self.timer = null; self.place(); }, 0);
  };

  LabelsLayer.prototype.place = function () {
    var map = this.map;
    if (!map || !this.nodes || SSA._labels !== this || map._animatingZoom) return;
    var size = map.getSize(), corner = map.containerPointToLayerPoint([0, 0]);
    var sight = grown(rect(corner.x, corner.y, size.x, size.y), -LABEL_GAP); // a label is whole in sight, or hidden
    // What a label never covers: the map's controls (a label under one is half seen), the site
    // markers where they are drawn (their place, moved by the spread) and the event clusters.
    var drawnAt = {}, hard = new Grid();
    var frame = map.getContainer().getBoundingClientRect();
    map.getContainer().querySelectorAll(":scope > .leaflet-control-container .leaflet-control").forEach(function (control) {
      var r = control.getBoundingClientRect();
      if (!r.width || !r.height) return; // hidden
      var r_ = rect(corner.x + r.left - frame.left, corner.y + r.top - frame.top, r.width, r.height);
      hard.add(r_, { r: r_, site: null });
    });
    (SSA._siteList || []).forEach(function (marker) {
      if (!map.hasLayer(marker) || !marker.getElement()) return;
      var s = marker.ssaShift || [0, 0], c = map.latLngToLayerPoint(marker.getLatLng()).add([s[0], s[1]]);
      var id = marker.feature.properties.site, half = SITE_SIZE / 2 + MARK_PAD;
      drawnAt[id] = c;
      hard.add(rect(c.x - half, c.y - half, 2 * half, 2 * half), { site: id, r: rect(c.x - half, c.y - half, 2 * half, 2 * half) });
    });
    [SSA._events, SSA._points].forEach(function (layer) {
      if (!layer || layer.map !== map) return;
      layer.drawn.eachLayer(function (marker) {
        if (marker.options.ssaCluster === undefined || !marker.getElement()) return;
        var s = marker.ssaShift || [0, 0], c = map.latLngToLayerPoint(marker.getLatLng()).add([s[0], s[1]]), half = sizeOf(marker) / 2;
        var r = rect(c.x - half, c.y - half, 2 * half, 2 * half);
        hard.add(r, { r: r, site: null });
      });
    });
    // Every label's size first (one layout; whole pixels up, so that a placed label is never wider than its place), then every move.
    var sizes = this.nodes.map(function (node) { var r = node.getBoundingClientRect(); return [Math.ceil(r.width), Math.ceil(r.height)]; });
    var placed = new Grid(), shown = 0, places = this.places;
    this.nodes.forEach(function (node, k) {
      var id = node._ssaSite, at = drawnAt[id], off = SITE_SIZE / 2 + LABEL_OFF;
      if (!at) {
        at = map.latLngToLayerPoint([places[id][1], places[id][2]]);
        off = LABEL_NEAR;
      }
      var best = null;
      if (overlapArea(grown(sight, off), rect(at.x, at.y, 1, 1)) && sizes[k][0]) {
        best = labelSpots(at, off, sizes[k][0], sizes[k][1]).filter(function (spot) {
          return overlapArea(spot, sight) === spot.w * spot.h
            && !placed.near(grown(spot, LABEL_GAP)).some(function (o) { return overlapArea(grown(o.r, LABEL_GAP), spot); })
            && !hard.near(spot).some(function (o) { return o.site !== id && overlapArea(o.r, spot); }); // (its own marker: beside it by construction)
        })[0] || null;
      }
      if (!best) {
        node.classList.add("ssa-label-off");
        return;
      }
      placed.add(best, { r: best });
      shown += 1;
      L.DomUtil.setPosition(node, L.point(Math.round(best.x), Math.round(best.y)));
      node.classList.remove("ssa-label-off");
    });
    // For tests and people looking: how many labels are shown of the view's, and at which zoom.
    map.getContainer().setAttribute("data-ssa-labels", shown + "/" + this.nodes.length + "@" + map.getZoom());
  };

  SSA.labels = function (group, view) {
    return new LabelsLayer(group, view);
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
    // A cluster with the keyboard focus keeps it when the clusters are drawn anew (after a zoom).
    var focused = document.activeElement, keep = null;
    this.drawn.eachLayer(function (layer) {
      if (layer.getElement && layer.getElement() === focused) keep = layer.options.ssaCluster;
    });
    var refocus = null;
    this.drawn.clearLayers();
    items.forEach(function (item) {
      var latlng = [item.geometry.coordinates[1], item.geometry.coordinates[0]];
      var layer;
      if (item.properties && item.properties.cluster) {
        total += item.properties.point_count;
        var id = item.properties.cluster_id, count = item.properties.point_count;
        var action = self.index.getClusterExpansionZoom(id) > self.index.options.maxZoom ? "list them" : "zoom in";
        layer = L.marker(latlng, { icon: clusterIcon(count, self.kind.clusterClass), ssaCluster: id, keyboard: true, autoPanOnFocus: false });
        layer.bindTooltip(count + " " + self.kind.noun + ": click to " + action);
        layer.on("click", function () { self.openCluster(item, latlng); });
        layer.on("add", function () { self.name(layer, id, count, action); });
        if (id === keep) refocus = layer;
      } else {
        total += 1;
        layer = self.single(item.properties.i, latlng);
      }
      self.drawn.addLayer(layer);
    });
    spread(map); // clusters clear of the sites and of each other
    if (keep !== null) {
      var node = refocus && refocus.getElement();
      (node || map.getContainer()).focus({ preventScroll: true });
    }
    var container = map.getContainer();
    container.setAttribute("data-ssa-" + this.kind.noun + "-view", String(this.picked.length));
    container.setAttribute("data-ssa-" + this.kind.noun + "-drawn", String(total));
  };

  // A cluster's name says what it holds: "12 events, 2013–2015: press Enter to zoom in". The
  // years are read from its leaves when it is first focused or pointed at (not for every
  // cluster drawn); Enter or Space does what a click does.
  EventsLayer.prototype.name = function (layer, id, count, action) {
    var node = layer.getElement(), self = this;
    if (!node) return;
    var label = function (years) {
      return count + " " + self.kind.noun + (years ? ", " + years : "") + ": press Enter to " + action;
    };
    node.setAttribute("aria-label", label(""));
    var years = function () {
      var year = self.bundle.events.year;
      if (!year || node._ssaYears) return;
      var lo = Infinity, hi = -Infinity;
      self.index.getLeaves(id, Infinity).forEach(function (leaf) {
        var y = year[leaf.properties.i];
        if (y < lo) lo = y;
        if (y > hi) hi = y;
      });
      if (lo === Infinity) return;
      lo += self.bundle.events.year0; hi += self.bundle.events.year0;
      node._ssaYears = true;
      node.setAttribute("aria-label", label(lo === hi ? String(lo) : lo + "\u2013" + hi));
    };
    node.addEventListener("focus", years);
    node.addEventListener("mouseenter", years);
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        event.stopPropagation();
        layer.fire("click", { latlng: layer.getLatLng(), originalEvent: event });
      }
    });
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
      L.popup(popupOptions(map, 360, 300)).setLatLng(latlng).setContent(eventPopup(bundle, i, text)).openOn(map);
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
    var popup = L.popup(popupOptions(map, 360, 300)).setLatLng(latlng).setContent(box).openOn(map);
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


