import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '../..');
export const DIST_DIR = path.join(projectRoot, 'dist');
/** The workflow bundle the compiled worker loads (worker/main.ts looks for it beside dist/worker/). */
export const WORKFLOW_BUNDLE_FILE = path.join(DIST_DIR, 'workflow-bundle.js');
/** Written last by a build: its time says which sources the build has seen. */
export const BUILD_INFO_FILE = path.join(DIST_DIR, 'build-info.json');
