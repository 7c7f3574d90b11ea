/** Every workflow the worker registers; the bundle's entry point. */
export { autoClusterWorkflow } from '../functions/auto-cluster/workflow';
export { generateIdeasWorkflow } from '../functions/generate-ideas/workflow';
export { generateContentWorkflow } from '../functions/generate-content/workflow';
export { generateImagePromptsWorkflow } from '../functions/generate-image-prompts/workflow';
export { generateImagesWorkflow } from '../functions/generate-images/workflow';
export { autoGenerateImagesWorkflow } from '../functions/auto-generate-images/workflow';
