"""A large unit for load tests, fast: `demo seed --items 100000 --feedback 20000`.

The demo unit itself comes from the services (seed.py); the many items and opinions added
here go in with SQLAlchemy Core executemany inserts, in batches, because the services take
minutes per ten thousand items. They hold every invariant the services keep:

- a published or archived item has a published live revision (its working revision is the
  live one, or a newer unpublished one while a revision is in progress: state `draft`);
  `first_published_at` is its first revision's publication, `last_published_at` the live
  one's; a public item has `public_from` = first publication + its members-first days,
  a members-only item none; `search_text` is the live revision's title and plain text;
- a withdrawn item keeps its live revision, has `withdrawn_at` and an empty `search_text`;
- items never published (draft, in review, approved) have a working revision only;
- every revision that passed review has one approval with the whole checklist ticked, by a
  reviewer who did not write it;
- opinions follow their handling: answered and closed ones have a reply, a named report is
  closed only once answered, published handling results only on readable public items.

Search stays right by itself: SQLite's FTS5 table is filled by the insert trigger of
migration 0002 (the text is inserted with the row, never updated here), PostgreSQL's
trigram index by the index. Afterwards the page cache's generation moves on, so running
app servers drop what they had cached.
"""
from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, text, update

from dwgk.accounts.models import User
from dwgk.catalog.models import Cadence, CatalogEntry, Category, Scope
from dwgk.catalog.templates_data import DEFAULT_FORMS
from dwgk.core import clock
from dwgk.core.richtext import plain_text, render_markdown
from dwgk.disclosures.models import Decision, Disclosure, Review, Revision, State
from dwgk.extensions import db
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, FeedbackStatus, ReplyMethod

BATCH = 5000
YEARS = 3
SEED = 20261130  # the same data every time (given the same date)

# Bump when the generated data changes: `make bench` keys its cached database on it.
VERSION = "1"

AUTHORS = ("office", "office2")
REVIEWERS = ("reviewer", "reviewer2", "reviewer3")

PEOPLE = ["李明", "王芳", "张晓燕", "刘洋", "陈志强", "赵丽", "孙伟", "周敏", "吴海涛", "郑雪梅",
          "黄建华", "何静", "马俊", "胡晓东", "林婷", "高峰", "罗文", "梁红", "宋佳", "唐磊"]
PLACES = ["县革命纪念馆", "镇敬老院", "学校报告厅", "社区服务中心", "红色教育基地", "村文化礼堂",
          "图书馆", "县委党校", "学校操场", "会议室"]
SUBJECTS = ["学习贯彻党的二十大精神", "党史学习教育", "主题教育", "作风建设", "师德师风建设",
            "安全生产", "乡村振兴", "课后服务", "校园文化建设", "廉洁文化进校园", "家校共育",
            "志愿服务", "结对帮扶", "食堂管理", "教育教学质量提升"]
OPENINGS = [
    "为深入贯彻落实上级党组织的部署要求，进一步加强支部建设，现将有关情况公开如下。",
    "根据《中国共产党支部工作条例（试行）》和党务公开有关规定，现将本期情况予以公开，接受党员和群众监督。",
    "按照年度党建工作计划安排，支部认真组织开展了各项工作，具体情况如下。",
    "经支部委员会研究决定，现将相关事项公开如下，欢迎提出意见建议。",
]
SENTENCES = [
    "支部围绕{subject}，组织全体党员开展专题学习{n}次，撰写心得体会{m}篇。",
    "{month}月{day}日，支部在{place}召开党员大会，应到党员{m}名，实到{n}名。",
    "{person}同志作专题发言，结合岗位实际谈认识、谈体会，提出改进措施{n}条。",
    "本期共收缴党费{money}元，已按规定全额上缴上级党委，收缴情况经支委会审核。",
    "开展“{subject}”主题党日活动，党员{n}人次参加，服务群众{m}人次。",
    "针对群众反映的问题，支部逐条研究整改措施，已完成整改{n}项，正在整改{m}项。",
    "组织党员到{place}开展志愿服务，为群众办实事{n}件。",
    "支部书记{person}讲专题党课，题目为“以{subject}推动学校高质量发展”。",
    "经民主推荐、支委会研究，拟确定{person}同志为入党积极分子培养对象。",
    "支委会召开{n}次，研究{subject}等事项{m}项，形成会议纪要。",
    "对照年度目标，{subject}工作已完成{n}项，完成率{pct}%。",
    "公示期间，如对公示内容有异议，可通过意见建议栏、电话或来信向支部反映。",
]
LIST_INTROS = ["下一步工作安排：", "主要做法：", "存在的问题：", "整改措施："]
LIST_ITEMS = ["加强理论学习，提高政治站位", "严格落实“三会一课”制度", "做好党员发展和教育管理",
              "推进{subject}走深走实", "发挥党员先锋模范作用", "加强与群众的联系沟通",
              "规范党费收缴使用和管理", "完善党务公开工作台账"]
FEEDBACK_BODIES = [
    "建议把{subject}的具体安排提前在公开栏公布，方便家长了解。",
    "对{subject}有几点意见：一是时间安排偏紧，二是宣传不够，希望改进。",
    "反映{place}附近早晚接送时段交通拥堵，希望学校协调解决。",
    "公开内容很详细，建议增加{subject}的后续落实情况。",
    "举报：有人反映{subject}中存在不规范的情况，请核实。",
    "希望党费使用情况能按季度公开明细。",
]
REPLIES = ["已收到您的意见，支部已研究并落实改进措施，感谢您的监督。",
           "经核实，相关情况已按规定处理，处理结果已在公开栏公布。",
           "感谢您的建议，已纳入下一阶段工作计划。"]


@dataclass
class Counts:
    items: int = 0
    revisions: int = 0
    reviews: int = 0
    feedback: int = 0


def _fill(template: str, rng: random.Random) -> str:
    return template.format(subject=rng.choice(SUBJECTS), person=rng.choice(PEOPLE),
                           place=rng.choice(PLACES), n=rng.randint(1, 30), m=rng.randint(5, 60),
                           month=rng.randint(1, 12), day=rng.randint(1, 28),
                           money=f"{rng.randint(800, 9000)}.{rng.randint(0, 99):02d}",
                           pct=rng.randint(60, 100))


def _body(rng: random.Random) -> str:
    """Markdown of varying length: a sentence or two up to several paragraphs, a list, a table."""
    size = rng.choices([1, 2, 4, 7], weights=[2, 4, 3, 1])[0]
    parts = [rng.choice(OPENINGS)]
    for _ in range(size):
        parts.append("".join(_fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(1, 3))))
    if rng.random() < 0.25:
        parts.append(rng.choice(LIST_INTROS) + "\n\n" + "\n".join(
            "- " + _fill(rng.choice(LIST_ITEMS), rng) for _ in range(rng.randint(2, 4))))
    if rng.random() < 0.1:
        parts.append("| 项目 | 数量 |\n|---|---|\n" + "\n".join(
            f"| {rng.choice(SUBJECTS)} | {rng.randint(1, 99)} |" for _ in range(rng.randint(2, 4))))
    return "\n\n".join(parts)


def _title(entry_title: str | None, category: str, moment: datetime, rng: random.Random) -> str:
    local = moment.astimezone(clock.LOCAL_TZ)
    quarter = "一二三四"[(local.month - 1) // 3]
    if entry_title is None:
        entry_title = rng.choice([f"关于{rng.choice(SUBJECTS)}的通知", f"{rng.choice(SUBJECTS)}工作动态",
                                  f"{category}情况通报"])
    pattern = rng.choice(["{y}年第{q}季度{t}", "{y}年{m}月{t}", "{t}（{y}年{m}月）", "关于{t}的公示"])
    return pattern.format(y=local.year, q=quarter, m=local.month, t=entry_title)[:200]


def _user_ids(names) -> list[int]:
    ids = [db.session.scalar(select(User.id).where(User.username == name)) for name in names]
    if None in ids:
        raise RuntimeError("the demo unit is missing: run seed_demo() first")
    return ids


def _insert(table, rows: list[dict], with_ids: bool = False) -> list[int]:
    """Insert `rows` in batches of plain executemany. With `with_ids`, the rows get the next
    free ids here (RETURNING would make SQLite insert one row per statement) and the ids are
    returned in the rows' order; PostgreSQL's sequence is moved past them afterwards."""
    conn = db.session.connection()
    ids: list[int] = []
    if with_ids and rows:
        first = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        ids = list(range(first, first + len(rows)))
        for row, new_id in zip(rows, ids):
            row["id"] = new_id
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start:start + BATCH])
    if with_ids and rows and conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                          f"(SELECT max(id) FROM {table.name}))"))
    return ids


def add_items(count: int, feedback: int = 0, *, now: datetime | None = None) -> Counts:
    """Add `count` items spread over the last three years and `feedback` opinions, in the
    mix of a real unit. Flushes; the caller commits."""
    rng = random.Random(SEED + count)
    now = now or clock.now()
    authors, reviewers = _user_ids(AUTHORS), _user_ids(REVIEWERS)
    categories = {c.id: c.name for c in db.session.scalars(select(Category))}
    entries = list(db.session.execute(
        select(CatalogEntry.id, CatalogEntry.category_id, CatalogEntry.title, CatalogEntry.scope,
               CatalogEntry.cadence)))
    if not entries or not categories:
        raise RuntimeError("the catalog is empty: run seed_demo() first")
    db.session.flush()

    # A few thousand distinct bodies, each rendered once (Markdown and sanitising are slow).
    bodies = []
    for _ in range(min(max(count // 20, 50), 4000)):
        source = _body(rng)
        html = render_markdown(source)
        bodies.append((html, html, plain_text(html)))  # stored as HTML since 0013

    span = timedelta(days=365 * YEARS)
    start = now - span
    plans = []
    for number in range(count):
        # Chronological: ids grow with time, as in a real database. The newest few are inside
        # their members-first window (public_from still ahead).
        created = start + span * ((number + rng.random()) / max(count, 1)) - timedelta(hours=2)
        age = now - created
        roll = rng.random()
        if age < timedelta(days=30) and roll < 0.25:
            state = rng.choice([State.DRAFT, State.DRAFT, State.IN_REVIEW, State.APPROVED])
            published = False
        else:
            published = True
            state = State.PUBLISHED
        entry = rng.choice(entries) if rng.random() < 0.7 else None
        if entry is not None:
            category_id, scope, cadence, entry_title = entry.category_id, entry.scope, entry.cadence, entry.title
        else:
            category_id = rng.choice(list(categories))
            scope = Scope.PUBLIC if rng.random() < 0.75 else Scope.MEMBERS
            cadence, entry_title = Cadence.IMMEDIATE, None
        publicity = 5 if (entry_title and "公示" in entry_title) or rng.random() < 0.05 else None
        republished = published and rng.random() < 0.05 and age > timedelta(days=10)
        revising = published and not republished and rng.random() < 0.004
        withdrawn = published and rng.random() < 0.015
        archived = (published and not withdrawn and not revising
                    and ((publicity and age > timedelta(days=12))
                         or (age > timedelta(days=700) and rng.random() < 0.5)))
        if withdrawn:
            state = State.WITHDRAWN
        elif archived:
            state = State.ARCHIVED
        elif revising:
            state = State.DRAFT
        members_first = 0 if rng.random() < 0.03 else 1
        plans.append(dict(
            created=created, state=state, published=published, category_id=category_id,
            entry_id=entry.id if entry is not None else None, entry_title=entry_title, scope=scope,
            cadence=cadence, publicity=publicity, republished=republished, revising=revising,
            withdrawn=withdrawn, archived=archived, members_first=members_first,
            is_major=rng.random() < 0.02, author=rng.choice(authors),
            body=rng.randrange(len(bodies)), body2=rng.randrange(len(bodies))))

    tables = {model: model.__table__ for model in (Disclosure, Revision, Review, Feedback)}
    counts = Counts()

    # 1. The items, without their revisions yet (the two tables point at each other).
    item_rows = []
    for plan in plans:
        created = plan["created"]
        first = created + timedelta(hours=rng.randint(2, 48)) if plan["published"] else None
        last = first + timedelta(days=rng.randint(3, 9)) if plan["republished"] else first
        plan.update(first=first, last=last)
        if first is not None and first > now:
            plan["first"] = plan["last"] = first = last = now - timedelta(minutes=rng.randint(1, 120))
        category = categories[plan["category_id"]]
        plan["title"] = _title(plan["entry_title"], category, created, rng)
        plan["title2"] = plan["title"] + "（更正）" if plan["republished"] else plan["title"]
        live_body = bodies[plan["body2"] if plan["republished"] else plan["body"]]
        shown = plan["published"] and not plan["withdrawn"]
        public_from = (first + timedelta(days=plan["members_first"])
                       if plan["published"] and plan["scope"] == Scope.PUBLIC else None)
        withdrawn_at = last + timedelta(hours=rng.randint(1, 72)) if plan["withdrawn"] else None
        archived_at = last + timedelta(days=rng.randint(8, 30)) if plan["archived"] else None
        if archived_at is not None and archived_at > now:
            archived_at = now
        plan.update(withdrawn_at=withdrawn_at, archived_at=archived_at)
        item_rows.append(dict(
            state=plan["state"], created_by_id=plan["author"], created_at=created,
            updated_at=withdrawn_at or archived_at or last or created,
            first_published_at=first, last_published_at=last, public_from=public_from,
            archived_at=archived_at, withdrawn_at=withdrawn_at,
            withdrawn_by_id=plan["author"] if plan["withdrawn"] else None,
            withdraw_reason="内容有误，核实后重新发布" if plan["withdrawn"] else "",
            search_text=f"{plan['title2']}\n{live_body[2]}" if shown else "",
            version_id=1))
    item_ids = _insert(tables[Disclosure], item_rows, with_ids=True)
    counts.items = len(item_ids)

    # 2. Their revisions: the first; a published second one (再公开); a working one.
    revision_rows, owners = [], []
    for item_id, plan in zip(item_ids, plans):
        created = plan["created"]

        def revision(number, body, title, published_at, submitted=True, approved=True, note=""):
            source, html, _ = bodies[body]
            if number == 1:
                moment = created
            elif published_at is not None:  # a re-publication: drafted the day before
                moment = published_at - timedelta(days=1)
            else:  # a revision in progress, begun after the last publication
                moment = min(plan["last"] + timedelta(days=1), now - timedelta(hours=1))
            return dict(
                disclosure_id=item_id, number=number, title=title, body_source=source,
                body_html=html, category_id=plan["category_id"], catalog_entry_id=plan["entry_id"],
                scope=plan["scope"], cadence=plan["cadence"], responsible_id=plan["author"],
                result_date=None, publicity_workdays=plan["publicity"], is_major=plan["is_major"],
                members_first_days=plan["members_first"],
                members_first_reason="时效性强，即时社会公开" if plan["members_first"] == 0 else "",
                is_predisclosure=False, decision_date=None, change_note=note,
                disclosure_forms=DEFAULT_FORMS[plan["scope"].value],
                author_id=plan["author"], created_at=moment,
                submitted_at=moment + timedelta(minutes=30) if submitted else None,
                review_round=1 if submitted else 0,
                approved_at=moment + timedelta(hours=1) if approved else None,
                published_at=published_at, published_by_id=plan["author"] if published_at else None)

        state = plan["state"]
        if not plan["published"]:
            rows = [revision(1, plan["body"], plan["title"], None,
                             submitted=state != State.DRAFT, approved=state == State.APPROVED)]
        else:
            rows = [revision(1, plan["body"], plan["title"], plan["first"])]
            if plan["republished"]:
                rows.append(revision(2, plan["body2"], plan["title2"], plan["last"],
                                     note="更正部分数据"))
            if plan["revising"]:
                rows.append(revision(len(rows) + 1, plan["body"], plan["title"], None,
                                     submitted=False, approved=False))
        revision_rows.extend(rows)
        owners.append(len(rows))
    revision_ids = _insert(tables[Revision], revision_rows, with_ids=True)
    counts.revisions = len(revision_ids)

    # 3. Point each item at its live and working revisions; 4. the approvals.
    links, review_rows, position = [], [], 0
    for item_id, plan, row_count in zip(item_ids, plans, owners):
        ids = revision_ids[position:position + row_count]
        rows = revision_rows[position:position + row_count]
        position += row_count
        published_ids = [rid for rid, row in zip(ids, rows) if row["published_at"] is not None]
        links.append(dict(b_id=item_id, b_live=published_ids[-1] if published_ids else None,
                          b_working=ids[-1], b_updated=item_rows[len(links)]["updated_at"]))
        for rid, row in zip(ids, rows):
            if row["approved_at"] is None:
                continue
            reviewer = rng.choice([r for r in reviewers if r != row["author_id"]])
            review_rows.append(dict(
                revision_id=rid, round=1, reviewer_id=reviewer, decision=Decision.APPROVE,
                check_content=True, check_form=True, check_scope=True, check_timing=True,
                check_duration=True, check_secrecy=True, reason="",
                meeting_date=row["approved_at"].astimezone(clock.LOCAL_TZ).date() if row["is_major"] else None,
                meeting_attendees="支部委员会全体委员" if row["is_major"] else "",
                meeting_decision="经集体研究，同意公开" if row["is_major"] else "",
                created_at=row["approved_at"]))
    table = tables[Disclosure]
    statement = (update(table).where(table.c.id == bindparam("b_id"))
                 .values(live_revision_id=bindparam("b_live"),
                         working_revision_id=bindparam("b_working"),
                         updated_at=bindparam("b_updated")))
    conn = db.session.connection()
    for start_at in range(0, len(links), BATCH):
        conn.execute(statement, links[start_at:start_at + BATCH])
    _insert(tables[Review], review_rows)
    counts.reviews = len(review_rows)

    # 5. Opinions on readable public items, or in general.
    if feedback:
        readable = [(item_id, plan) for item_id, plan in zip(item_ids, plans)
                    if plan["published"] and not plan["withdrawn"] and plan["scope"] == Scope.PUBLIC]
        counts.feedback = len(_insert(tables[Feedback], _feedback_rows(
            feedback, readable, authors, rng, now), with_ids=True))
    db.session.flush()
    _after_bulk_load()
    return counts


def _feedback_rows(count, readable, office_ids, rng, now) -> list[dict]:
    rows = []
    start = now - timedelta(days=365 * YEARS)
    for number in range(count):
        created = start + timedelta(days=365 * YEARS) * ((number + rng.random()) / count)
        target = rng.choice(readable) if readable and rng.random() < 0.6 else None
        if target is not None and target[1]["first"] is not None and created < target[1]["first"]:
            created = target[1]["first"] + timedelta(days=rng.randint(1, 10))
            if created > now:
                created = now - timedelta(hours=1)
        kind = FeedbackKind.REPORT if rng.random() < 0.08 else FeedbackKind.OPINION
        named = rng.random() < 0.4
        age = now - created
        status = (FeedbackStatus.CLOSED if age > timedelta(days=60) and rng.random() < 0.9
                  else rng.choice(list(FeedbackStatus)))
        replied = status in (FeedbackStatus.ANSWERED, FeedbackStatus.CLOSED)
        channel = rng.choices(list(Channel), weights=[50, 10, 10, 10, 5, 15])[0]
        reply_at = created + timedelta(days=rng.randint(1, 14)) if replied else None
        if reply_at is not None and reply_at > now:
            reply_at = now
        result = replied and target is not None and rng.random() < 0.15
        office = rng.choice(office_ids)
        rows.append(dict(
            disclosure_id=target[0] if target else None, kind=kind, channel=channel,
            body=_fill(rng.choice(FEEDBACK_BODIES), rng), is_named=named,
            filer_name=rng.choice(PEOPLE) if named else "",
            filer_phone=f"138{rng.randint(0, 99999999):08d}" if named else "",
            filer_email="", filer_user_id=None,
            lookup_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            status=status, assigned_to_id=office if status != FeedbackStatus.NEW else None,
            logged_by_id=office if channel not in (Channel.WEB, Channel.KIOSK) else None,
            relayed_by_id=None, received_on=created.astimezone(clock.LOCAL_TZ).date(),
            created_at=created, reply_text=rng.choice(REPLIES) if replied else "",
            reply_method=rng.choice(list(ReplyMethod)) if replied else None,
            reply_date=reply_at.astimezone(clock.LOCAL_TZ).date() if reply_at else None,
            replied_by_id=office if replied else None, replied_at=reply_at,
            closed_at=reply_at + timedelta(days=1) if status == FeedbackStatus.CLOSED else None,
            result_text="经核实，已按意见改进，感谢监督。" if result else "",
            result_published_at=reply_at if result else None, version_id=1))
    return rows


def _after_bulk_load() -> None:
    """Fresh planner statistics, a compact search index, and a new page-cache generation."""
    from dwgk.core import generation

    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    conn.execute(text("ANALYZE"))
    generation.bump(db.session)


def check_invariants() -> list[str]:
    """What the app relies on, checked over the whole database: the problems found (none
    is good). Used by the tests and by `make bench` after seeding."""
    problems = []
    d, r = Disclosure, Revision
    shown = d.state.in_([State.PUBLISHED, State.ARCHIVED])

    def count(query) -> int:
        return db.session.scalar(select(func.count()).select_from(query.subquery()))

    checks = {
        "published or archived item without a live revision":
            select(d.id).where(shown, d.live_revision_id.is_(None)),
        "live revision not published":
            select(d.id).join(r, d.live_revision_id == r.id).where(r.published_at.is_(None)),
        "live revision of another item":
            select(d.id).join(r, d.live_revision_id == r.id).where(r.disclosure_id != d.id),
        "last_published_at is not the live revision's":
            select(d.id).join(r, d.live_revision_id == r.id).where(r.published_at != d.last_published_at),
        "public item without public_from":
            select(d.id).join(r, d.live_revision_id == r.id)
            .where(r.scope == Scope.PUBLIC, d.public_from.is_(None)),
        "members-only item with public_from":
            select(d.id).join(r, d.live_revision_id == r.id)
            .where(r.scope == Scope.MEMBERS, d.public_from.is_not(None)),
        "withdrawn item still searchable":
            select(d.id).where(d.withdrawn_at.is_not(None), d.search_text != ""),
        "shown item not searchable":
            select(d.id).where(d.live_revision_id.is_not(None), d.withdrawn_at.is_(None),
                               d.search_text == ""),
        "withdrawn state without withdrawn_at":
            select(d.id).where(d.state == State.WITHDRAWN, d.withdrawn_at.is_(None)),
        "unpublished item with a live revision":
            select(d.id).where(d.state.in_([State.IN_REVIEW, State.APPROVED]),
                               d.first_published_at.is_(None), d.live_revision_id.is_not(None)),
        "item without a working revision":
            select(d.id).where(d.working_revision_id.is_(None)),
        "published revision without an approval":
            select(r.id).where(r.published_at.is_not(None),
                               ~select(Review.id).where(Review.revision_id == r.id,
                                                        Review.decision == Decision.APPROVE).exists()),
        "handling result on an item the public cannot read":
            select(Feedback.id).join(d, Feedback.disclosure_id == d.id)
            .where(Feedback.result_published_at.is_not(None),
                   (d.withdrawn_at.is_not(None)) | d.public_from.is_(None)),
    }
    for label, query in checks.items():
        found = count(query)
        if found:
            problems.append(f"{label}: {found}")
    if db.session.get_bind().dialect.name == "sqlite":
        indexed = db.session.scalar(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :q")
                                    .bindparams(q='"党支部"'))
        expected = db.session.scalar(select(func.count()).where(d.search_text.like("%党支部%")))
        if indexed != expected:
            problems.append(f"search index out of step: {indexed} found, {expected} expected")
    return problems
