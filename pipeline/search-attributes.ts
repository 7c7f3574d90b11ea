import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that make a run findable in the Web UI by account, function, phase and
 * state. The dev-server launcher registers these names; other servers need the documented
 * `temporal operator search-attribute create` command (README).
 */
export const AI_ACCOUNT = defineSearchAttributeKey('AiAccount', SearchAttributeType.KEYWORD);
export const AI_FUNCTION = defineSearchAttributeKey('AiFunction', SearchAttributeType.KEYWORD);
export const AI_PHASE = defineSearchAttributeKey('AiPhase', SearchAttributeType.KEYWORD);
export const AI_STATE = defineSearchAttributeKey('AiState', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [AI_ACCOUNT, AI_FUNCTION, AI_PHASE, AI_STATE] as const;
