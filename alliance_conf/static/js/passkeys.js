/* alliance-conf passkeys (WebAuthn): register one, sign in with one, sign a declaration with one.
   Forms marked data-passkey="register|login|sign" ask the server for options (POST, the form's own
   fields and CSRF token), run the browser's ceremony, put its answer in the hidden "credential"
   field and submit the form normally, so the server's answer is an ordinary page. */
(function () {
  "use strict";

  var messages = null;

  /* A sentence in the page's language (base.html's js-messages meta element), else the English given. */
  function text(key, english) {
    if (messages === null) {
      var source = document.querySelector('meta[name="js-messages"]');
      try { messages = source ? JSON.parse(source.content) : {}; } catch (e) { messages = {}; }
    }
    return messages[key] || english;
  }

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBuffer(item.id), transports: item.transports };
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      json.response.userHandle = response.userHandle ? toText(response.userHandle) : null;
    }
    return json;
  }

  function say(form, text) {
    var box = form.querySelector("[data-passkey-message]");
    if (!box) { window.alert(text); return; }
    box.textContent = text;
    box.hidden = false;
    box.setAttribute("tabindex", "-1");
    box.focus();
  }

  function explain(kind, error) {
    var nothing = kind === "sign" ? text("nothing_signed", "Nothing was signed.") :
      text("nothing_stored", "Nothing was stored.");
    if (error && error.server) { return error.message; }
    if (error && error.name === "NotAllowedError") {
      return text("passkey_cancelled", "The passkey request was cancelled or timed out, or this " +
        "device holds no passkey registered for your account.") + " " + nothing + " " +
        text("try_again", "Try again, or use another device.");
    }
    if (error && error.name === "InvalidStateError") {
      return text("passkey_exists", "This device already holds one of your passkeys.") + " " + nothing;
    }
    if (error && error.name === "SecurityError") {
      return text("passkey_https", "Passkeys need the site's secure address (https).") + " " + nothing;
    }
    return text("passkey_failed", "The passkey request failed ({error}).")
      .replace("{error}", (error && error.name) || "?") + " " + nothing;
  }

  function fetchOptions(form) {
    return fetch(form.getAttribute("data-options-url"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          throw { server: true, message: (body.error && body.error.message) || text("server_refused", "The server refused the request.") };
        }
        return body;
      });
    });
  }

  function ceremony(kind, body) {
    if (kind === "register") {
      return navigator.credentials.create({ publicKey: creationOptions(body) });
    }
    var json = kind === "sign" ? body.options : body;
    return navigator.credentials.get({ publicKey: requestOptions(json) });
  }

  function run(form, kind, button) {
    var field = form.querySelector("input[name='credential'], input[name='passkey_credential']");
    if (button) { button.disabled = true; }
    fetchOptions(form)
      .then(function (body) { return ceremony(kind, body); })
      .then(function (credential) {
        if (!credential) { throw { name: "NotAllowedError" }; }
        field.value = JSON.stringify(credentialJSON(credential));
        form.submit();
      })
      .catch(function (error) {
        if (button) { button.disabled = false; }
        say(form, explain(kind, error));
      });
  }

  function setup(form) {
    var kind = form.getAttribute("data-passkey");
    if (!window.PublicKeyCredential || !navigator.credentials) {
      if (kind === "register") {
        say(form, text("no_passkeys", "This browser cannot create passkeys. Use a current browser on a device with a screen lock."));
      }
      return;
    }
    form.hidden = false;
    Array.prototype.forEach.call(form.querySelectorAll("[data-passkey-only]"), function (el) {
      el.hidden = false;
    });
    if (kind === "sign") {
      var button = form.querySelector("[data-passkey-button]");
      if (!button) { return; }
      button.addEventListener("click", function (event) {
        event.preventDefault();
        run(form, kind, button);
      });
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(form, kind, form.querySelector("button[type='submit']"));
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-passkey]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
