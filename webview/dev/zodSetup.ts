// Import this first in every fake host, before anything that builds a zod schema (the views
// themselves carry no zod: the host, or a fake host here, validates what they send).
//
// zod compiles object parsers with `new Function` unless `jitless` is set. The view's CSP has
// no 'unsafe-eval', so zod's probe for it throws; zod catches that, but the browser still
// reports a CSP violation. jitless skips the probe and the compiler; schemas are built when
// src/contracts is evaluated, which is why this must run before those modules do.
import * as z from 'zod';

z.config({ jitless: true });
