import { defineQuery } from '@temporalio/workflow';
import type { ChatTurnStatus } from '../domain/chat/chat-request.js';

/** Where a chat turn is: step, chosen model, outcome. */
export const statusQuery = defineQuery<ChatTurnStatus>('status');
