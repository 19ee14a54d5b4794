// Blind tokens: issuance on every page a member opens, and signing, "me too" and co-sponsoring
// with a token on the item's page; the inclusion check on the counted-tokens pages.
// The RFC 9474 operations come from the bundled @cloudflare/blindrsa-ts (window.VoiceboxBlindRSA).
// Tokens are kept in this browser's IndexedDB; redemption and withdrawal are sent with
// credentials: 'omit', so they carry no cookie that could tie them to the account.
// Every text a member reads comes from the page (data-msg-* attributes, in its language).
(function () {
  'use strict';
  var PREFIXES = {
    signature: 'voicebox petition token v1\u0000',
    support: 'voicebox support token v1\u0000',
    cosponsor: 'voicebox cosponsor token v1\u0000',
  };
  var PHRASE_WORDS = 8;
  var LATER_WINDOW_MS = 30 * 60 * 1000;
  // Keys and tokens are fetched at most this often, unless the page's own item lacks one.
  var REFRESH_MS = 5 * 60 * 1000;
  var FETCHED_AT = 'voicebox-tokens-fetched-at';
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
  function tokenMessage(scope, itemId, phrase) {
    return encoder.encode(PREFIXES[scope] + itemId + '\u0000' + normalize(phrase));
  }
  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }
  function sha256(bytes) { return crypto.subtle.digest('SHA-256', bytes); }
  function tokenHash(scope, itemId, phrase) { return sha256(tokenMessage(scope, itemId, phrase)).then(hex); }

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

  // Version 1 kept petition tokens by petition id; version 2 keeps every scope's by "scope:id".
  function store(mode, action) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open('voicebox-tokens', 2);
      opening.onupgradeneeded = function (event) {
        var items = opening.result.createObjectStore('items', { keyPath: 'key' });
        if (event.oldVersion < 1) return;
        var old = opening.transaction.objectStore('tokens');
        old.openCursor().onsuccess = function (e) {
          var cursor = e.target.result;
          if (!cursor) return;
          var record = cursor.value;
          record.scope = 'signature';
          record.item_id = record.petition_id;
          record.key = 'signature:' + record.petition_id;
          if (record.signed) record.used = true;
          items.put(record);
          cursor.continue();
        };
      };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var request = action(opening.result.transaction('items', mode).objectStore('items'));
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      };
    });
  }
  function load(scope, itemId) { return store('readonly', function (s) { return s.get(scope + ':' + itemId); }); }
  function save(record) { return store('readwrite', function (s) { return s.put(record); }); }

  function postJSON(url, body, csrf) {
    // Issuance is the signed-in step: same-origin credentials and the CSRF header.
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify(body),
    }).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
  }
  function postWithoutCookies(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'omit', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }).then(function (r) { return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; }); });
  }

  function importKey(spki) { return window.VoiceboxBlindRSA.importPublicKey(unb64(spki)); }

  // One fetch at a time across this browser's tabs: two at once would blind two different
  // phrases for one item, and the server signs only the first it sees.
  function ensureTokens(issuer) {
    if (navigator.locks) return navigator.locks.request('voicebox-tokens', function () { return fetchTokens(issuer); });
    return fetchTokens(issuer);
  }

  // Fetch a token for every item this member can see that takes tokens (open petitions, open
  // concerns, drafts), whether or not they act: one request for the keys, one for every
  // token this browser lacks. Tokens already held are never asked for again.
  async function fetchTokens(issuer) {
    var B = window.VoiceboxBlindRSA;
    var keys = await postJSON(issuer.dataset.keysUrl, {}, issuer.dataset.csrf);
    var words = null;
    var wanted = [];
    for (var i = 0; i < keys.items.length; i++) {
      var item = keys.items[i];
      var record = await load(item.scope, item.id);
      if (record && (record.signature || record.unavailable)) continue;
      if (!record) {
        if (!words) words = (await (await fetch(issuer.dataset.wordsUrl, { credentials: 'omit' })).json()).words;
        var phrase = randomPhrase(words);
        var blinded = await B.blind(await importKey(item.public_key), B.prepare(tokenMessage(item.scope, item.id, phrase)));
        record = { key: item.scope + ':' + item.id, scope: item.scope, item_id: item.id, phrase: phrase,
          public_key: item.public_key, blinded: b64(blinded.blindedMsg), inv: b64(blinded.inv) };
        await save(record);
      }
      wanted.push(record);
    }
    localStorage.setItem(FETCHED_AT, String(Date.now()));
    if (!wanted.length) return;
    var answer = await postJSON(issuer.dataset.issueUrl, { tokens: wanted.map(function (r) {
      return { scope: r.scope, item_id: r.item_id, blinded_msg: r.blinded };
    }) }, issuer.dataset.csrf);
    for (var j = 0; j < answer.signatures.length; j++) {
      var given = answer.signatures[j];
      var rec = wanted.find(function (r) { return r.scope === given.scope && r.item_id === given.item_id; });
      if (!rec) continue;
      if (given.blind_sig) {
        var message = tokenMessage(rec.scope, rec.item_id, rec.phrase);
        var signature = await B.finalize(await importKey(rec.public_key), B.prepare(message), unb64(given.blind_sig), unb64(rec.inv));
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
  function find(section, action) { return section.querySelector('[data-token-action="' + action + '"]'); }
  function say(el, text) { if (el) el.textContent = text; }
  // Text in the page's language, from the data-msg-* attributes ({name} filled in).
  function msg(el, name, fill) {
    var text = (el && el.getAttribute('data-msg-' + name)) || '';
    Object.keys(fill || {}).forEach(function (key) { text = text.split('{' + key + '}').join(fill[key]); });
    return text;
  }
  function status(section) { return section.querySelector('[data-token-status]'); }

  function render(section, record) {
    if (!record || record.unavailable || !record.signature) { show(section, 'unavailable'); return; }
    if (record.used) {
      show(section, 'done');
      say(section.querySelector('[data-token-phrase]'), record.phrase);
    } else {
      show(section, 'ready');
    }
  }

  async function actNow(section, record) {
    var display = section.querySelector('[data-token-display-name]');
    var body = { scope: record.scope, item_id: record.item_id,
      token: b64(tokenMessage(record.scope, record.item_id, record.phrase)), signature: record.signature };
    if (display) body.display_name = display.value;
    var result = await postWithoutCookies(section.dataset.redeemUrl, body);
    if (result.ok || result.status === 409) {
      record.used = true;
      delete record.act_at;
      await save(record);
      render(section, record);
    }
    say(status(section), result.ok ? msg(section, 'done') : result.data.error);
  }

  function scheduleLater(section, record) {
    var wait = Math.max(0, record.act_at - Date.now());
    say(status(section), msg(section, 'send-at',
      { time: new Date(record.act_at).toLocaleTimeString(document.documentElement.lang || undefined) }));
    setTimeout(function () { actNow(section, record); }, wait);
  }

  async function withdraw(section, phrase, statusEl) {
    var scope = section.dataset.scope;
    var itemId = section.dataset.itemId;
    var result = await postWithoutCookies(section.dataset.withdrawUrl, { scope: scope, item_id: itemId, phrase: phrase });
    say(statusEl, result.ok ? msg(section, 'withdrawn') : result.data.error);
    var record = await load(scope, itemId);
    if (result.ok && record && normalize(record.phrase) === normalize(phrase)) {
      record.used = false;
      await save(record);
      render(section, record);
    }
  }

  // The account's own form for this action: hidden while this browser holds the token,
  // because the server refuses the account once a token was issued to it.
  function replaceAccountForms(section) {
    document.querySelectorAll(section.dataset.accountForms).forEach(function (form) {
      if (form.hidden) return;
      form.hidden = true;
      form.style.display = 'none';
      var panel = form.closest('.panel');
      if (section.dataset.scope === 'signature' && panel && panel.parentNode) {
        // The token's own sign button takes the account form's place, in a phone's first
        // screen; the account panel stays only for what else it holds (an organizer's links).
        panel.parentNode.insertBefore(section, panel);
        var rest = Array.prototype.filter.call(panel.children, function (el) {
          return !el.hidden && el.tagName !== 'H2';
        });
        if (!rest.length) panel.hidden = true;
        return;
      }
      var note = document.createElement('p');
      note.className = 'token-sign-note';
      note.textContent = msg(section, 'replaces');
      form.parentNode.insertBefore(note, form);
    });
  }

  async function itemSection(section, issuer) {
    var scope = section.dataset.scope;
    var itemId = section.dataset.itemId;
    section.querySelector('.token-ui').hidden = false;
    var byPhrase = find(section, 'withdraw-phrase');
    if (byPhrase) {
      byPhrase.addEventListener('click', function () {
        withdraw(section, section.querySelector('[data-token-withdraw-phrase]').value,
          section.querySelector('[data-token-withdraw-status]'));
      });
    }
    var record = await load(scope, itemId);
    if (issuer && !(record && (record.signature || record.unavailable))) {
      try {
        await ensureTokens(issuer);
      } catch (error) {
        say(status(section), msg(section, 'fetch-failed', { error: error.message }));
      }
      record = await load(scope, itemId);
    }
    render(section, record);
    if (!record || !record.signature) return;
    say(section.querySelector('[data-token-fingerprint]'), hex(await sha256(unb64(record.public_key))));
    section.querySelector('[data-token-key]').hidden = false;
    replaceAccountForms(section);
    find(section, 'now').addEventListener('click', function () { actNow(section, record); });
    find(section, 'later').addEventListener('click', async function () {
      var draw = new Uint32Array(1);
      crypto.getRandomValues(draw);
      record.act_at = Date.now() + Math.floor((draw[0] / 0x100000000) * LATER_WINDOW_MS);
      await save(record);
      scheduleLater(section, record);
    });
    var undo = find(section, 'withdraw');
    if (undo) undo.addEventListener('click', function () { withdraw(section, record.phrase, status(section)); });
    if (record.act_at && !record.used) scheduleLater(section, record);
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
      var wanted = await tokenHash(button.dataset.scope, button.dataset.itemId, document.getElementById('check-phrase').value);
      var root = await merkleRoot(hashes);
      var rootNote = ' ' + msg(page, root === null || root === page.dataset.root ? 'root-ok' : 'root-bad');
      var token = { token: wanted.slice(0, 12) };
      say(document.getElementById('check-result'),
        msg(page, hashes.indexOf(wanted) >= 0 ? 'counted' : 'not-counted', token) + rootNote);
    });
  }

  var ready = window.VoiceboxBlindRSA && window.indexedDB;
  var issuer = ready ? document.getElementById('token-issuer') : null;
  var sections = ready ? document.querySelectorAll('[data-token-section]') : [];
  if (sections.length) {
    sections.forEach(function (section) { itemSection(section, issuer); });
  } else if (issuer && Date.now() - Number(localStorage.getItem(FETCHED_AT) || 0) > REFRESH_MS) {
    // Quietly, on every other page: a failure here is retried on the next page.
    ensureTokens(issuer).catch(function () { localStorage.removeItem(FETCHED_AT); });
  }
  var page = document.getElementById('counted-tokens');
  if (page) countedPage(page);
})();
