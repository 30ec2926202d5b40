import fs from 'node:fs';
import path from 'node:path';

/**
 * The explorer's browser files, served by Handover itself from installed npm packages (no CDN,
 * works without internet access): GraphiQL's UMD bundle and stylesheet and the React UMD builds
 * it runs on, plus two small files of our own (the boot script and a stylesheet).
 */
export interface ExplorerAsset {
  contentType: string;
  /** An absolute file path (npm package files) or the file's text (our own files). */
  file?: string;
  text?: string;
}

/** The folder of an installed package (works for packages whose `exports` hide their files). */
export function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name: found } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string };
      if (found === name) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the folder of package ${name}`);
    dir = parent;
  }
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * Runs in the browser. Reads the page's JSON config, drops the placeholder Authorization header
 * (so schema docs load before a token is pasted) and renders GraphiQL with the example tabs.
 * Outside production (config.signIn), a bar above it offers "Sign in as" the demo users the
 * server lists: a click fetches that user's token and opens the tabs again with it in the
 * Authorization header (GraphiQL is mounted anew, on in-memory storage, so every tab has it).
 */
const BOOT_SCRIPT = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('explorer-config').textContent);
  var placeholder = /<paste[^>]*>/i;
  var base = GraphiQL.createFetcher({ url: config.endpoint });
  function fetcher(params, options) {
    var headers = Object.assign({}, options && options.headers);
    Object.keys(headers).forEach(function (name) {
      if (typeof headers[name] === 'string' && placeholder.test(headers[name])) delete headers[name];
    });
    return base(params, Object.assign({}, options, { headers: headers }));
  }
  function memoryStorage() {
    var items = {};
    return {
      getItem: function (key) { return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null; },
      setItem: function (key, value) { items[key] = String(value); },
      removeItem: function (key) { delete items[key]; },
      clear: function () { items = {}; },
      get length() { return Object.keys(items).length; },
    };
  }
  var h = React.createElement;
  var state = { headers: config.headers, users: [], signedInAs: null, error: null, mount: 0 };
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  function signIn(user) {
    fetch(config.signIn, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error('sign-in answered ' + response.status);
        return response.json();
      })
      .then(function (body) {
        state.headers = JSON.stringify(
          { Authorization: 'Bearer ' + body.token, 'x-handover-client': 'explorer' }, null, 2);
        state.signedInAs = user;
        state.error = null;
        state.mount += 1;
        render();
      })
      .catch(function (error) {
        state.error = String(error.message || error);
        render();
      });
  }
  function signInBar() {
    if (!config.signIn || state.users.length === 0) return null;
    return h('div', { className: 'explorer-sign-in', role: 'toolbar', 'aria-label': 'Sign in as a demo user' },
      h('span', { className: 'explorer-sign-in-label' },
        state.signedInAs ? 'Signed in as ' + state.signedInAs.name + ' · switch to:' : 'Sign in as:'),
      state.users.map(function (user) {
        return h('button', {
          key: user.email,
          type: 'button',
          className: 'explorer-sign-in-user',
          'data-email': user.email,
          title: user.email + ' (' + user.role + ')',
          'aria-pressed': state.signedInAs && state.signedInAs.email === user.email ? 'true' : 'false',
          onClick: function () { signIn(user); },
        }, user.name + ' — ' + user.role);
      }),
      state.error ? h('span', { className: 'explorer-sign-in-error', role: 'alert' }, state.error) : null);
  }
  function render() {
    var tabs = config.tabs.map(function (tab) { return Object.assign({}, tab, { headers: state.headers }); });
    root.render(h(React.Fragment, null,
      signInBar(),
      h('div', { className: 'explorer-graphiql' },
        h(GraphiQL, {
          key: 'mount-' + state.mount,
          fetcher: fetcher,
          defaultTabs: tabs,
          defaultHeaders: state.headers,
          storage: state.mount > 0 ? memoryStorage() : undefined,
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: false,
          defaultEditorToolsVisibility: 'headers',
        }))));
  }
  render();
  if (config.demoUsers) {
    fetch(config.demoUsers, { headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : { users: [] }; })
      .then(function (body) { state.users = body.users || []; render(); })
      .catch(function () {});
  }
})();
`;

const PAGE_CSS = `html, body, #graphiql { height: 100%; margin: 0; }
body { font-family: system-ui, sans-serif; }
#graphiql { display: flex; flex-direction: column; }
.explorer-graphiql { flex: 1 1 auto; min-height: 0; position: relative; }
.explorer-graphiql > .graphiql-container { position: absolute; inset: 0; }
.explorer-sign-in { flex: 0 0 auto; display: flex; flex-wrap: wrap; gap: 6px; align-items: center;
  padding: 6px 10px; border-bottom: 1px solid #ddd; font-size: 13px; }
.explorer-sign-in-user { font: inherit; padding: 2px 8px; border: 1px solid #bbb; border-radius: 4px;
  background: #fff; cursor: pointer; }
.explorer-sign-in-user[aria-pressed='true'] { background: #e6f0ff; border-color: #3b82f6; }
.explorer-sign-in-error { color: #b91c1c; }
`;

export function explorerAssets(): Record<string, ExplorerAsset> {
  const graphiql = packageDir('graphiql');
  const react = packageDir('react');
  const reactDom = packageDir('react-dom');
  return {
    'react.production.min.js': {
      contentType: JS,
      file: path.join(react, 'umd/react.production.min.js'),
    },
    'react-dom.production.min.js': {
      contentType: JS,
      file: path.join(reactDom, 'umd/react-dom.production.min.js'),
    },
    'graphiql.min.js': { contentType: JS, file: path.join(graphiql, 'graphiql.min.js') },
    'graphiql.min.css': { contentType: CSS, file: path.join(graphiql, 'graphiql.min.css') },
    'explorer.js': { contentType: JS, text: BOOT_SCRIPT },
    'explorer.css': { contentType: CSS, text: PAGE_CSS },
  };
}
