// Map preview of a dataset with coordinates (progressive enhancement: the page already lists the points in a
// table). Leaflet draws the district outline served by the service (/api/v1/map/outline) and the points from the
// same rows API as everyone else (/api/v1/datasets/{id}/rows with the filter form's parameters), clustered by
// Leaflet.markercluster. Tiles only when the service is configured with a tile URL (DataOpen:Map:TileUrl).
(function () {
  'use strict';
  var configEl = document.getElementById('map-config');
  var el = document.getElementById('map');
  var form = document.getElementById('map-form');
  if (!configEl || !el || !form || !window.L || !L.markerClusterGroup) {
    return;
  }
  var cfg = JSON.parse(configEl.textContent);
  var status = document.getElementById('map-status');
  var tbody = document.querySelector('[data-testid=map-table] tbody');
  el.hidden = false;
  // The map's own maxZoom: without a tile layer Leaflet has none (Infinity), and Leaflet.markercluster refuses such a map
  // ("Map has no maxZoom specified", thrown when the cluster layer is added), which left the map undrawn without tiles.
  var maxZoom = 19;
  var map = L.map(el, { zoomSnap: 0.25, maxZoom: maxZoom, attributionControl: !!cfg.tileUrl });
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution || '', maxZoom: maxZoom }).addTo(map);
  }
  // No animations: the view is final when draw() returns, so the map says it is ready (data-points, class ready) only
  // about what it shows. Animated, fitBounds zoomed in a later frame and the clusters then slid between two zoom levels,
  // with the old and the new cluster icons on the map together for a moment.
  var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, animate: false });
  map.addLayer(cluster);
  var outlineBounds = null;
  map.setView([0, 0], 2);

  function format(template, value) {
    return template.split('{0}').join(String(value));
  }

  function parameters() {
    var p = new URLSearchParams();
    cfg.filters.forEach(function (f) {
      var v = form.elements['map-' + f].value;
      if (v) { p.set(f, v); }
    });
    var q = form.elements['map-q'] ? form.elements['map-q'].value.trim() : '';
    if (q && cfg.textField) { p.set(cfg.textField + '[contains]', q); }
    return p;
  }

  async function fetchRows() {
    var p = parameters();
    p.set('select', cfg.select.join(','));
    p.set('limit', String(cfg.pageSize));
    var url = cfg.rowsUrl + '?' + p.toString();
    var rows = [];
    while (url && rows.length < cfg.maxPoints) {
      var response = await fetch(url, { headers: { Accept: 'application/json' } });
      if (!response.ok) { throw new Error('rows ' + response.status); }
      var page = await response.json();
      rows = rows.concat(page.rows);
      url = page.next;
    }
    return { rows: rows.slice(0, cfg.maxPoints), more: !!url || rows.length > cfg.maxPoints };
  }

  function cell(tag, text) {
    var c = document.createElement(tag);
    if (tag === 'th') { c.scope = 'row'; }
    c.textContent = text === null || text === undefined ? '' : String(text);
    return c;
  }

  function draw(result) {
    cluster.clearLayers();
    var markers = [];
    var body = document.createDocumentFragment();
    result.rows.forEach(function (r) {
      var x = r[cfg.longitude], y = r[cfg.latitude];
      if (typeof x !== 'number' || typeof y !== 'number' || !isFinite(x) || !isFinite(y)) { return; }
      var m = L.circleMarker([y, x], { radius: 7, color: '#0b3d6e', weight: 2, fillColor: '#1f6fb2', fillOpacity: 0.9 });
      m.bindTooltip(String(r[cfg.label] === null || r[cfg.label] === undefined ? '' : r[cfg.label]));
      markers.push(m);
      var tr = document.createElement('tr');
      tr.appendChild(cell('th', r[cfg.label]));
      cfg.filters.forEach(function (f) { tr.appendChild(cell('td', r[f])); });
      tr.appendChild(cell('td', x));
      tr.appendChild(cell('td', y));
      body.appendChild(tr);
    });
    cluster.addLayers(markers);
    if (tbody) { tbody.replaceChildren(body); }
    var text = format(cfg.texts.shown, markers.length);
    status.textContent = result.more ? text + ' ' + format(cfg.texts.more, cfg.maxPoints) : text;
    var bounds = outlineBounds || (markers.length ? cluster.getBounds() : null);
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8], animate: false }); }
    el.setAttribute('data-points', String(markers.length));
    el.classList.add('ready');
  }

  async function refresh() {
    el.classList.remove('ready');
    try {
      draw(await fetchRows());
    } catch (e) {
      status.textContent = cfg.texts.failed;
      el.classList.add('failed');
    }
  }

  async function start() {
    try {
      var response = await fetch(cfg.outlineUrl, { headers: { Accept: 'application/geo+json' } });
      if (response.ok) {
        var outline = L.geoJSON(await response.json(), {
          interactive: false,
          style: { color: '#5b4a00', weight: 2, dashArray: '6 4', fillColor: '#f3e9c6', fillOpacity: 0.35 }
        }).addTo(map);
        outlineBounds = outline.getBounds();
        el.setAttribute('data-outline', String(outline.getLayers().length));
      }
    } catch (e) {
      // No outline: the points alone.
    }
    await refresh();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var page = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) { page.set(k, v); } });
    var query = page.toString();
    history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + '#map-section');
    refresh();
  });

  start();
})();
