/** Every workflow the worker registers; the bundle's entry point. */
export { autoClusterWorkflow } from './auto-cluster';
export { generateIdeasWorkflow } from './generate-ideas';
export { generateContentWorkflow } from './generate-content';
export { generateImagePromptsWorkflow } from './generate-image-prompts';
export { generateImagesWorkflow } from './generate-images';
