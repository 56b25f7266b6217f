/**
 * The Slack side of the wiring, when SLACK_BOT_TOKEN is set: a WebClient (plus one per channel for
 * its messages), the Chat adapter,
 * and roles from config user ids plus Slack user groups (cached).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Chat } from '../../adapters/slack/chat-port.ts';
import { createRoleResolver, type RoleResolver } from '../../adapters/slack/role-resolver.ts';
import { createSlackChat } from '../../adapters/slack/slack-chat.ts';
import { createSlackWebClient } from '../../adapters/slack/slack-web-client.ts';
import type { RoleDirectory } from '../../flows/ports.ts';
import type { AppConfig } from '../config.ts';

export interface SlackServices {
  client: WebClient;
  chat: Chat;
  roleResolver: RoleResolver;
  roles: RoleDirectory;
}

export function createSlackServices(
  config: AppConfig,
  log: Logger,
  options: { coalesceMs?: number } = {},
): SlackServices | null {
  const token = config.env.SLACK_BOT_TOKEN;
  if (!token) return null;
  const client = createSlackWebClient({ token, slackApiUrl: config.env.SLACK_API_URL, logger: log });
  // Per channel, so one channel's Retry-After pauses only its own queue (slack-chat.ts).
  const channelClient = () => createSlackWebClient({ token, slackApiUrl: config.env.SLACK_API_URL, logger: log });
  const channelClients = { incidents: channelClient(), releases: channelClient() };
  const chat = createSlackChat({
    client,
    channelClients,
    channels: config.runbook.slack.channels,
    logger: log.child({ component: 'slack-chat' }),
    coalesceMs: options.coalesceMs,
  });
  const roleResolver = createRoleResolver({
    client,
    roles: config.runbook.roles,
    cacheMs: config.runbook.slack.usergroup_cache,
    logger: log,
  });
  const roles: RoleDirectory = {
    rolesOf: (userId) => roleResolver.rolesOf(userId),
    membersOf: async (role) => (await roleResolver.members())[role],
  };
  return { client, chat, roleResolver, roles };
}
