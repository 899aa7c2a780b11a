#!/usr/bin/env node
// Every relative link of the repository's Markdown resolves: README.md, CONTRIBUTING.md, CHANGELOG.md
// and docs/**/*.md (not the generated docs/api/). A link names a file or folder that exists and, with
// a #fragment, a heading of that Markdown file (GitHub's anchors). The files the npm package ships
// (README.md, CHANGELOG.md and what package.json's "files" lists) may link only to files it ships too,
// so their links also resolve for a reader of the installed package. External links (a scheme such as
// https:) are not fetched: CI runs offline. Exits 1 listing every broken link, 0 when none is.
// Usage: node .ci/check-links.mjs
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rel = (file) => relative(root, file).split(sep).join('/');

function markdownFiles() {
  const files = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'].map((f) => join(root, f)).filter(existsSync);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && rel(path) !== 'docs/api') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return files;
}

// What npm packs: package.json's "files" (a folder, a file, or a pattern with *), plus what npm
// always includes.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const packedPatterns = [...(pkg.files ?? []), 'README.md', 'LICENSE', 'package.json'].map(
  (p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`),
);
const isPacked = (path) => packedPatterns.some((re) => re.test(path));

/** Markdown without fenced code blocks and code spans, whose brackets are not links. */
function withoutCode(text) {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(file) {
  const seen = new Map();
  const anchors = new Set();
  const text = readFileSync(file, 'utf8').replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

function linksOf(text) {
  const prose = withoutCode(text);
  const inline = [...prose.matchAll(/\]\(\s*<?([^()\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const references = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)].map((m) => m[1]);
  return [...inline, ...references];
}

const problems = [];
const files = markdownFiles();
for (const file of files) {
  const from = rel(file);
  for (const link of linksOf(readFileSync(file, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: ...: not checked offline
    const [pathPart, fragment] = link.split('#', 2);
    const target = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    const to = rel(target);
    if (to.startsWith('..')) {
      problems.push(`${from}: ${link} points outside the repository`);
      continue;
    }
    if (!existsSync(target)) {
      problems.push(`${from}: ${link} names ${to}, which does not exist`);
      continue;
    }
    if (isPacked(from) && !isPacked(to))
      problems.push(`${from}: ${link} names ${to}, which the npm package does not ship`);
    if (fragment !== undefined && fragment !== '') {
      if (statSync(target).isDirectory() || !target.endsWith('.md'))
        problems.push(`${from}: ${link} has a #fragment on a file that is not Markdown`);
      else if (!anchorsOf(target).has(fragment.toLowerCase()))
        problems.push(`${from}: ${link}: ${to} has no heading with the anchor #${fragment}`);
    }
  }
}

if (problems.length > 0) {
  console.error(`Broken links (${problems.length}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`links: every relative link of ${files.length} Markdown files resolves`);
