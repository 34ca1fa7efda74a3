"""Chinese error pages; htmx requests get a small fragment instead of a whole page."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from dwgk.extensions import db

MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请返回后重试。"),
    403: ("无权访问", "您的账号没有执行此操作的权限。如需开通，请联系系统管理员。"),
    404: ("页面不存在", "您要找的页面不存在，或已被撤回。"),
    405: ("请求方式不被允许", "请从页面上的按钮或链接进入。"),
    413: ("文件过大", "上传的内容超过了大小限制。"),
    429: ("操作过于频繁", "尝试次数过多，请稍后再试。"),
    500: ("系统出错了", "服务器处理请求时出错，已记录。请稍后重试，或联系系统管理员。"),
}


def _page(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title,
                           message=detail or message), status


def _answer(exc, status: int):
    # An error that carries its own page (a rate limit's on_breach: the form with the text
    # typed still in it) keeps it.
    response = getattr(exc, "response", None)
    return response if response is not None else _page(status)


def init_app(app: Flask) -> None:
    for status in MESSAGES:
        if status == 500:
            continue
        app.register_error_handler(status, lambda exc, status=status: _answer(exc, status))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, "页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。")

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return _page(500)
