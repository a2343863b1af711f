// The form: describe the chosen genre and vibe, send the song request, go to the song's page.
(function () {
  "use strict";
  var form = document.getElementById("song-form");
  var status = document.getElementById("form-status");
  var button = document.getElementById("make");

  function describe(selectId, aboutId) {
    var select = document.getElementById(selectId);
    var about = document.getElementById(aboutId);
    function update() {
      var option = select.options[select.selectedIndex];
      about.textContent = option ? option.getAttribute("data-description") : "";
    }
    select.addEventListener("change", update);
    update();
  }
  describe("genre", "genre-about");
  describe("vibe", "vibe-about");

  function fail(text) {
    status.textContent = text;
    status.className = "status error";
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {
      message: form.message.value, to: form.to.value, from: form.from.value,
      genre: form.genre.value, vibe: form.vibe.value
    };
    if (!body.message.trim()) { form.message.focus(); return fail("Please write a message first."); }
    if (!body.to.trim()) { form.to.focus(); return fail("Please say who the song is for."); }
    button.disabled = true;
    status.className = "status";
    status.textContent = "Sending your words…";
    fetch("/api/songs", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { response: response, data: data }; });
    }).then(function (result) {
      if (result.response.status === 202) {
        window.location.href = "/song/" + encodeURIComponent(result.data.id);
        return;
      }
      var wait = result.response.headers.get("Retry-After");
      fail((result.data && result.data.error ? result.data.error : "That did not work.") +
           (wait ? " (try again in " + wait + " s)" : ""));
    }).catch(function () { fail("The server could not be reached. Please try again."); });
  });
})();
