//! The routes the fake serves under `/api/v10`, matched from method and path, with path
//! snowflakes validated as Discord validates them (50035 under the parameter's name).

use http::Method;

use super::errors::{ApiError, FormErrors, parse_snowflake};

/// One Discord operation (the spec's operationId in the comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// `get_my_user`: `GET /users/@me`
    GetCurrentUser,
    /// `list_my_guilds`: `GET /users/@me/guilds`
    GetCurrentUserGuilds,
    /// `get_my_oauth2_application`: `GET /oauth2/applications/@me`
    GetCurrentApplication,
    /// `get_my_application`: `GET /applications/@me` (the same object; twilight reads this one)
    GetMyApplication,
    /// `get_bot_gateway`: `GET /gateway/bot`
    GetGatewayBot,
    /// `get_guild`: `GET /guilds/{guild_id}`
    GetGuild,
    /// `list_guild_channels`: `GET /guilds/{guild_id}/channels`
    GetGuildChannels,
    /// `get_guild_member`: `GET /guilds/{guild_id}/members/{user_id}`
    GetGuildMember,
    /// `list_guild_roles`: `GET /guilds/{guild_id}/roles`
    GetGuildRoles,
    /// `get_channel`: `GET /channels/{channel_id}`
    GetChannel,
    /// `create_stage_instance`: `POST /stage-instances`
    CreateStageInstance,
    /// `get_stage_instance`: `GET /stage-instances/{channel_id}`
    GetStageInstance,
    /// `update_stage_instance`: `PATCH /stage-instances/{channel_id}`
    UpdateStageInstance,
    /// `delete_stage_instance`: `DELETE /stage-instances/{channel_id}`
    DeleteStageInstance,
    /// `list_guild_scheduled_events`: `GET /guilds/{guild_id}/scheduled-events`
    ListScheduledEvents,
    /// `create_guild_scheduled_event`: `POST /guilds/{guild_id}/scheduled-events`
    CreateScheduledEvent,
    /// `get_guild_scheduled_event`: `GET /guilds/{guild_id}/scheduled-events/{event_id}`
    GetScheduledEvent,
    /// `update_guild_scheduled_event`: `PATCH …/scheduled-events/{event_id}`
    UpdateScheduledEvent,
    /// `delete_guild_scheduled_event`: `DELETE …/scheduled-events/{event_id}`
    DeleteScheduledEvent,
    /// `list_guild_scheduled_event_users`: `GET …/scheduled-events/{event_id}/users`
    ListScheduledEventUsers,
}

impl Route {
    pub const ALL: [Route; 20] = [
        Route::GetCurrentUser,
        Route::GetCurrentUserGuilds,
        Route::GetCurrentApplication,
        Route::GetMyApplication,
        Route::GetGatewayBot,
        Route::GetGuild,
        Route::GetGuildChannels,
        Route::GetGuildMember,
        Route::GetGuildRoles,
        Route::GetChannel,
        Route::CreateStageInstance,
        Route::GetStageInstance,
        Route::UpdateStageInstance,
        Route::DeleteStageInstance,
        Route::ListScheduledEvents,
        Route::CreateScheduledEvent,
        Route::GetScheduledEvent,
        Route::UpdateScheduledEvent,
        Route::DeleteScheduledEvent,
        Route::ListScheduledEventUsers,
    ];

    /// Method and path template, e.g. `GET /guilds/{guild_id}`; also what the opaque
    /// `X-RateLimit-Bucket` hash is made from.
    pub fn template(self) -> &'static str {
        match self {
            Route::GetCurrentUser => "GET /users/@me",
            Route::GetCurrentUserGuilds => "GET /users/@me/guilds",
            Route::GetCurrentApplication => "GET /oauth2/applications/@me",
            Route::GetMyApplication => "GET /applications/@me",
            Route::GetGatewayBot => "GET /gateway/bot",
            Route::GetGuild => "GET /guilds/{guild_id}",
            Route::GetGuildChannels => "GET /guilds/{guild_id}/channels",
            Route::GetGuildMember => "GET /guilds/{guild_id}/members/{user_id}",
            Route::GetGuildRoles => "GET /guilds/{guild_id}/roles",
            Route::GetChannel => "GET /channels/{channel_id}",
            Route::CreateStageInstance => "POST /stage-instances",
            Route::GetStageInstance => "GET /stage-instances/{channel_id}",
            Route::UpdateStageInstance => "PATCH /stage-instances/{channel_id}",
            Route::DeleteStageInstance => "DELETE /stage-instances/{channel_id}",
            Route::ListScheduledEvents => "GET /guilds/{guild_id}/scheduled-events",
            Route::CreateScheduledEvent => "POST /guilds/{guild_id}/scheduled-events",
            Route::GetScheduledEvent => "GET /guilds/{guild_id}/scheduled-events/{event_id}",
            Route::UpdateScheduledEvent => "PATCH /guilds/{guild_id}/scheduled-events/{event_id}",
            Route::DeleteScheduledEvent => "DELETE /guilds/{guild_id}/scheduled-events/{event_id}",
            Route::ListScheduledEventUsers => {
                "GET /guilds/{guild_id}/scheduled-events/{event_id}/users"
            }
        }
    }
}

/// A request matched to a route, with its path ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matched {
    pub route: Route,
    /// The top-level resource of the path (guild or channel id), which keys the bucket.
    pub major: Option<u64>,
    /// A second path id (user id or event id).
    pub minor: Option<u64>,
}

/// Why a request matched no route.
#[derive(Debug)]
pub(crate) enum NoRoute {
    /// 404 `{"code": 0, "message": "404: Not Found"}`.
    NotFound,
    /// The path exists, not with this method.
    MethodNotAllowed,
    /// The path's shape matched but a snowflake in it did not (400 50035); the route is
    /// known so the request is still counted and limited under it.
    BadSnowflake(Route, ApiError),
}

/// A path shape: its routes by method, and the positions and names of its path ids.
type Shape = (&'static [(Method, Route)], &'static [(usize, &'static str)]);

/// Matches `path` (e.g. `/api/v10/guilds/1/roles`) and `method`.
pub(crate) fn route(method: &Method, path: &str) -> Result<Matched, NoRoute> {
    let rest = path.strip_prefix("/api/v10/").ok_or(NoRoute::NotFound)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    // Each shape: the routes per method, and the names of its path parameters.
    let (by_method, params): Shape = match segments.as_slice() {
        ["users", "@me"] => (&[(Method::GET, Route::GetCurrentUser)], &[]),
        ["users", "@me", "guilds"] => (&[(Method::GET, Route::GetCurrentUserGuilds)], &[]),
        ["oauth2", "applications", "@me"] => (&[(Method::GET, Route::GetCurrentApplication)], &[]),
        ["applications", "@me"] => (&[(Method::GET, Route::GetMyApplication)], &[]),
        ["gateway", "bot"] => (&[(Method::GET, Route::GetGatewayBot)], &[]),
        ["guilds", _] => (&[(Method::GET, Route::GetGuild)], &[(1, "guild_id")]),
        ["guilds", _, "channels"] => (
            &[(Method::GET, Route::GetGuildChannels)],
            &[(1, "guild_id")],
        ),
        ["guilds", _, "roles"] => (&[(Method::GET, Route::GetGuildRoles)], &[(1, "guild_id")]),
        ["guilds", _, "members", _] => (
            &[(Method::GET, Route::GetGuildMember)],
            &[(1, "guild_id"), (3, "user_id")],
        ),
        ["guilds", _, "scheduled-events"] => (
            &[
                (Method::GET, Route::ListScheduledEvents),
                (Method::POST, Route::CreateScheduledEvent),
            ],
            &[(1, "guild_id")],
        ),
        ["guilds", _, "scheduled-events", _] => (
            &[
                (Method::GET, Route::GetScheduledEvent),
                (Method::PATCH, Route::UpdateScheduledEvent),
                (Method::DELETE, Route::DeleteScheduledEvent),
            ],
            &[(1, "guild_id"), (3, "guild_scheduled_event_id")],
        ),
        ["guilds", _, "scheduled-events", _, "users"] => (
            &[(Method::GET, Route::ListScheduledEventUsers)],
            &[(1, "guild_id"), (3, "guild_scheduled_event_id")],
        ),
        ["channels", _] => (&[(Method::GET, Route::GetChannel)], &[(1, "channel_id")]),
        ["stage-instances"] => (&[(Method::POST, Route::CreateStageInstance)], &[]),
        ["stage-instances", _] => (
            &[
                (Method::GET, Route::GetStageInstance),
                (Method::PATCH, Route::UpdateStageInstance),
                (Method::DELETE, Route::DeleteStageInstance),
            ],
            &[(1, "channel_id")],
        ),
        _ => return Err(NoRoute::NotFound),
    };
    let route = by_method
        .iter()
        .find(|(m, _)| m == method)
        .map(|(_, r)| *r)
        .ok_or(NoRoute::MethodNotAllowed)?;
    let mut errors = FormErrors::default();
    let mut ids = [None, None];
    for (slot, (index, name)) in params.iter().enumerate() {
        let raw = segments[*index];
        let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
        match parse_snowflake(&decoded) {
            Ok(id) => ids[slot] = Some(id),
            Err(bad) => bad.report(&mut errors, &[name], &decoded),
        }
    }
    if !errors.is_empty() {
        return Err(NoRoute::BadSnowflake(route, errors.into_error()));
    }
    Ok(Matched {
        route,
        major: ids[0],
        minor: ids[1],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_with_their_ids() {
        let m = route(&Method::GET, "/api/v10/guilds/5/scheduled-events/7").unwrap();
        assert_eq!(
            (m.route, m.major, m.minor),
            (Route::GetScheduledEvent, Some(5), Some(7))
        );
        let m = route(&Method::DELETE, "/api/v10/stage-instances/9").unwrap();
        assert_eq!(m.route, Route::DeleteStageInstance);
        assert!(matches!(
            route(&Method::PUT, "/api/v10/stage-instances/9"),
            Err(NoRoute::MethodNotAllowed)
        ));
        assert!(matches!(
            route(&Method::GET, "/api/v9/users/@me"),
            Err(NoRoute::NotFound)
        ));
        assert!(matches!(
            route(&Method::GET, "/api/v10/guilds/roles/roles"),
            Err(NoRoute::BadSnowflake(Route::GetGuildRoles, _))
        ));
        assert_eq!(
            Route::ALL.len(),
            Route::ListScheduledEventUsers as usize + 1
        );
    }
}
