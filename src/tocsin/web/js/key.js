// The API key panel in the header: asked for on a 401/403, kept in sessionStorage only.

import { getKey, setKey } from './api.js';

export function askForKey(message) {
  const panel = document.getElementById('key-panel');
  panel.hidden = false;
  document.getElementById('key-msg').textContent = message || '';
  document.getElementById('key-input').focus();
}

export function initKeyPanel() {
  const panel = document.getElementById('key-panel');
  const input = document.getElementById('key-input');
  const msg = document.getElementById('key-msg');
  const btn = document.getElementById('key-button');
  const refresh = () => { btn.textContent = getKey() ? 'API key ✓' : 'API key'; };
  refresh();
  btn.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) { msg.textContent = ''; input.focus(); }
  });
  document.getElementById('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setKey(input.value.trim());
    input.value = '';
    panel.hidden = true;
    refresh();
  });
  document.getElementById('key-clear').addEventListener('click', () => {
    setKey('');
    input.value = '';
    msg.textContent = 'Key forgotten.';
    refresh();
  });
  document.getElementById('key-close').addEventListener('click', () => { panel.hidden = true; btn.focus(); });
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { panel.hidden = true; btn.focus(); } });
}
