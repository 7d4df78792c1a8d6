#!/usr/bin/env node
// Rewrites README.md's configuration table from the code (`node scripts/update-readme-config.js`).
const fs = require('node:fs');
const path = require('node:path');
const { configMarkdown } = require('../dist/core/config');
const file = path.join(__dirname, '..', 'README.md');
const text = fs.readFileSync(file, 'utf8');
const next = text.replace(/<!-- config:start -->[\s\S]*<!-- config:end -->/, `<!-- config:start -->\n${configMarkdown()}\n<!-- config:end -->`);
fs.writeFileSync(file, next);
