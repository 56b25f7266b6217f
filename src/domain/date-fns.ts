/**
 * The date-fns functions the domain and the CLI use, loaded through require(). Its ESM build
 * costs about half a second of start-up: for each of the ~40 files one import loads, Node reads
 * the package's 200 KB package.json `exports` again to learn the file's module type. Its
 * CommonJS build (`.cjs` files) needs no such lookup. Same functions, same results.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const { formatDistanceStrict } =
  require('date-fns/formatDistanceStrict') as typeof import('date-fns/formatDistanceStrict');
export const { formatDuration } = require('date-fns/formatDuration') as typeof import('date-fns/formatDuration');
export const { intervalToDuration } =
  require('date-fns/intervalToDuration') as typeof import('date-fns/intervalToDuration');
