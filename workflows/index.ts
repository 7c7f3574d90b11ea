/** Every workflow the worker registers; the bundle's entry point. */
export { autoClusterWorkflow } from './auto-cluster';
