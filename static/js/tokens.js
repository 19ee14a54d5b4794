// Blind-token signing on the petition page and the inclusion check on the counted-tokens page.
// The RFC 9474 operations come from the bundled @cloudflare/blindrsa-ts (window.VoiceboxBlindRSA).
// Tokens are kept in this browser's IndexedDB; redemption and withdrawal are sent with
// credentials: 'omit', so they carry no cookie that could tie them to the account.
(function () {
  'use strict';
  var PREFIX = 'voicebox petition token v1\u0000';
  var PHRASE_WORDS = 8;
  var LATER_WINDOW_MS = 30 * 60 * 1000;
  var encoder = new TextEncoder();

  function b64(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function unb64(text) {
    var raw = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function normalize(phrase) { return (phrase.toLowerCase().match(/[a-z]+/g) || []).join(' '); }
  function tokenMessage(petitionId, phrase) { return encoder.encode(PREFIX + petitionId + '\u0000' + normalize(phrase)); }
  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }
  function sha256(bytes) { return crypto.subtle.digest('SHA-256', bytes); }
  function tokenHash(petitionId, phrase) { return sha256(tokenMessage(petitionId, phrase)).then(hex); }

  // Uniform choice by rejection sampling: no word is likelier than another.
  function randomPhrase(words) {
    var limit = Math.floor(0x100000000 / words.length) * words.length;
    var chosen = [];
    var draw = new Uint32Array(1);
    while (chosen.length < PHRASE_WORDS) {
      crypto.getRandomValues(draw);
      if (draw[0] < limit) chosen.push(words[draw[0] % words.length]);
    }
    return chosen.join(' ');
  }

  function store(mode, action) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open('voicebox-tokens', 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore('tokens', { keyPath: 'petition_id' }); };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var request = action(opening.result.transaction('tokens', mode).objectStore('tokens'));
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      };
    });
  }
  function load(petitionId) { return store('readonly', function (s) { return s.get(petitionId); }); }
  function save(record) { return store('readwrite', function (s) { return s.put(record); }); }

  function postJSON(url, body, csrf) {
    // Issuance is the signed-in step: same-origin credentials and the CSRF header.
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify(body),
    }).then(function (r) { if (!r.ok) throw new Error('status ' + r.status); return r.json(); });
  }
  function postWithoutCookies(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'omit', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }).then(function (r) { return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; }); });
  }

  function importKey(spki) { return window.VoiceboxBlindRSA.importPublicKey(unb64(spki)); }

  // Fetch a token for every open petition this member can see, whether or not they sign.
  async function ensureTokens(section) {
    var B = window.VoiceboxBlindRSA;
    var keys = await postJSON(section.dataset.keysUrl, {}, section.dataset.csrf);
    var words = null;
    var pending = [];
    for (var i = 0; i < keys.petitions.length; i++) {
      var petition = keys.petitions[i];
      var record = await load(petition.id);
      if (record && (record.signature || record.unavailable)) continue;
      if (!record) {
        if (!words) words = (await (await fetch(section.dataset.wordsUrl, { credentials: 'omit' })).json()).words;
        var phrase = randomPhrase(words);
        var blinded = await B.blind(await importKey(petition.public_key), B.prepare(tokenMessage(petition.id, phrase)));
        record = { petition_id: petition.id, phrase: phrase, public_key: petition.public_key,
          blinded: b64(blinded.blindedMsg), inv: b64(blinded.inv) };
        await save(record);
      }
      pending.push(record);
    }
    if (!pending.length) return;
    var answer = await postJSON(section.dataset.issueUrl, { tokens: pending.map(function (r) {
      return { petition_id: r.petition_id, blinded_msg: r.blinded };
    }) }, section.dataset.csrf);
    for (var j = 0; j < answer.signatures.length; j++) {
      var item = answer.signatures[j];
      var rec = pending.find(function (r) { return r.petition_id === item.petition_id; });
      if (!rec) continue;
      if (item.blind_sig) {
        var message = tokenMessage(rec.petition_id, rec.phrase);
        var signature = await B.finalize(await importKey(rec.public_key), B.prepare(message), unb64(item.blind_sig), unb64(rec.inv));
        rec.signature = b64(signature);
        delete rec.blinded;
        delete rec.inv;
      } else {
        rec.unavailable = true;
      }
      await save(rec);
    }
  }

  function show(section, step) {
    section.querySelectorAll('[data-token-step]').forEach(function (el) { el.hidden = el.dataset.tokenStep !== step; });
  }
  function say(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }
  // Text in the page's language, from the template's data-msg-* attributes ({name} filled in).
  function msg(el, name, fallback, fill) {
    var text = (el && el.getAttribute('data-msg-' + name)) || fallback;
    Object.keys(fill || {}).forEach(function (key) { text = text.split('{' + key + '}').join(fill[key]); });
    return text;
  }

  async function signNow(section, record) {
    var display = document.getElementById('token-display-name');
    var result = await postWithoutCookies(section.dataset.redeemUrl, {
      petition_id: record.petition_id, token: b64(tokenMessage(record.petition_id, record.phrase)),
      signature: record.signature, display_name: display ? display.value : '',
    });
    if (result.ok || result.status === 409) {
      record.signed = true;
      delete record.sign_at;
      await save(record);
      render(section, record);
    }
    say('token-status', result.ok ? msg(section, 'signed', result.data.message) : result.data.error);
  }

  function scheduleLater(section, record) {
    var wait = Math.max(0, record.sign_at - Date.now());
    say('token-status', msg(section, 'send-at', 'Your signature will be sent at {time}. Keep this tab open.',
      { time: new Date(record.sign_at).toLocaleTimeString(document.documentElement.lang || undefined) }));
    setTimeout(function () { signNow(section, record); }, wait);
  }

  function render(section, record) {
    if (!record || record.unavailable || !record.signature) { show(section, 'unavailable'); return; }
    if (record.signed) {
      show(section, 'signed');
      say('token-phrase', record.phrase);
    } else {
      show(section, 'ready');
    }
  }

  async function withdraw(section, petitionId, phrase, statusId) {
    var result = await postWithoutCookies(section.dataset.withdrawUrl, { petition_id: petitionId, phrase: phrase });
    say(statusId, result.ok ? msg(section, 'withdrawn', result.data.message) : result.data.error);
    var record = await load(petitionId);
    if (result.ok && record && normalize(record.phrase) === normalize(phrase)) {
      record.signed = false;
      await save(record);
      render(section, record);
    }
  }

  var OPT_IN = 'voicebox-private-signing';

  async function petitionPage(section) {
    var petitionId = section.dataset.petitionId;
    section.querySelector('.token-ui').hidden = false;
    document.getElementById('token-withdraw-with-phrase').addEventListener('click', function () {
      withdraw(section, petitionId, document.getElementById('token-withdraw-phrase').value, 'token-withdraw-status');
    });
    // Private signing is switched on once per browser; from then on every visit fetches a
    // token for every open petition, so fetching says nothing about which one is signed.
    if (localStorage.getItem(OPT_IN) !== 'on') {
      show(section, 'offer');
      document.getElementById('token-opt-in').addEventListener('click', function () {
        localStorage.setItem(OPT_IN, 'on');
        petitionPage(section);
      }, { once: true });
      return;
    }
    try {
      await ensureTokens(section);
    } catch (error) {
      say('token-status', msg(section, 'fetch-failed', 'Tokens could not be fetched just now ({error}). Reload to try again.', { error: error.message }));
    }
    var record = await load(petitionId);
    render(section, record);
    if (!record || !record.signature) return;
    say('token-key-fingerprint', hex(await sha256(unb64(record.public_key))));
    section.querySelector('[data-token-key]').hidden = false;
    // This account holds a token here: the server refuses its account signature, so the
    // account form goes, and the token signs instead.
    document.querySelectorAll('.sign-form').forEach(function (form) {
      form.hidden = true;
      form.style.display = 'none';
      var note = document.createElement('p');
      note.className = 'token-sign-note';
      note.textContent = msg(section, 'signs-privately', 'This browser signs privately, with a token: see "Sign privately, with a token" below.');
      form.parentNode.insertBefore(note, form);
    });
    document.getElementById('token-sign').addEventListener('click', function () { signNow(section, record); });
    document.getElementById('token-sign-later').addEventListener('click', async function () {
      var draw = new Uint32Array(1);
      crypto.getRandomValues(draw);
      record.sign_at = Date.now() + Math.floor((draw[0] / 0x100000000) * LATER_WINDOW_MS);
      await save(record);
      scheduleLater(section, record);
    });
    document.getElementById('token-withdraw').addEventListener('click', function () {
      withdraw(section, petitionId, record.phrase, 'token-status');
    });
    if (record.sign_at && !record.signed) scheduleLater(section, record);
  }

  async function merkleRoot(hashes) {
    if (!hashes.length) return null;
    var level = [];
    for (var i = 0; i < hashes.length; i++) {
      var leaf = new Uint8Array(33);
      leaf.set(Uint8Array.from(hashes[i].match(/../g), function (h) { return parseInt(h, 16); }), 1);
      level.push(new Uint8Array(await sha256(leaf)));
    }
    while (level.length > 1) {
      var next = [];
      for (var j = 0; j + 1 < level.length; j += 2) {
        var node = new Uint8Array(65);
        node[0] = 1;
        node.set(level[j], 1);
        node.set(level[j + 1], 33);
        next.push(new Uint8Array(await sha256(node)));
      }
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
    }
    return hex(level[0]);
  }

  function countedPage(page) {
    var button = document.getElementById('check-button');
    button.addEventListener('click', async function () {
      var hashes = Array.from(document.querySelectorAll('#token-hashes code'), function (el) { return el.textContent; }).sort();
      var wanted = await tokenHash(button.dataset.petitionId, document.getElementById('check-phrase').value);
      var root = await merkleRoot(hashes);
      var rootNote = ' ' + (root === null || root === page.dataset.root
        ? msg(page, 'root-ok', 'The list matches its published root.')
        : msg(page, 'root-bad', 'Warning: the list does not match its published root.'));
      var token = { token: wanted.slice(0, 12) };
      say('check-result', (hashes.indexOf(wanted) >= 0
        ? msg(page, 'counted', 'Counted: your token {token}… is in the list.', token)
        : msg(page, 'not-counted', 'Not in the list: token {token}… is not counted (yet: a new signature joins within a minute).', token)) + rootNote);
    });
  }

  var section = document.getElementById('private-signing');
  if (section && window.VoiceboxBlindRSA && window.indexedDB) petitionPage(section);
  var page = document.getElementById('counted-tokens');
  if (page) countedPage(page);
})();
