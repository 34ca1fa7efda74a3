"""The office's inbox and one filing's page: tabs, filters, due dates, assign, reply, publish
the result, close; stale forms refused; offline filings logged with their channel."""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select

from dwgk.accounts.models import Role, User
from dwgk.core.audit import AuditEvent
from dwgk.extensions import db
from dwgk.feedback import services
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, FeedbackStatus, ReplyMethod
from tests.factories import make_disclosure, make_user
from tests.feedback import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, code_on, file, file_committed, version_of
from tests.support import QueryCounter, field_errors, text_of


def _office_id(users) -> int:
    return users["office"]


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="feedback-(\d+)">', html)


def test_only_the_office_reaches_the_inbox(app, users, login_as):
    feedback_id, _ = file_committed(app)
    for who in ("member", "reviewer", "supervisor", "admin", "nobody"):
        client = login_as(who)
        assert client.get("/office/feedback").status_code == 403, who
        assert client.get(f"/office/feedback/{feedback_id}").status_code == 403, who
    anonymous = login_as("anonymous")
    response = anonymous.get(f"/office/feedback/{feedback_id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    office = login_as("office")
    assert office.get(f"/office/feedback/{feedback_id}").status_code == 200
    assert office.get("/office/feedback/999999").status_code == 404


def test_tabs_count_and_filters_narrow_the_inbox(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        office = db.session.get(User, users["office"])
        colleague = make_user(Role.OFFICE, display_name="钱同事")
        item = make_disclosure(title="关于党费收缴情况的公示")
        mine, _ = file(item.id)
        services.assign(mine, office, actor=office)
        theirs, _ = file(kind=FeedbackKind.REPORT, named=False, channel=Channel.KIOSK)
        services.assign(theirs, colleague, actor=office)
        answered, _ = file(named=False, channel=Channel.KIOSK)
        services.reply(answered, "答复。", ReplyMethod.ONLINE, date(2026, 11, 23), actor=office)
        new, _ = file(named=False)
        db.session.commit()
        ids = {name: str(f.id) for name, f in
               [("mine", mine), ("theirs", theirs), ("answered", answered), ("new", new)]}
    client = login_as("office")
    html = text_of(client.get("/office/feedback"))
    assert sorted(_rows(html)) == sorted(ids.values())
    assert re.search(r"办理中 <span class=\"count\">2</span>", html)
    assert re.search(r"全部 <span class=\"count\">4</span>", html)
    assert "关于党费收缴情况的公示" in html and "钱同事" in html
    assert _rows(text_of(client.get("/office/feedback?status=assigned"))) == [
        ids["theirs"], ids["mine"]]
    assert _rows(text_of(client.get("/office/feedback?mine=1"))) == [ids["mine"]]
    assert _rows(text_of(client.get("/office/feedback?kind=report"))) == [ids["theirs"]]
    assert sorted(_rows(text_of(client.get("/office/feedback?channel=kiosk")))) == sorted(
        [ids["theirs"], ids["answered"]])
    filtered = text_of(client.get("/office/feedback?channel=kiosk&status=new"))
    assert _rows(filtered) == []
    assert "没有符合条件的意见。" in filtered
    assert re.search(r"全部 <span class=\"count\">2</span>", filtered)  # counts follow the filters
    # Nonsense in the query string is ignored, not an error.
    assert client.get("/office/feedback?status=x&kind=y&channel=z&page=-3").status_code == 200


def test_an_htmx_filter_gets_the_fragment(app, users, login_as):
    file_committed(app)
    client = login_as("office")
    response = client.get("/office/feedback?kind=opinion", headers={"HX-Request": "true"})
    html = text_of(response)
    assert html.lstrip().startswith('<section id="feedback-inbox">')
    assert "<html" not in html and "HX-Request" in response.headers["Vary"]
    assert response.headers["HX-Push-Url"] == "/office/feedback?kind=opinion"


def test_named_filings_show_their_due_date_and_when_overdue(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 2, 9, 0))  # a Monday
    feedback_id, _ = file_committed(app)
    anonymous_id, _ = file_committed(app, named=False)
    client = login_as("office")
    html = text_of(client.get("/office/feedback"))
    row = re.search(rf'<tr id="feedback-{feedback_id}">.*?</tr>', html, re.S).group(0)
    assert "2026-11-23" in row and "已逾期" not in row  # 15 working days later
    other = re.search(rf'<tr id="feedback-{anonymous_id}">.*?</tr>', html, re.S).group(0)
    assert "匿名" in other
    frozen_clock(datetime(2026, 11, 24, 9, 0))
    html = text_of(client.get("/office/feedback"))
    row = re.search(rf'<tr id="feedback-{feedback_id}">.*?</tr>', html, re.S).group(0)
    assert "已逾期" in row
    page = text_of(client.get(f"/office/feedback/{feedback_id}"))
    assert "答复期限：2026-11-23" in page and "已逾期" in page and "第 15 个工作日" in page


def _fill_inbox(app, count: int) -> None:
    with app.app_context():
        office = [make_user(Role.OFFICE) for _ in range(3)]
        for number in range(count):
            item = make_disclosure(title=f"事项{number}") if number % 2 else None
            feedback, _ = file(item.id if item else None, named=bool(number % 3))
            services.assign(feedback, office[number % 3], actor=office[0])
        db.session.commit()


def test_the_inbox_takes_the_same_number_of_queries_however_full(app, users, login_as):
    client = login_as("office")
    _fill_inbox(app, 3)
    client.get("/office/feedback")
    with QueryCounter(app) as small:
        assert client.get("/office/feedback").status_code == 200
    _fill_inbox(app, 30)
    client.get("/office/feedback")  # the first request after a change fills the page cache
    with QueryCounter(app) as large:
        html = text_of(client.get("/office/feedback"))
    assert len(_rows(html)) == 20 and "下一页" in html
    assert large.count == small.count, "\n".join(large.statements)
    # user, roles, page, assignees' roles, count, calendar, settings, tab counts (+ the bell)
    assert large.count <= 12, "\n".join(large.statements)


def test_the_office_sees_the_filer_and_handles_the_filing(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        item = make_disclosure(title="关于党费收缴情况的公示")
        colleague = make_user(Role.OFFICE, display_name="钱同事")
        db.session.commit()
        item_id, colleague_id = item.id, colleague.id
    feedback_id, _ = file_committed(app, item_id)
    client = login_as("office")
    url = f"/office/feedback/{feedback_id}"
    html = text_of(client.get(url))
    for detail in (CANARY_NAME, CANARY_PHONE, CANARY_EMAIL):
        assert detail in html
    assert "建议公示时附上名单。" in html and "关于党费收缴情况的公示" in html
    assert "公开处理结果" not in html  # only once it is answered

    client.refresh_csrf()
    version = version_of(app, feedback_id)
    response = client.form_post(f"{url}/assign", {"version_id": version, "assignee_id": colleague_id})
    assert response.status_code == 302 and response.headers["Location"] == url
    response = client.form_post(f"{url}/reply", {
        "version_id": version_of(app, feedback_id), "reply_text": "已补充公示名单。",
        "reply_method": "phone", "reply_date": "2026-11-23"})
    assert response.status_code == 302
    html = text_of(client.get(url))
    assert "答复已记录。" in html and "已补充公示名单。" in html and "钱同事" in html

    refused = client.form_post(f"{url}/publish-result", {
        "version_id": version_of(app, feedback_id),
        "result_text": f"已电话联系{CANARY_NAME}，名单已补充。"})
    assert refused.status_code == 422
    assert "公开的处理结果不能包含反映人的姓名、电话或邮箱。" in field_errors(refused)
    response = client.form_post(f"{url}/publish-result", {
        "version_id": version_of(app, feedback_id), "result_text": "经核实，名单已补充公示。"})
    assert response.status_code == 302
    item_page = text_of(client.get(f"/items/{item_id}"))
    assert "意见处理结果" in item_page and "经核实，名单已补充公示。" in item_page

    response = client.form_post(f"{url}/close", {"version_id": version_of(app, feedback_id)})
    assert response.status_code == 302
    html = text_of(client.get(url))
    assert "已办结" in html and 'action="/office/feedback/%d/reply"' % feedback_id not in html
    with app.app_context():
        feedback = db.session.get(Feedback, feedback_id)
        assert feedback.status == FeedbackStatus.CLOSED
        assert feedback.assigned_to_id == colleague_id and feedback.reply_method == ReplyMethod.PHONE
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "feedback", AuditEvent.object_id == str(feedback_id))
            .order_by(AuditEvent.id)))
    assert actions == ["feedback.file", "feedback.assign", "feedback.reply",
                       "feedback.publish_result", "feedback.close"]


def test_a_stale_form_is_refused_and_nothing_is_overwritten(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    feedback_id, _ = file_committed(app)
    url = f"/office/feedback/{feedback_id}"
    first, second = login_as("office"), login_as("office")
    stale = version_of(app, feedback_id)
    first.refresh_csrf()
    second.refresh_csrf()
    assert first.form_post(f"{url}/reply", {"version_id": stale, "reply_text": "第一位的答复。",
                                           "reply_method": "online",
                                           "reply_date": "2026-11-23"}).status_code == 302
    response = second.form_post(f"{url}/reply", {"version_id": stale, "reply_text": "第二位的答复。",
                                                "reply_method": "online", "reply_date": "2026-11-23"})
    assert response.status_code == 409
    html = text_of(response)
    assert "在您查看期间，这条意见已被他人处理" in html
    assert "第一位的答复。" in html and "第二位的答复。" in html  # theirs shown, mine kept
    with app.app_context():
        assert db.session.get(Feedback, feedback_id).reply_text == "第一位的答复。"
    # The form was drawn again from the current version: a second submit is deliberate.
    current = version_of(app, feedback_id)
    assert f'value="{current}"' in html
    for verb in ("assign", "close", "publish-result"):
        assert second.form_post(f"{url}/{verb}", {"version_id": stale, "assignee_id": users["office"],
                                                 "result_text": "结果"}).status_code == 409, verb
    assert version_of(app, feedback_id) == current


def test_a_named_report_is_not_closed_before_its_reply(app, users, login_as):
    feedback_id, _ = file_committed(app, kind=FeedbackKind.REPORT)
    client = login_as("office")
    url = f"/office/feedback/{feedback_id}"
    html = text_of(client.get(url))
    assert "实名举报须先记录答复" in html and f'action="{url}/close"' not in html
    client.refresh_csrf()
    response = client.form_post(f"{url}/close", {"version_id": version_of(app, feedback_id)})
    assert response.status_code == 422
    assert "实名举报须先记录答复（方式、日期、答复人）才能办结。" in text_of(response)
    with app.app_context():
        assert db.session.get(Feedback, feedback_id).status == FeedbackStatus.NEW


def test_handling_forms_refuse_bad_input_in_chinese(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    feedback_id, _ = file_committed(app, named=False)
    client = login_as("office")
    client.refresh_csrf()
    url = f"/office/feedback/{feedback_id}"
    version = version_of(app, feedback_id)
    response = client.form_post(f"{url}/reply", {"version_id": version, "reply_text": "",
                                                "reply_method": "online", "reply_date": "2026-13-45"})
    assert response.status_code == 422
    errors = field_errors(response)
    assert "请填写答复内容。" in errors and "日期格式不正确，请按 2026-01-31 的格式填写。" in errors
    response = client.form_post(f"{url}/reply", {"version_id": version, "reply_text": "好",
                                                "reply_method": "email", "reply_date": "2026-11-23"})
    assert "反映人未留电子邮箱，不能以电子邮件答复。" in field_errors(response)
    response = client.form_post(f"{url}/reply", {"version_id": version, "reply_text": "好",
                                                "reply_method": "online", "reply_date": "2026-11-24"})
    assert "答复日期不能晚于今天。" in field_errors(response)
    with app.app_context():  # anyone signed in may handle (相关部门/责任人), not a disabled account
        disabled = make_user(Role.MEMBER, active=False).id
        db.session.commit()
    response = client.form_post(f"{url}/assign", {"version_id": version, "assignee_id": disabled})
    assert "只能分派给在用的账号。" in field_errors(response)
    response = client.form_post(f"{url}/close", {})
    assert response.status_code == 422 and "表单已过期，请刷新页面后重试。" in text_of(response)
    assert version_of(app, feedback_id) == version


def test_the_office_logs_an_opinion_received_by_phone(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        item = make_disclosure(title="关于党费收缴情况的公示")
        db.session.commit()
        item_id = item.id
    client = login_as("office")
    html = text_of(client.get("/office/feedback/log"))
    assert 'value="2026-11-23"' in html and "意见箱" in html and "网上" not in html
    client.refresh_csrf()
    response = client.form_post("/office/feedback/log", {
        "channel": "phone", "received_on": "2026-11-20", "kind": "opinion",
        "disclosure_id": item_id, "body": "电话反映：公示栏位置太偏。", "identity": "named",
        "filer_name": CANARY_NAME, "filer_phone": CANARY_PHONE, "filer_email": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/feedback/slip"
    slip = text_of(client.get("/feedback/slip"))
    code = code_on(slip)
    assert code and "关于党费收缴情况的公示" in slip and "2026-11-20" in slip
    with app.app_context():
        feedback = db.session.scalar(select(Feedback))
        assert feedback.channel == Channel.PHONE and feedback.received_on == date(2026, 11, 20)
        assert feedback.logged_by_id == users["office"] and feedback.filer_user_id is None
        assert services.find_by_code(code).id == feedback.id
    assert f'href="/office/feedback/{feedback.id}"' in slip  # back to the filing
    # A date in the future, or a web channel, is refused.
    response = client.form_post("/office/feedback/log", {
        "channel": "web", "received_on": "2026-11-24", "kind": "opinion", "body": "x",
        "identity": "anonymous"})
    assert response.status_code == 422
    assert "不是有效的选择。" in " ".join(field_errors(response))
    response = client.form_post("/office/feedback/log", {
        "channel": "box", "received_on": "2026-11-24", "kind": "opinion", "body": "x",
        "identity": "anonymous"})
    assert "收到日期不能晚于今天。" in field_errors(response)
