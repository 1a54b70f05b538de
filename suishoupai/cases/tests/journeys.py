"""Walk a case to any state through the real service functions."""

from datetime import timedelta

from suishoupai import factories as c
from suishoupai.cases import services
from suishoupai.cases.models import Case


def report(city, now=c.WEDNESDAY_9AM, where=c.DAOWAI, category="sanitation", **extra) -> Case:
    lat, lng = where
    case, _token = services.submit(
        services.Report(category=category, description="路边有一堆垃圾", lat=lat, lng=lng, **extra),
        now=now,
    )
    return case


def walk(city, people, state: str, now=c.WEDNESDAY_9AM, overdue: bool = False) -> Case:
    """A fresh case in `state`; people is a dict of personas by name.

    With overdue=True the periodic scan marks the case overdue (just after its
    deadline) while the department holds it: once it is signed for, or once
    dispatched when that is the state wanted. The later steps follow from then.
    """
    case = report(city, now)
    steps = {
        "submitted": [],
        "rejected": [lambda t: services.reject(case, people["olga"], reason="重复上报", now=t)],
        "merged": [
            lambda t: services.merge(case, people["olga"], into=report(city, now).number, now=t)
        ],
        "voided": [lambda t: services.void(case, people["leo"], reason="测试数据", now=t)],
        "filed": [lambda t: services.accept(case, people["olga"], now=t)],
    }
    chain = [
        ("filed", lambda t: services.accept(case, people["olga"], now=t)),
        ("dispatched", lambda t: services.dispatch(case, people["dora"], now=t)),
        ("in_progress", lambda t: services.take(case, people["carl"], now=t)),
        ("resolved", lambda t: services.feedback(case, people["carl"], note="已清理", now=t)),
        ("verified", lambda t: services.verify_pass(case, people["ivan"], now=t)),
        ("closed", lambda t: services.close(case, people["leo"], now=t)),
    ]
    if state in steps and state != "filed":
        actions = steps[state]
    elif state == "suspended":
        actions = [a for _, a in chain[:3]] + [
            lambda t: services.request_suspension(case, people["carl"], reason="需夏季施工", now=t),
            lambda t: services.approve_suspension(case, people["leo"], now=t),
        ]
    else:
        names = [n for n, _ in chain]
        actions = [a for _, a in chain[: names.index(state) + 1]]
    t = now
    marked = False
    for action in actions:
        t += timedelta(minutes=10)
        action(t)
        if overdue and not marked:
            case.refresh_from_db()
            if case.state == "in_progress" or case.state == state == "dispatched":
                t = case.due_at + timedelta(minutes=1)
                assert case.number in services.mark_overdue(now=t)
                marked = True
    case.refresh_from_db()
    assert case.state == state
    return case
