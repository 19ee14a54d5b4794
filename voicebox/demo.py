"""Sample data for a first look around: `flask --app app voicebox demo` on an EMPTY instance.

Everything is built through the same service functions members and organizers use, with
dates spread over the past weeks (every service takes `today` explicitly), so the tallies,
timelines and audit log look like a workplace a month into using voicebox. The accounts
share one published password: a demo instance is for looking around, never for real use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from voicebox.admin import service as admin
from voicebox.auth import service as accounts
from voicebox.auth.passwords import PasswordPolicy
from voicebox.concerns import followup, moderation
from voicebox.concerns import service as concerns
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.keystore import KeyStore
from voicebox.models import Concern, Group, Invite, Petition, Report, Role, User
from voicebox.petitions import closing, drafts
from voicebox.petitions import service as petitions
from voicebox.reports import service as reports
from voicebox.reports.tallies import suppression_threshold
from voicebox.responses import service as responses
from voicebox.tick import count_queued
from voicebox.unit_of_work import unit_of_work

# Published on purpose: printed by the command and named in the README.
DEMO_PASSWORD = "lantern-quarry-demo-58"  # noqa: S105
NAMED_ACCOUNTS = (
    ("demo-admin", Role.ADMIN),
    ("demo-organizer", Role.ORGANIZER),
    ("demo-leadership", Role.LEADERSHIP),
    ("demo-member", Role.MEMBER),
)
COLLEAGUES = 24
GROUPS = (
    ("Engineering", "department"),
    ("Customer Support", "department"),
    ("Finance", "department"),
    ("Leeds warehouse", "site"),
)

# Titles the browser tests and screenshots look for.
OPEN_PETITION = "Pause the keystroke and screenshot recording pilot"
DRAFT_PETITION = "A quiet room on the second floor"
CLOSED_PETITION = "Keep the four-day rota trial in Customer Support"
REPLIED_CONCERN = "Screenshots capture private messages"
PUBLISHED_REPORT = "Staff voice report: monitoring and workload"
CATEGORIES = (
    ("Monitoring and privacy", "Recording, tracking and what happens to the data."),
    ("Workload", "Targets, rotas, staffing."),
    ("Health and safety", "Anything that puts people at risk."),
)

# Tables a person fills in; if any holds a row, this is somebody's real instance.
# Settings, categories seeded by migrations and the audit log don't count.
OWNED_TABLES: list[type] = [User, Invite, Group, Petition, Concern, Report]


class DemoRefused(Exception):
    """The instance already holds data; the demo never mixes sample rows into it."""


@dataclass
class DemoSummary:
    """What the demo created, for the console."""

    accounts: list[tuple[str, str]] = field(default_factory=list)
    colleague_names: list[str] = field(default_factory=list)
    receipt: str = ""
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class DemoContext:
    """The people and groups later steps draw on."""

    secrets: Secrets
    keys: KeyStore
    policy: PasswordPolicy
    today: date
    users: dict[str, User] = field(default_factory=dict)
    colleagues: list[User] = field(default_factory=list)
    groups: dict[str, Group] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)


def instance_is_empty() -> bool:
    """Whether no account, invite, group, petition, concern or report exists yet."""
    return not any(db.session.scalar(select(func.count()).select_from(model)) for model in OWNED_TABLES)


def _people(ctx: DemoContext, summary: DemoSummary) -> None:
    with unit_of_work(db.session):
        for username, role in NAMED_ACCOUNTS:
            ctx.users[username] = accounts.create_user(username, DEMO_PASSWORD, role, ctx.policy)
            summary.accounts.append((username, role.value))
        for number in range(1, COLLEAGUES + 1):
            username = f"colleague-{number:02d}"
            ctx.colleagues.append(accounts.create_user(username, DEMO_PASSWORD, Role.MEMBER, ctx.policy))
            summary.colleague_names.append(username)
        for name, kind in GROUPS:
            ctx.groups[name] = admin.add_group(name, kind, actor_role="admin", today=ctx.ago(40))
        admin.update_settings(
            admin.SettingsChange(
                headcount=180, small_group_threshold=5, cosponsors_needed=2, retention_days=365
            ),
            actor_role="admin",
            today=ctx.ago(40),
        )


def _sign_many(
    ctx: DemoContext,
    petition: Petition,
    signers: list[User],
    first_day: date,
    group_for: Callable[[int], str | None],
    comments: dict[int, str] | None = None,
    names: dict[int, str] | None = None,
) -> None:
    """Sign with each of `signers`, a few a day from `first_day`, in the groups chosen."""
    comments = comments or {}
    names = names or {}
    with unit_of_work(db.session):
        for index, signer in enumerate(signers):
            group = group_for(index)
            petitions.sign_petition(
                petition.id,
                signer.id,
                petitions.SignatureChoice(
                    display_name=names.get(index, ""),
                    group_id=ctx.groups[group].id if group else None,
                    comment=comments.get(index, ""),
                ),
                keys=ctx.keys,
                today=min(first_day + timedelta(days=index // 3), ctx.today),
            )
    count_queued(ctx.secrets, ctx.keys)


def _draft(ctx: DemoContext, author: User, title: str, body: str, goal: int, days_ago: int) -> Petition:
    with unit_of_work(db.session):
        return petitions.start_petition(
            author.id, title, body, goal, None, keys=ctx.keys, today=ctx.ago(days_ago)
        )


def _open(ctx: DemoContext, petition: Petition, backers: list[User], on: date) -> None:
    # Each co-sponsor and the opening are separate actions, as they would be on the site.
    for backer in backers:
        with unit_of_work(db.session):
            drafts.cosponsor_petition(petition.id, backer.id, keys=ctx.keys)
    with unit_of_work(db.session):
        drafts.open_petition(
            petition.id, cosponsors_needed=2, actor_role="organizer", today=on, keys=ctx.keys
        )


def _petitions(ctx: DemoContext, summary: DemoSummary) -> dict[str, Petition]:
    member, team = ctx.users["demo-member"], ctx.colleagues
    made: dict[str, Petition] = {}

    closed = _draft(
        ctx,
        team[5],
        CLOSED_PETITION,
        "The trial cut sick days and queue times. We ask that it continues for another "
        "quarter, with the results **published** before any decision.",
        30,
        60,
    )
    _open(ctx, closed, [team[6], team[7]], ctx.ago(58))
    _sign_many(ctx, closed, team[:20], ctx.ago(57), lambda i: "Customer Support" if i % 3 else "Finance")
    with unit_of_work(db.session):
        closing.close_petition(
            closed.id, actor_role="organizer", today=ctx.ago(35), secrets=ctx.secrets, keys=ctx.keys
        )
    made["closed"] = closed

    with unit_of_work(db.session):
        monitoring = petitions.start_petition(
            member.id,
            OPEN_PETITION,
            "The new endpoint software records every keystroke and takes screenshots, "
            "officially *to train AI tools*. We ask leadership to:\n\n"
            "1. pause the pilot until staff have been consulted;\n"
            "2. publish what is collected, who can read it and for how long it is kept;\n"
            "3. delete what has been recorded so far.",
            40,
            ctx.ago(-21),
            keys=ctx.keys,
            today=ctx.ago(14),
        )
    _open(ctx, monitoring, [team[0], team[1]], ctx.ago(12))
    groups = ["Engineering", "Engineering", "Customer Support", "Leeds warehouse", None]
    _sign_many(
        ctx,
        monitoring,
        team[:23],
        ctx.ago(12),
        lambda i: groups[i % len(groups)],
        comments={
            0: "Screenshots can capture payslips and medical letters.",
            4: "Nobody told us this was being rolled out.",
        },
        names={1: "Priya (Platform team)", 3: "Sam K."},
    )
    made["open"] = monitoring

    retention = _draft(
        ctx,
        team[10],
        "Publish the retention policy for monitoring data",
        "Tell staff how long recordings and logs are kept, and who may read them.",
        25,
        6,
    )
    _open(ctx, retention, [team[11], team[12]], ctx.ago(5))
    _sign_many(ctx, retention, team[8:15], ctx.ago(5), lambda i: "Finance" if i < 3 else None)
    made["second_open"] = retention

    draft = _draft(
        ctx,
        team[20],
        DRAFT_PETITION,
        "Open-plan noise makes focused work and private calls hard. We propose turning the "
        "small meeting room by the lifts into a bookable quiet room.",
        20,
        2,
    )
    with unit_of_work(db.session):
        drafts.cosponsor_petition(draft.id, team[21].id, keys=ctx.keys)
    made["draft"] = draft
    summary.counts["petitions"] = len(made)
    return made


@dataclass(frozen=True)
class RaisedConcern:
    """A demo concern once counted, with the receipt its author was shown."""

    concern: Concern
    receipt: str


def _concern(
    ctx: DemoContext, author: User, title: str, body: str, category: str, days_ago: int, supporters: int
) -> RaisedConcern:
    """Post as `author`, then "me too" from the first `supporters` other colleagues."""
    with unit_of_work(db.session):
        posted = concerns.post_concern(
            title,
            body,
            ctx.categories[category],
            username=author.username,
            confirmed_identifying=False,
            secrets=ctx.secrets,
            keys=ctx.keys,
            today=ctx.ago(days_ago),
        )
    count_queued(ctx.secrets, ctx.keys)
    concern = db.session.get(Concern, posted.concern_id)
    assert concern is not None  # counted just above  # noqa: S101
    backers = [colleague for colleague in ctx.colleagues if colleague is not author][:supporters]
    with unit_of_work(db.session):
        for index, backer in enumerate(backers):
            concerns.toggle_support(
                concern.id, backer.id, keys=ctx.keys, today=ctx.ago(max(days_ago - index // 4, 0))
            )
    count_queued(ctx.secrets, ctx.keys)
    return RaisedConcern(concern, posted.receipt)


def _concerns(ctx: DemoContext, summary: DemoSummary) -> dict[str, Concern]:
    with unit_of_work(db.session):
        for name, description in CATEGORIES:
            ctx.categories[name] = moderation.add_category(
                name, description, actor_role="organizer", today=ctx.ago(40)
            ).id
    team = ctx.colleagues
    screenshots = _concern(
        ctx,
        team[2],
        REPLIED_CONCERN,
        "The recording tool takes screenshots while personal chats and banking pages are open "
        "during breaks. Nobody has said who can see them.",
        "Monitoring and privacy",
        11,
        14,
    )
    with unit_of_work(db.session):
        moderation.change_status(
            screenshots.concern.id, "acknowledged", actor_role="organizer", today=ctx.ago(9), keys=ctx.keys
        )
        followup.staff_reply(
            screenshots.concern.id,
            "Thank you for raising this. Does it happen on every team's laptops, or only some?",
            actor_role="leadership",
            secrets=ctx.secrets,
            today=ctx.ago(8),
        )
        followup.author_reply(
            screenshots.receipt,
            "Everyone in our building has the same image, so every team.",
            secrets=ctx.secrets,
            keys=ctx.keys,
            today=ctx.ago(7),
        )
    count_queued(ctx.secrets, ctx.keys)
    targets = _concern(
        ctx,
        team[9],
        "Ticket targets raised without notice",
        "The daily ticket target went from 40 to 55 overnight, with no extra staff.",
        "Workload",
        9,
        8,
    )
    with unit_of_work(db.session):
        moderation.change_status(
            targets.concern.id, "acknowledged", actor_role="organizer", today=ctx.ago(6), keys=ctx.keys
        )
        moderation.change_status(
            targets.concern.id, "in progress", actor_role="organizer", today=ctx.ago(3), keys=ctx.keys
        )
    first_aid = _concern(
        ctx,
        team[15],
        "Night shift has no trained first-aider",
        "Since the rota change there is often nobody trained in first aid on the night shift.",
        "Health and safety",
        20,
        6,
    )
    with unit_of_work(db.session):
        moderation.change_status(
            first_aid.concern.id, "resolved", actor_role="organizer", today=ctx.ago(4), keys=ctx.keys
        )
    _concern(
        ctx,
        team[18],
        "Meeting rooms booked and never used",
        "Rooms are blocked all week by recurring bookings nobody attends.",
        "Workload",
        2,
        3,
    )
    summary.counts["concerns"] = 4
    summary.receipt = screenshots.receipt
    return {"replied": screenshots.concern, "targets": targets.concern, "resolved": first_aid.concern}


def _answers_and_report(
    ctx: DemoContext, made: dict[str, Petition], raised: dict[str, Concern], summary: DemoSummary
) -> None:
    with unit_of_work(db.session):
        respond = responses.post_response
        respond(
            responses.PETITION,
            made["closed"].id,
            "in progress",
            "The four-day rota continues in Customer Support until the end of next quarter; "
            "results will be shared with the team first.",
            actor_role="leadership",
            today=ctx.ago(30),
            keys=ctx.keys,
        )
        respond(
            responses.PETITION,
            made["open"].id,
            "in progress",
            "We have paused screenshot capture while we review the pilot with the works council.",
            actor_role="leadership",
            today=ctx.ago(3),
            keys=ctx.keys,
        )
        respond(
            responses.CONCERN,
            raised["targets"].id,
            "acknowledged",
            "Targets return to 40 while we review staffing for the queue.",
            actor_role="leadership",
            today=ctx.ago(2),
            keys=ctx.keys,
        )
        report = reports.create_report(
            reports.ReportDraft(
                title=PUBLISHED_REPORT,
                period_start=ctx.ago(60),
                period_end=ctx.ago(1),
                narrative="Monitoring dominated this period: **one in eight** staff signed the petition "
                "to pause the recording pilot, and the most supported concern is about screenshots.",
                petition_ids=[made["open"].id, made["closed"].id],
                concern_ids=[raised["replied"].id, raised["targets"].id],
            ),
            actor_role="organizer",
            today=ctx.ago(1),
        )
        reports.publish_report(
            report.id,
            0,
            threshold=suppression_threshold(),
            headcount=180,
            actor_role="organizer",
            today=ctx.ago(1),
        )
    summary.counts["responses"] = 3
    summary.counts["published reports"] = 1


def build_demo(*, secrets: Secrets, keys: KeyStore, policy: PasswordPolicy, today: date) -> DemoSummary:
    """Fill an empty instance with sample data; raises DemoRefused if it already holds data."""
    if not instance_is_empty():
        raise DemoRefused(
            "This instance already holds data; the demo only fills an empty one. "
            "Point VOICEBOX_INSTANCE_PATH (or DATABASE_URL) at a new, empty location."
        )
    summary = DemoSummary()
    ctx = DemoContext(secrets=secrets, keys=keys, policy=policy, today=today)
    _people(ctx, summary)
    made = _petitions(ctx, summary)
    raised = _concerns(ctx, summary)
    _answers_and_report(ctx, made, raised, summary)
    summary.counts["accounts"] = len(NAMED_ACCOUNTS) + COLLEAGUES
    summary.counts["groups"] = len(GROUPS)
    return summary
