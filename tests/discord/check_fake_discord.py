"""Fidelity check of the fake Discord (onair-fake-discord) against two independent Python
clients of Discord's HTTP API: discord.py and hikari.

Every route the fake serves is called through each library's own client, and the answer must
parse into the library's own models. Discord's errors must surface as the library's own
exception types carrying Discord's JSON code, and 429s must be handled as rate limits (waited
out and retried), not as failures.

Run by scripts/discord-fidelity.sh, which starts the fake servers and passes their URLs.
"""

import argparse
import asyncio
import datetime
import importlib.metadata
import sys
import time
import traceback

import discord
import hikari

# Ids of the fake's demo seed (crates/onair-testkit/src/fake_discord/seed.rs).
BOT_ID = 1191000000000000001
OWNER_ID = 1191000000000000002
LISTENER_ID = 1191000000000000003
GUILD_ID = 1191000000000000100
MODERATOR_ROLE_ID = 1191000000000000101
LIVE_STAGE = 1191000000000000111
IDLE_STAGE = 1191000000000000112
VOICE_CHANNEL = 1191000000000000113
LOCKED_STAGE = 1191000000000000114
HIDDEN_STAGE = 1191000000000000115
ACTIVE_EVENT = 1191000000000000120
SCHEDULED_EVENT = 1191000000000000121
EXTERNAL_EVENT = 1191000000000000122
COMPLETED_EVENT = 1191000000000000123
FOREIGN_GUILD = 1191000000000000300
FOREIGN_STAGE = 1191000000000000311
MISSING = 1191000000000009999
LIVE_TOPIC = "Weekly AMA: ask the maintainers"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    async def run(self, name, fn):
        try:
            await fn()
        except Exception:  # noqa: BLE001 - every failure is reported, none stops the run
            self.failed.append(name)
            print(f"FAIL {name}", file=sys.stderr)
            traceback.print_exc()
        else:
            self.passed += 1
            print(f"ok   {name}")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def soon(hours=24):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)


async def raises(exc_type, code, awaitable):
    """Awaits and expects the library's exception type carrying Discord's JSON code."""
    try:
        await awaitable
    except exc_type as e:
        expect(e.code == code, f"expected code {code}, got {e.code}: {e}")
        return e
    raise AssertionError(f"expected {exc_type.__name__} with code {code}")


# ---------------------------------------------------------------- discord.py


async def new_discordpy_client(api_url, token):
    discord.http.Route.BASE = api_url
    client = discord.Client(intents=discord.Intents.none())
    await client.login(token)
    return client


async def discordpy_checks(checks, api_url, token):
    client = await new_discordpy_client(api_url, token)
    try:
        await discordpy_reads(checks, client)
        await discordpy_writes(checks, client)
        await discordpy_errors(checks, client)
    finally:
        await client.close()

    async def bad_token():
        bad = discord.Client(intents=discord.Intents.none())
        discord.http.Route.BASE = api_url
        try:
            await bad.login("not-a-token")
        except discord.LoginFailure:
            return
        finally:
            await bad.close()
        raise AssertionError("login with a bad token succeeded")

    await checks.run("discord.py: a bad token is LoginFailure", bad_token)


async def discordpy_reads(checks, client):
    async def current_user():
        user = client.user
        expect(user is not None and user.id == BOT_ID and user.bot, f"{user!r}")

    async def my_guilds():
        guilds = [g async for g in client.fetch_guilds(limit=None)]
        expect([g.id for g in guilds] == [GUILD_ID, 1191000000000000200], f"{guilds}")

    async def application():
        info = await client.application_info()
        expect(info.id == BOT_ID and info.owner.id == OWNER_ID, f"{info!r}")

    async def gateway():
        shards, url, limits = await client.http.get_bot_gateway()
        expect(shards == 1 and url.startswith("wss://"), f"{shards} {url}")
        expect(limits["total"] == 1000, f"{limits}")

    async def guild_channels_roles_member():
        guild = await client.fetch_guild(GUILD_ID)
        expect(guild.name == "onair community" and guild.owner_id == OWNER_ID, f"{guild!r}")
        channels = await guild.fetch_channels()
        stages = [c for c in channels if isinstance(c, discord.StageChannel)]
        expect(len(stages) == 4, f"{channels}")
        roles = await guild.fetch_roles()
        expect({r.id for r in roles} == {GUILD_ID, MODERATOR_ROLE_ID}, f"{roles}")
        member = await guild.fetch_member(BOT_ID)
        expect(member.id == BOT_ID, f"{member!r}")
        channel = await client.fetch_channel(LOCKED_STAGE)
        expect(isinstance(channel, discord.StageChannel), f"{channel!r}")
        expect(len(channel.overwrites) == 1, f"{channel.overwrites}")

    async def stage_instance():
        stage = await client.fetch_stage_instance(LIVE_STAGE)
        expect(isinstance(stage, discord.StageInstance), f"{stage!r}")
        expect(stage.topic == LIVE_TOPIC, stage.topic)
        expect(stage.scheduled_event_id == ACTIVE_EVENT, f"{stage.scheduled_event_id}")

    async def scheduled_events():
        guild = await client.fetch_guild(GUILD_ID)
        events = await guild.fetch_scheduled_events(with_counts=True)
        by_id = {e.id: e for e in events}
        expect(len(events) == 6, f"{events}")
        active = by_id[ACTIVE_EVENT]
        expect(active.status == discord.EventStatus.active, f"{active.status}")
        expect(active.entity_type == discord.EntityType.stage_instance, f"{active.entity_type}")
        expect(active.user_count == 42, f"{active.user_count}")
        external = await guild.fetch_scheduled_event(EXTERNAL_EVENT, with_counts=True)
        expect(external.location == "Community hall, Berlin", f"{external.location}")
        expect(external.end_time is not None, "no end time")
        users = [u async for u in active.users()]
        expect([u.id for u in users] == [BOT_ID, OWNER_ID, LISTENER_ID], f"{users}")

    for name, fn in [
        ("discord.py: current user (login)", current_user),
        ("discord.py: my guilds", my_guilds),
        ("discord.py: application info", application),
        ("discord.py: gateway/bot", gateway),
        ("discord.py: guild, channels, roles, member, channel", guild_channels_roles_member),
        ("discord.py: stage instance", stage_instance),
        ("discord.py: scheduled events with counts and users", scheduled_events),
    ]:
        await checks.run(name, fn)


async def discordpy_writes(checks, client):
    async def stage_event_lifecycle():
        guild = await client.fetch_guild(GUILD_ID)
        channel = await client.fetch_channel(IDLE_STAGE)
        event = await guild.create_scheduled_event(
            name="Launch",
            start_time=soon(),
            entity_type=discord.EntityType.stage_instance,
            channel=channel,
            privacy_level=discord.PrivacyLevel.guild_only,
            description="Going live",
            reason="onair start",
        )
        expect(event.status == discord.EventStatus.scheduled, f"{event.status}")
        expect(event.creator_id == BOT_ID, f"{event.creator_id}")
        instance = await channel.create_instance(topic="Launch")
        expect(instance.channel_id == IDLE_STAGE and instance.topic == "Launch", f"{instance!r}")
        started = await event.start()
        expect(started.status == discord.EventStatus.active, f"{started.status}")
        await instance.edit(topic="Launch, part two")
        fetched = await client.fetch_stage_instance(IDLE_STAGE)
        expect(fetched.topic == "Launch, part two", fetched.topic)
        expect(fetched.scheduled_event_id == event.id, f"{fetched.scheduled_event_id}")
        await fetched.delete()
        await raises(discord.NotFound, 10067, client.fetch_stage_instance(IDLE_STAGE))
        ended = await started.end()
        expect(ended.status == discord.EventStatus.ended, f"{ended.status}")
        await ended.delete()
        await raises(discord.NotFound, 10070, guild.fetch_scheduled_event(event.id))

    async def external_event_canceled():
        guild = await client.fetch_guild(GUILD_ID)
        event = await guild.create_scheduled_event(
            name="Meetup",
            start_time=soon(2),
            end_time=soon(4),
            entity_type=discord.EntityType.external,
            location="Berlin",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
        expect(event.location == "Berlin", f"{event.location}")
        canceled = await event.cancel()
        expect(canceled.status == discord.EventStatus.cancelled, f"{canceled.status}")

    await checks.run("discord.py: stage event and stage instance lifecycle", stage_event_lifecycle)
    await checks.run("discord.py: external event created and canceled", external_event_canceled)


async def discordpy_errors(checks, client):
    http = client.http

    async def not_found():
        await raises(discord.NotFound, 10067, client.fetch_stage_instance(IDLE_STAGE))
        await raises(discord.NotFound, 10003, client.fetch_channel(MISSING))
        await raises(discord.NotFound, 10004, client.fetch_guild(MISSING))
        await raises(discord.NotFound, 10070, http.get_scheduled_event(GUILD_ID, MISSING, True))

    async def forbidden():
        await raises(
            discord.Forbidden,
            50013,
            http.create_stage_instance(channel_id=LOCKED_STAGE, topic="t", reason=None),
        )
        await raises(discord.Forbidden, 50001, http.get_all_guild_channels(FOREIGN_GUILD))
        await raises(discord.Forbidden, 50001, client.fetch_channel(HIDDEN_STAGE))

    async def invalid_form_body():
        e = await raises(
            discord.HTTPException,
            50035,
            http.create_stage_instance(channel_id=IDLE_STAGE, topic="x" * 121, reason=None),
        )
        expect(e.status == 400, f"{e.status}")
        expect("topic" in str(e), f"field not named: {e}")
        await raises(discord.HTTPException, 50035, http.get_channel("roles"))
        await raises(
            discord.HTTPException,
            50035,
            http.edit_scheduled_event(GUILD_ID, SCHEDULED_EVENT, status=3),
        )

    async def finished_and_open():
        await raises(
            discord.HTTPException,
            180000,
            http.edit_scheduled_event(GUILD_ID, COMPLETED_EVENT, status=2),
        )
        await raises(
            discord.HTTPException,
            150006,
            http.create_stage_instance(channel_id=LIVE_STAGE, topic="again", reason=None),
        )

    for name, fn in [
        ("discord.py: unknown objects are NotFound with their codes", not_found),
        ("discord.py: permissions are Forbidden 50013/50001", forbidden),
        ("discord.py: 50035 is HTTPException with the field", invalid_form_body),
        ("discord.py: finished event 180000, open stage 150006", finished_and_open),
    ]:
        await checks.run(name, fn)


# ---------------------------------------------------------------- hikari


async def hikari_checks(checks, api_url, token):
    app = hikari.RESTApp(url=api_url)
    await app.start()
    try:
        async with app.acquire(token, hikari.TokenType.BOT) as rest:
            await hikari_reads(checks, rest)
            await hikari_writes(checks, rest)
            await hikari_errors(checks, rest)
        async with app.acquire("not-a-token", hikari.TokenType.BOT) as bad:

            async def bad_token():
                try:
                    await bad.fetch_my_user()
                except hikari.UnauthorizedError as e:
                    expect(e.code == 0, f"{e.code}")
                    return
                raise AssertionError("a bad token was accepted")

            await checks.run("hikari: a bad token is UnauthorizedError", bad_token)
    finally:
        await app.close()


async def hikari_reads(checks, rest):
    async def current_user_guilds_application():
        me = await rest.fetch_my_user()
        expect(me.id == BOT_ID and me.is_bot, f"{me!r}")
        guilds = await rest.fetch_my_guilds()
        expect([g.id for g in guilds] == [GUILD_ID, 1191000000000000200], f"{guilds}")
        app = await rest.fetch_application()
        expect(app.id == BOT_ID and app.owner.id == OWNER_ID, f"{app!r}")
        gateway = await rest.fetch_gateway_bot_info()
        expect(gateway.shard_count == 1, f"{gateway!r}")

    async def guild_channels_roles_member():
        guild = await rest.fetch_guild(GUILD_ID)
        expect(guild.name == "onair community" and guild.owner_id == OWNER_ID, f"{guild!r}")
        channels = await rest.fetch_guild_channels(GUILD_ID)
        stages = [c for c in channels if c.type == hikari.ChannelType.GUILD_STAGE]
        expect(len(stages) == 4, f"{channels}")
        roles = await rest.fetch_roles(GUILD_ID)
        expect({r.id for r in roles} == {GUILD_ID, MODERATOR_ROLE_ID}, f"{roles}")
        member = await rest.fetch_member(GUILD_ID, BOT_ID)
        expect(member.id == BOT_ID and MODERATOR_ROLE_ID in member.role_ids, f"{member!r}")
        channel = await rest.fetch_channel(LOCKED_STAGE)
        expect(isinstance(channel, hikari.GuildStageChannel), f"{channel!r}")

    async def stage_and_events():
        stage = await rest.fetch_stage_instance(LIVE_STAGE)
        expect(stage.topic == LIVE_TOPIC and stage.channel_id == LIVE_STAGE, f"{stage!r}")
        events = await rest.fetch_scheduled_events(GUILD_ID)
        by_id = {e.id: e for e in events}
        expect(len(events) == 6, f"{events}")
        active = by_id[ACTIVE_EVENT]
        expect(active.status == hikari.ScheduledEventStatus.ACTIVE, f"{active.status}")
        expect(isinstance(active, hikari.ScheduledStageEvent), f"{active!r}")
        external = await rest.fetch_scheduled_event(GUILD_ID, EXTERNAL_EVENT)
        expect(isinstance(external, hikari.ScheduledExternalEvent), f"{external!r}")
        expect(external.location == "Community hall, Berlin", f"{external.location}")
        users = await rest.fetch_scheduled_event_users(GUILD_ID, ACTIVE_EVENT)
        expect([u.user.id for u in users] == [BOT_ID, OWNER_ID, LISTENER_ID], f"{users}")

    for name, fn in [
        ("hikari: current user, guilds, application, gateway", current_user_guilds_application),
        ("hikari: guild, channels, roles, member, channel", guild_channels_roles_member),
        ("hikari: stage instance, scheduled events and their users", stage_and_events),
    ]:
        await checks.run(name, fn)


async def hikari_writes(checks, rest):
    async def stage_event_lifecycle():
        event = await rest.create_stage_event(
            GUILD_ID, IDLE_STAGE, "Launch", soon(), description="Going live", reason="onair"
        )
        expect(event.status == hikari.ScheduledEventStatus.SCHEDULED, f"{event.status}")
        stage = await rest.create_stage_instance(IDLE_STAGE, topic="Launch")
        expect(stage.topic == "Launch", f"{stage!r}")
        started = await rest.edit_scheduled_event(
            GUILD_ID, event.id, status=hikari.ScheduledEventStatus.ACTIVE
        )
        expect(started.status == hikari.ScheduledEventStatus.ACTIVE, f"{started.status}")
        edited = await rest.edit_stage_instance(IDLE_STAGE, topic="Launch, part two")
        expect(edited.topic == "Launch, part two", f"{edited!r}")
        expect(edited.scheduled_event_id == event.id, f"{edited.scheduled_event_id}")
        await rest.delete_stage_instance(IDLE_STAGE)
        ended = await rest.edit_scheduled_event(
            GUILD_ID, event.id, status=hikari.ScheduledEventStatus.COMPLETED
        )
        expect(ended.status == hikari.ScheduledEventStatus.COMPLETED, f"{ended.status}")
        await rest.delete_scheduled_event(GUILD_ID, event.id)

    async def external_event_canceled():
        event = await rest.create_external_event(GUILD_ID, "Meetup", "Berlin", soon(2), soon(4))
        expect(isinstance(event, hikari.ScheduledExternalEvent), f"{event!r}")
        canceled = await rest.edit_scheduled_event(
            GUILD_ID, event.id, status=hikari.ScheduledEventStatus.CANCELED
        )
        expect(canceled.status == hikari.ScheduledEventStatus.CANCELED, f"{canceled.status}")

    await checks.run("hikari: stage event and stage instance lifecycle", stage_event_lifecycle)
    await checks.run("hikari: external event created and canceled", external_event_canceled)


async def hikari_errors(checks, rest):
    async def not_found():
        await raises(hikari.NotFoundError, 10067, rest.fetch_stage_instance(IDLE_STAGE))
        await raises(hikari.NotFoundError, 10003, rest.fetch_channel(MISSING))
        await raises(hikari.NotFoundError, 10004, rest.fetch_guild(MISSING))
        await raises(hikari.NotFoundError, 10070, rest.fetch_scheduled_event(GUILD_ID, MISSING))

    async def forbidden():
        await raises(hikari.ForbiddenError, 50013, rest.create_stage_instance(LOCKED_STAGE, topic="t"))
        await raises(hikari.ForbiddenError, 50001, rest.fetch_guild_channels(FOREIGN_GUILD))
        await raises(hikari.ForbiddenError, 50001, rest.fetch_stage_instance(FOREIGN_STAGE))

    async def invalid_form_body():
        e = await raises(
            hikari.BadRequestError,
            50035,
            rest.create_stage_instance(IDLE_STAGE, topic="x" * 121),
        )
        expect("topic" in e.errors, f"{e.errors}")
        await raises(
            hikari.BadRequestError,
            50035,
            rest.edit_scheduled_event(
                GUILD_ID, SCHEDULED_EVENT, status=hikari.ScheduledEventStatus.COMPLETED
            ),
        )
        await raises(
            hikari.BadRequestError,
            180000,
            rest.edit_scheduled_event(
                GUILD_ID, COMPLETED_EVENT, status=hikari.ScheduledEventStatus.ACTIVE
            ),
        )

    for name, fn in [
        ("hikari: unknown objects are NotFoundError with their codes", not_found),
        ("hikari: permissions are ForbiddenError 50013/50001", forbidden),
        ("hikari: 50035 and 180000 are BadRequestError", invalid_form_body),
    ]:
        await checks.run(name, fn)


# ---------------------------------------------------------------- rate limits


async def rate_limit_checks(checks, faults_url, limits_url, hikari_limits_url, token):
    """The faults fake answers its first two requests with a user-scoped and a global 429
    (300 ms each); each limits fake allows 2 requests per bucket per 500 ms."""

    async def discordpy_waits_out_429s():
        started = time.monotonic()
        client = await new_discordpy_client(faults_url, token)
        try:
            # login and this call met both 429s between them.
            guild = await client.fetch_guild(GUILD_ID)
            expect(guild.id == GUILD_ID, f"{guild!r}")
        finally:
            await client.close()
        elapsed = time.monotonic() - started
        expect(elapsed >= 0.5, f"retried too soon: {elapsed:.3f}s")

    async def discordpy_follows_buckets():
        client = await new_discordpy_client(limits_url, token)
        try:
            started = time.monotonic()
            for _ in range(5):
                stage = await client.fetch_stage_instance(LIVE_STAGE)
                expect(stage.topic == LIVE_TOPIC, stage.topic)
            elapsed = time.monotonic() - started
            expect(elapsed >= 0.8, f"5 calls at 2 per 500 ms took {elapsed:.3f}s")
        finally:
            await client.close()

    async def hikari_follows_buckets():
        app = hikari.RESTApp(url=hikari_limits_url)
        await app.start()
        try:
            async with app.acquire(token, hikari.TokenType.BOT) as rest:
                started = time.monotonic()
                for _ in range(5):
                    stage = await rest.fetch_stage_instance(LIVE_STAGE)
                    expect(stage.topic == LIVE_TOPIC, stage.topic)
                elapsed = time.monotonic() - started
                expect(elapsed >= 0.8, f"5 calls at 2 per 500 ms took {elapsed:.3f}s")
        finally:
            await app.close()

    for name, fn in [
        ("discord.py: waits out user and global 429s", discordpy_waits_out_429s),
        ("discord.py: waits on X-RateLimit-* buckets", discordpy_follows_buckets),
        ("hikari: waits on X-RateLimit-* buckets", hikari_follows_buckets),
    ]:
        await checks.run(name, fn)


async def hikari_429s(checks, url, token):
    """A fake whose first answers are a user-scoped 429, a global 429 and a 503."""

    async def run():
        app = hikari.RESTApp(url=url)
        await app.start()
        try:
            async with app.acquire(token, hikari.TokenType.BOT) as rest:
                started = time.monotonic()
                stage = await rest.fetch_stage_instance(LIVE_STAGE)
                expect(stage.topic == LIVE_TOPIC, stage.topic)
                guild = await rest.fetch_guild(GUILD_ID)
                expect(guild.id == GUILD_ID, f"{guild!r}")
                elapsed = time.monotonic() - started
                expect(elapsed >= 0.5, f"retried too soon: {elapsed:.3f}s")
        finally:
            await app.close()

    await checks.run("hikari: waits out user and global 429s and retries a 503", run)


async def main_async(args):
    checks = Checks()
    await discordpy_checks(checks, args.url, args.token)
    await hikari_checks(checks, args.hikari_url, args.token)
    await rate_limit_checks(
        checks, args.faults_url, args.limits_url, args.hikari_limits_url, args.token
    )
    await hikari_429s(checks, args.hikari_faults_url, args.token)
    return checks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="fake for discord.py")
    parser.add_argument("--hikari-url", required=True, help="fresh fake for hikari")
    parser.add_argument("--faults-url", required=True)
    parser.add_argument("--hikari-faults-url", required=True)
    parser.add_argument("--limits-url", required=True, help="small buckets, for discord.py")
    parser.add_argument("--hikari-limits-url", required=True, help="small buckets, for hikari")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    versions = {p: importlib.metadata.version(p) for p in ("discord.py", "hikari")}
    print(f"discord.py {versions['discord.py']}, hikari {versions['hikari']}")
    checks = asyncio.run(main_async(args))
    print(f"{checks.passed} passed, {len(checks.failed)} failed")
    if checks.failed:
        for name in checks.failed:
            print(f"  failed: {name}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
