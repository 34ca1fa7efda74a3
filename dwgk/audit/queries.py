"""Reading the audit log."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from dwgk.core.audit import AuditEvent
from dwgk.core.clock import LOCAL_TZ
from dwgk.extensions import db

ACTION_LABELS = {
    "login.success": "登录成功",
    "login.failure": "登录失败",
    "login.refused": "登录被拒（账号已停用）",
    "logout": "退出登录",
    "password.change": "修改密码",
    "user.create": "创建用户",
    "user.update": "修改用户",
    "user.roles": "调整角色",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.reset_password": "重置密码",
    "settings.update": "修改单位设置",
    "workday.set": "设置节假日调整",
    "workday.delete": "删除节假日调整",
    "disclosure.create": "新建公开事项",
    "disclosure.update": "修改公开事项",
    "disclosure.submit": "提交审核",
    "disclosure.return": "退回修改",
    "disclosure.approve": "审核通过",
    "disclosure.publish": "发布",
    "disclosure.republish": "再公开",
    "disclosure.adoption": "填写采纳情况",
    "disclosure.revise": "开始修订",
    "disclosure.archive": "归档",
    "disclosure.withdraw": "撤回",
    "disclosure.work_end": "标记分期工作结束",
    "disclosure.work_reopen": "撤销分期工作结束",
    "catalog.category_create": "新建公开内容类别",
    "catalog.category_update": "修改公开内容类别",
    "catalog.entry_create": "新建目录条目",
    "catalog.entry_update": "修改目录条目",
    "attachment.add": "上传附件",
    "attachment.remove": "删除附件",
    "feedback.file": "收到意见建议",
    "feedback.assign": "分派意见",
    "feedback.reply": "答复意见",
    "feedback.publish_result": "公开处理结果",
    "feedback.close": "意见办结",
    "feedback.mail_failed": "答复邮件未能发送",
    "kiosk.screen_create": "新建公开栏屏幕",
    "kiosk.screen_update": "修改公开栏屏幕",
    "supervision.note": "提出监督意见",
    "supervision.answer": "答复监督意见",
    "review.approve": "审核意见：同意",
    "review.return": "审核意见：退回",
    "job.retry": "重试后台任务",
    "job.delete": "删除失败的后台任务",
}


OBJECT_LABELS = {
    "app_user": "用户",
    "workday_override": "节假日调整",
    "unit_settings": "单位设置",
    "disclosure": "公开事项",
    "category": "公开内容类别",
    "catalog_entry": "目录条目",
    "attachment": "附件",
    "supervision_note": "监督意见",
    "feedback": "意见建议",
    "kiosk_screen": "公开栏屏幕",
    "rq_job": "后台任务",
}


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, object_type)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _day_start(day: date):
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def list_events(*, action: str | None = None, actor: str | None = None,
                start: date | None = None, end: date | None = None,
                page: int = 1, per_page: int = 50):
    """One page of events, newest first, and the total count matching the filters."""
    conditions = []
    if action:
        conditions.append(AuditEvent.action == action)
    if actor:
        conditions.append(AuditEvent.actor_name == actor.strip().lower())
    if start:
        conditions.append(AuditEvent.at >= _day_start(start))
    if end:
        conditions.append(AuditEvent.at < _day_start(end + timedelta(days=1)))
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
    rows = db.session.scalars(
        select(AuditEvent).where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total
