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
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: config.tabs,
      defaultHeaders: config.headers,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
`;

const PAGE_CSS = `html, body, #graphiql { height: 100%; margin: 0; }
body { font-family: system-ui, sans-serif; }
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
