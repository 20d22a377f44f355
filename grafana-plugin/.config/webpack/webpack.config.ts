/**
 * Build of the panel in the @grafana/create-plugin layout: swc transpiles, webpack bundles
 * src/module.ts into an AMD module.js that Grafana's loader (SystemJS) imports, and the
 * static files Grafana reads from the plugin folder are copied next to it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE_DIR = path.join(ROOT, 'src');
const DIST_DIR = path.join(ROOT, 'dist');

const pluginJson = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'plugin.json'), 'utf8')) as {
  id: string;
};
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

/**
 * Grafana hands these to every plugin at runtime; bundling a second copy would break React
 * context (the theme) and double the size. Anything else the panel imports is bundled.
 */
const GRAFANA_PROVIDED = [
  'react',
  'react-dom',
  '@emotion/css',
  '@emotion/react',
  'lodash',
  'rxjs',
  /^@grafana\/(data|ui|runtime|schema|e2e-selectors|i18n)(\/.*)?$/,
];

/** plugin.json carries placeholders so the version is written once, in package.json. */
function stampPluginJson(content: Buffer): string {
  const today = new Date().toISOString().slice(0, 10);
  return content
    .toString()
    .replaceAll('%VERSION%', packageJson.version)
    .replaceAll('%TODAY%', today);
}

export default (env: Record<string, unknown>): Configuration => {
  const production = Boolean(env['production']);
  return {
    mode: production ? 'production' : 'development',
    target: 'web',
    context: ROOT,
    devtool: 'source-map',
    entry: { module: path.join(SOURCE_DIR, 'module.ts') },
    output: {
      path: DIST_DIR,
      filename: '[name].js',
      library: { type: 'amd' },
      // Lazy chunks (none today) would be fetched from where Grafana serves the plugin.
      publicPath: `public/plugins/${pluginJson.id}/`,
      uniqueName: pluginJson.id,
      clean: true,
    },
    externals: GRAFANA_PROVIDED,
    resolve: { extensions: ['.ts', '.tsx', '.js', '.jsx'] },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2020',
                parser: { syntax: 'typescript', tsx: true },
                // Classic JSX (React.createElement) needs only the `react` external, which
                // every Grafana version provides.
                transform: { react: { runtime: 'classic' } },
              },
            },
          },
        },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          { from: 'src/plugin.json', to: '.', transform: stampPluginJson },
          { from: 'src/README.md', to: '.' },
          { from: 'src/img', to: 'img' },
          { from: 'CHANGELOG.md', to: '.' },
          { from: 'LICENSE', to: '.' },
        ],
      }),
    ],
    performance: { hints: false },
  };
};
