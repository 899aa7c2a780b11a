// Only for running this example inside the ctp-client repository, preloaded with `node -r`. In an
// app, npm installs one inversify (6 here) and ctp-client, and this file has no place:
// - the repository's own 'inversify' is 8 and its 'express' 5 (the library's tests); inversify 6 and
//   express 4 are installed next to them as the aliases `inversify6` and `express4`, and this app,
//   inversify-express-utils (whose peers are inversify 6 and express 4) and ctp-client share them;
// - this folder's package.json (type: commonjs, what makes the app CommonJS) hides the repository's
//   package name, so 'ctp-client' is pointed at the repository's CommonJS build (npm run build).
const Module = require('node:module');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const aliases = {
  inversify: require.resolve('inversify6', { paths: [root] }),
  express: require.resolve('express4', { paths: [root] }),
  'ctp-client': path.join(root, 'dist/index.cjs'),
  'ctp-client/testing': path.join(root, 'dist/testing.cjs'),
};
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, Object.hasOwn(aliases, request) ? aliases[request] : request, ...rest);
};
