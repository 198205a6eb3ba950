import type { BuildOptions } from 'esbuild';

/** Lets esbuild's ESM output load CommonJS dependencies that call `require` (e.g. the X-Ray SDK). */
const ESM_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";

/**
 * How every function is bundled. The CDK stack hands these to NodejsFunction and
 * `npm run bench:functions` builds with the same settings, so the sizes it reports are the
 * deployed ones.
 */
export const lambdaBundling = {
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  // A linked map beside the bundle, without the sources: stack traces map back to our files
  // without the map's weight being loaded with the code.
  sourceMap: true,
  sourcesContent: false,
  // The AWS SDK v3 comes with the Lambda Node.js runtime (NodejsFunction's default leaves it out
  // too): bundling it would add about 300 KB to every function and its parse to every cold start.
  // The calls the app makes (DynamoDB, SES v2, Step Functions, KMS, Secrets Manager) are years old,
  // so the runtime's SDK serves them as the tested one does.
  // TypeScript stays out: MJML's minifier reaches it only to read a `.ts` config file, which a
  // function never has, and it would add 3.5 MB to the templates API.
  externalModules: ['@aws-sdk/*', 'typescript'] as string[],
} as const;

/** Node options every function runs with: source-mapped stack traces in the logs. */
export const lambdaNodeOptions = '--enable-source-maps';

/** The file NodejsFunction writes for an ESM bundle. */
export const lambdaBundleFile = 'index.mjs';

/**
 * The esbuild options matching the command line NodejsFunction runs for `lambdaBundling`
 * (`esbuild --bundle <entry> --platform=node --outfile=<dir>/index.mjs ...`, from the project root).
 */
export function lambdaEsbuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: lambdaBundling.format,
    target: lambdaBundling.target,
    mainFields: [...lambdaBundling.mainFields],
    banner: { js: lambdaBundling.banner },
    minify: lambdaBundling.minify,
    sourcemap: lambdaBundling.sourceMap,
    sourcesContent: lambdaBundling.sourcesContent,
    external: [...lambdaBundling.externalModules],
    outfile: `${outdir}/${lambdaBundleFile}`,
  };
}
