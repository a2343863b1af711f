// The song page and the share page: wait for the song, then play it with its words lighting up.
(function () {
  "use strict";
  var root = document.getElementById("song");
  var id = root.getAttribute("data-song-id");
  var shared = root.getAttribute("data-shared") === "1";
  var player = document.getElementById("player");
  var problem = document.getElementById("problem");
  var words = [];      // {t, el}, in singing order
  var current = -1;
  var counted = false;
  var LABELS = { mp3: "MP3", wav: "WAV", mid: "MIDI", musicxml: "Lead sheet (MusicXML)",
                 chordpro: "ChordPro", kar: "Karaoke (.kar)" };

  function show(el, yes) { if (el) { el.hidden = !yes; } }

  function lyrics(song) {
    var box = document.getElementById("lyrics");
    box.textContent = "";
    var lines = song.lines || [];
    var byLine = {};
    (song.words || []).forEach(function (w) { (byLine[w.line] = byLine[w.line] || []).push(w); });
    // Sections in sung order, each line once per time it is sung (song.lines is in sung order).
    var shownSection = null, sectionEl = null;
    lines.forEach(function (line, index) {
      var sungWords = byLine[index];
      if (!sungWords) { return; }
      if (line.section !== shownSection || !sectionEl) {
        sectionEl = document.createElement("div");
        sectionEl.className = "section";
        var h = document.createElement("p");
        h.className = "section-name";
        h.textContent = line.section;
        sectionEl.appendChild(h);
        box.appendChild(sectionEl);
        shownSection = line.section;
      }
      var p = document.createElement("p");
      sungWords.forEach(function (w, i) {
        var span = document.createElement("span");
        span.className = "word";
        span.textContent = w.text;
        p.appendChild(span);
        if (i < sungWords.length - 1) { p.appendChild(document.createTextNode(" ")); }
        words.push({ t: w.t, el: span });
      });
      sectionEl.appendChild(p);
    });
    words.sort(function (a, b) { return a.t - b.t; });
    show(document.getElementById("lyrics-box"), true);
  }

  function highlight() {
    var t = player.currentTime;
    var lo = 0, hi = words.length - 1, at = -1;
    while (lo <= hi) {                       // the last word that has started
      var mid = (lo + hi) >> 1;
      if (words[mid].t <= t + 0.03) { at = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    if (at === current) { return; }
    if (current >= 0 && words[current]) { words[current].el.classList.remove("now"); }
    for (var i = 0; i < words.length; i++) { words[i].el.classList.toggle("sung", i < at); }
    if (at >= 0) { words[at].el.classList.add("now"); }
    current = at;
  }

  function tick() { highlight(); if (!player.paused) { window.requestAnimationFrame(tick); } }

  function ready(song) {
    show(document.getElementById("progress"), false);
    show(document.getElementById("ready"), true);
    document.getElementById("title").textContent = song.title;
    document.title = song.title + " · Songgram";
    document.getElementById("facts").textContent =
      [song.genre, song.vibe, song.key, song.tempo ? song.tempo + " BPM" : ""].filter(Boolean).join(" · ");
    if (song.files.mp3 && !player.getAttribute("src")) { player.src = song.files.mp3; }
    var downloads = document.getElementById("downloads");
    if (downloads) {
      downloads.textContent = "";
      Object.keys(LABELS).forEach(function (kind) {
        if (!song.files[kind]) { return; }
        var a = document.createElement("a");
        a.href = song.files[kind] + "?download=1";
        a.textContent = LABELS[kind];
        a.setAttribute("download", "");
        a.id = "download-" + kind;
        downloads.appendChild(a);
      });
    }
    lyrics(song);
  }

  function poll() {
    fetch("/api/songs/" + encodeURIComponent(id)).then(function (r) { return r.json(); }).then(function (song) {
      if (song.status === "done") { return ready(song); }
      if (song.status === "refused" || song.status === "failed") {
        show(document.getElementById("progress"), false);
        problem.textContent = song.error || "The song could not be made.";
        show(problem, true);
        return;
      }
      var text = document.getElementById("progress-text");
      if (text) {
        text.textContent = song.status === "composing" ? "Writing, composing and singing your song…"
                                                       : "Your song is waiting for a singer…";
      }
      window.setTimeout(poll, 700);
    }).catch(function () { window.setTimeout(poll, 2000); });
  }

  player.addEventListener("play", function () {
    if (!counted) { counted = true; fetch("/api/songs/" + encodeURIComponent(id) + "/plays", { method: "POST" }); }
    window.requestAnimationFrame(tick);
  });
  player.addEventListener("seeked", highlight);
  player.addEventListener("timeupdate", highlight);

  var share = document.getElementById("share");
  if (share) {
    share.addEventListener("click", function () {
      var url = root.getAttribute("data-share-url");
      fetch("/api/songs/" + encodeURIComponent(id) + "/shares", { method: "POST" });
      if (navigator.clipboard) { navigator.clipboard.writeText(url).catch(function () {}); }
      share.textContent = "Link copied";
    });
  }
  poll();
  if (shared) { /* the share page has its player already; poll() fills the lyrics */ }
})();
