//! The fake's state: users, bots and their tokens, guilds with roles and members, channels,
//! scheduled events and live stage instances; and Discord's permission computation (base
//! permissions from roles, then the channel's overwrites: `@everyone`, roles, member).

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use super::model::{
    OverwriteKind, ScheduledEvent, Seed, SeedBot, SeedChannel, SeedGuild, SeedRole, SeedUser,
    StageInstance, permissions,
};

/// Milliseconds of the Discord epoch (2015-01-01T00:00:00Z).
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

#[derive(Debug, Clone)]
pub(crate) struct Bot {
    pub user_id: u64,
    pub application_name: String,
    pub application_description: String,
    pub owner_id: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Guild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub roles: BTreeMap<u64, SeedRole>,
    pub members: BTreeMap<u64, Vec<u64>>,
}

#[derive(Debug, Default)]
pub(crate) struct World {
    pub users: HashMap<u64, SeedUser>,
    pub bots: HashMap<u64, Bot>,
    pub tokens: HashMap<String, u64>,
    pub guilds: BTreeMap<u64, Guild>,
    pub channels: BTreeMap<u64, SeedChannel>,
    pub events: BTreeMap<u64, ScheduledEvent>,
    /// Live stages by channel id.
    pub stages: BTreeMap<u64, StageInstance>,
    last_id: u64,
}

impl World {
    pub fn load(&mut self, seed: Seed) {
        seed.users.into_iter().for_each(|u| self.upsert_user(u));
        seed.bots.into_iter().for_each(|b| self.upsert_bot(b));
        seed.guilds.into_iter().for_each(|g| self.upsert_guild(g));
        seed.channels
            .into_iter()
            .for_each(|c| self.upsert_channel(c));
        for event in seed.scheduled_events {
            self.events.insert(event.id, event);
        }
        for stage in seed.stage_instances {
            self.stages.insert(stage.channel_id, stage);
        }
    }

    pub fn upsert_user(&mut self, user: SeedUser) {
        self.users.insert(user.id, user);
    }

    pub fn upsert_bot(&mut self, bot: SeedBot) {
        let id = bot.user.id;
        let mut user = bot.user;
        user.bot = true;
        self.upsert_user(user);
        for token in bot.tokens {
            self.tokens.insert(token, id);
        }
        self.bots.insert(
            id,
            Bot {
                user_id: id,
                application_name: bot.application_name,
                application_description: bot.application_description,
                owner_id: bot.owner_id,
            },
        );
    }

    pub fn upsert_guild(&mut self, seed: SeedGuild) {
        let mut roles: BTreeMap<u64, SeedRole> =
            seed.roles.into_iter().map(|r| (r.id, r)).collect();
        roles.entry(seed.id).or_insert_with(|| SeedRole {
            id: seed.id,
            name: "@everyone".to_owned(),
            permissions: seed.everyone_permissions,
            position: 0,
        });
        let mut members: BTreeMap<u64, Vec<u64>> = seed
            .members
            .into_iter()
            .map(|m| (m.user_id, m.roles))
            .collect();
        members.entry(seed.owner_id).or_default();
        self.guilds.insert(
            seed.id,
            Guild {
                id: seed.id,
                name: seed.name,
                owner_id: seed.owner_id,
                roles,
                members,
            },
        );
    }

    pub fn upsert_channel(&mut self, channel: SeedChannel) {
        self.channels.insert(channel.id, channel);
    }

    /// A new snowflake for now, strictly greater than every one handed out before.
    pub fn next_id(&mut self) -> u64 {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let candidate = now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22;
        self.last_id = candidate.max(self.last_id + 1);
        self.last_id
    }

    pub fn is_member(&self, guild: &Guild, user: u64) -> bool {
        guild.members.contains_key(&user)
    }

    /// Guild-level permissions of `user`: `@everyone` and every role of theirs; all for the
    /// owner or an administrator.
    pub fn base_permissions(&self, guild: &Guild, user: u64) -> u64 {
        if guild.owner_id == user {
            return permissions::ALL;
        }
        let Some(roles) = guild.members.get(&user) else {
            return 0;
        };
        let mut perms = guild.roles.get(&guild.id).map_or(0, |r| r.permissions);
        for role in roles {
            perms |= guild.roles.get(role).map_or(0, |r| r.permissions);
        }
        if perms & permissions::ADMINISTRATOR != 0 {
            permissions::ALL
        } else {
            perms
        }
    }

    /// Permissions of `user` in `channel`, overwrites applied in Discord's order.
    pub fn channel_permissions(&self, channel: &SeedChannel, user: u64) -> u64 {
        let Some(guild) = self.guilds.get(&channel.guild_id) else {
            return 0;
        };
        let base = self.base_permissions(guild, user);
        if base == permissions::ALL {
            return base;
        }
        let Some(member_roles) = guild.members.get(&user) else {
            return 0;
        };
        let mut perms = base;
        let role_overwrites = channel
            .overwrites
            .iter()
            .filter(|o| o.kind == OverwriteKind::Role);
        if let Some(everyone) = role_overwrites.clone().find(|o| o.id == guild.id) {
            perms = (perms & !everyone.deny) | everyone.allow;
        }
        let (allow, deny) = role_overwrites
            .filter(|o| member_roles.contains(&o.id))
            .fold((0, 0), |(a, d), o| (a | o.allow, d | o.deny));
        perms = (perms & !deny) | allow;
        if let Some(own) = channel
            .overwrites
            .iter()
            .find(|o| o.kind == OverwriteKind::Member && o.id == user)
        {
            perms = (perms & !own.deny) | own.allow;
        }
        perms
    }

    /// SCHEDULED or ACTIVE events of a guild (Discord allows 100).
    pub fn uncompleted_events(&self, guild_id: u64) -> usize {
        self.events
            .values()
            .filter(|e| e.guild_id == guild_id && !e.status.is_finished())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::{ChannelKind, SeedMember, SeedOverwrite};
    use super::*;

    fn world() -> World {
        let mut w = World::default();
        w.upsert_guild(SeedGuild {
            id: 100,
            name: "g".into(),
            owner_id: 1,
            everyone_permissions: permissions::VIEW_CHANNEL,
            roles: vec![SeedRole {
                id: 101,
                name: "mod".into(),
                permissions: permissions::STAGE_MODERATOR,
                position: 1,
            }],
            members: vec![
                SeedMember {
                    user_id: 2,
                    roles: vec![101],
                },
                SeedMember {
                    user_id: 3,
                    roles: vec![],
                },
            ],
        });
        w
    }

    fn channel(overwrites: Vec<SeedOverwrite>) -> SeedChannel {
        SeedChannel {
            id: 110,
            guild_id: 100,
            kind: ChannelKind::Stage,
            name: "stage".into(),
            position: 0,
            parent_id: None,
            topic: None,
            overwrites,
        }
    }

    #[test]
    fn roles_and_overwrites_combine_in_discords_order() {
        let w = world();
        let plain = channel(vec![]);
        assert_eq!(w.channel_permissions(&plain, 1), permissions::ALL);
        assert_eq!(
            w.channel_permissions(&plain, 2),
            permissions::VIEW_CHANNEL | permissions::STAGE_MODERATOR
        );
        assert_eq!(w.channel_permissions(&plain, 3), permissions::VIEW_CHANNEL);
        assert_eq!(w.channel_permissions(&plain, 4), 0, "not a member");
        let locked = channel(vec![
            SeedOverwrite {
                id: 100,
                kind: OverwriteKind::Role,
                allow: 0,
                deny: permissions::VIEW_CHANNEL,
            },
            SeedOverwrite {
                id: 101,
                kind: OverwriteKind::Role,
                allow: permissions::VIEW_CHANNEL,
                deny: permissions::MUTE_MEMBERS,
            },
            SeedOverwrite {
                id: 3,
                kind: OverwriteKind::Member,
                allow: permissions::MUTE_MEMBERS,
                deny: 0,
            },
        ]);
        assert_eq!(
            w.channel_permissions(&locked, 2),
            permissions::VIEW_CHANNEL | permissions::MANAGE_CHANNELS | permissions::MOVE_MEMBERS
        );
        assert_eq!(w.channel_permissions(&locked, 3), permissions::MUTE_MEMBERS);
    }

    #[test]
    fn ids_grow() {
        let mut w = World::default();
        let a = w.next_id();
        let b = w.next_id();
        assert!(b > a && a > (1 << 22));
    }
}
