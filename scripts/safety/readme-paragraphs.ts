// Prose paragraphs from the README files of npm packages installed in node_modules: ordinary technical text
// full of words that injection rules look for ("override", "system", "ignore", "token", "admin"), which is
// what retrieved documents look like. Two disjoint package lists: one for training the injection scorer,
// one for the held-out set.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const trainingReadmePackages = [
  'libphonenumber-js', 'validator', 'prom-client', 'mathjs', 'eslint', 'zod', 'pino', 'ibantools', 'obscenity',
  'enhanced-resolve', 'terser', 'cacheable', 'fast-check', 'expect-type', 'fast-json-stringify', 'tapable', 'picomatch',
  'avvio', 'source-map', 'keyv', 'ajv', 'typed-function', 'ipaddr.js', 'secure-json-parse', 'optionator',
  'light-my-request', 'cookie', 'css-select', 'acorn', 'jest-worker', 'long', 'node-html-parser', 'seedrandom', 'ignore',
  'heap-js', 'decimal.js', 'retry', 'js-yaml', 'proper-lockfile', 'fastq', '@opentelemetry/api',
];
export const heldOutReadmePackages = ['ioredis', 'mammoth', 'fastify', 'ws', 'uuid', 'jose', 'openai'];

export interface ReadmeProse {
  name: string;
  version: string;
  licence: string;
  paragraphs: string[];
}

/** Paragraphs of 150–1200 characters outside code blocks, tables, lists of links and HTML. */
export function readmeParagraphs(nodeModules: string, name: string): ReadmeProse {
  const directory = join(nodeModules, name);
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version: string; license?: string };
  const readme = readFileSync(join(directory, 'README.md'), 'utf8').replace(/```[\s\S]*?```/g, '\n\n');
  const paragraphs = readme.split(/\n\s*\n/)
    .map((block) => block.replace(/\s*\n\s*/g, ' ').trim())
    .filter((block) => block.length >= 150 && block.length <= 1200 && /^[A-Z]/.test(block) && !/[|<>]/.test(block.slice(0, 20)) && (block.match(/\]\(/g) ?? []).length < 3);
  return { name, version: manifest.version, licence: manifest.license ?? 'see package', paragraphs };
}
