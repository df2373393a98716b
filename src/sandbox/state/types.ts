/** The sandbox's whole persisted world: one JSON document in DATA_DIR/sandbox/state.json. */

export type DemoRole =
  | 'cs_agent'
  | 'cs_team_lead'
  | 'qa_inspector'
  | 'qa_lead'
  | 'warehouse'
  | 'refund_dispute'
  | 'legal'
  | 'finance'
  | 'community_operator'
  | 'manager';

export interface SandboxDepartment {
  department_id: string;
  open_department_id: string;
  name: string;
  en_name: string;
  parent_department_id: string;
  leader_user_id?: string;
}

export interface SandboxUser {
  open_id: string;
  user_id: string;
  union_id: string;
  name: string;
  en_name: string;
  email: string;
  mobile: string;
  department_ids: string[];
  job_title: string;
  role: DemoRole;
  /** Sales channel for customer-service staff (tmall, jd, douyin, store, private). */
  channel?: string;
}

export interface SandboxChat {
  chat_id: string;
  chat_type: 'p2p' | 'group';
  name: string;
  description: string;
  owner_open_id: string;
  /** open_ids of human members; the bot is a member of every sandbox chat. */
  members: string[];
  /** For p2p chats: the human on the other side of the bot. */
  p2p_user?: string;
  /** Which team the group serves (seeded), for the console's grouping. */
  team?: string;
  create_time: number;
}

export interface SandboxMention {
  key: string;
  open_id: string;
  name: string;
}

export interface SandboxMessage {
  message_id: string;
  chat_id: string;
  root_id?: string;
  parent_id?: string;
  thread_id?: string;
  msg_type: string;
  /** JSON string, exactly as sent (Feishu keeps `content` serialised). */
  content: string;
  sender: { kind: 'app' } | { kind: 'user'; open_id: string };
  mentions: SandboxMention[];
  create_time: number;
  update_time: number;
  updated: boolean;
  deleted: boolean;
  uuid?: string;
}

export interface BitableField {
  field_id: string;
  field_name: string;
  type: number;
  ui_type?: string;
  property: Record<string, unknown> | null;
  description?: string;
  is_primary: boolean;
}

export interface BitableView {
  view_id: string;
  view_name: string;
  view_type: string;
  /** Set by PATCH .../views/:view_id (FEISHU.md §m.2); absent on a new view. */
  property?: {
    filter_info?: {
      conjunction: 'and' | 'or';
      conditions: Array<{
        field_id: string;
        operator: string;
        value: string;
        field_type?: number;
        condition_id?: string;
      }>;
    } | null;
    hidden_fields?: string[];
  };
}

/** A collaborator of a Base (drive permission members, FEISHU.md §m.1). */
export interface BitableMember {
  member_type: 'openid' | 'openchat';
  member_id: string;
  perm: 'view' | 'edit' | 'full_access';
  type: 'user' | 'chat';
}

export interface BitableRecord {
  record_id: string;
  /** Write-format values keyed by field_id (so renames keep data). */
  fields: Record<string, unknown>;
  created_by: string;
  created_time: number;
  last_modified_by: string;
  last_modified_time: number;
  auto_number: number;
}

export interface BitableTable {
  table_id: string;
  name: string;
  revision: number;
  fields: BitableField[];
  views: BitableView[];
  records: BitableRecord[];
  next_auto_number: number;
}

export interface BitableApp {
  app_token: string;
  name: string;
  folder_token: string;
  time_zone: string;
  revision: number;
  tables: BitableTable[];
  create_time: number;
  /** open_id of the owner; absent while the app that created the Base owns it. */
  owner?: string;
  members?: BitableMember[];
}

export interface SandboxCredentials {
  appId: string;
  appSecret: string;
  encryptKey: string;
  verificationToken: string;
}

export interface SandboxState {
  version: 1;
  credentials: SandboxCredentials;
  tenant: { tenant_key: string; name: string };
  bot: { open_id: string; name: string; en_name: string };
  departments: SandboxDepartment[];
  users: SandboxUser[];
  chats: SandboxChat[];
  messages: SandboxMessage[];
  tokens: Record<string, { expiresAt: number; issuedAt: number }>;
  cardTokens: Record<string, { message_id: string; expiresAt: number; uses: number }>;
  uuids: Record<string, { message_id: string; at: number }>;
  clientTokens: Record<string, { at: number; response: unknown }>;
  apps: Record<string, BitableApp>;
  subscriptions: Record<string, { file_type: string; at: number }>;
}
