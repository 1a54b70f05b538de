"""Demo users, cases and contacts, so that a newcomer running `make run` sees a living system.

Every case is made through the service functions, exactly as the console and the
API would make it, so numbers, events, deadlines and requests are the real ones.

Stories are told backwards from the last working moment before `now`, and all
their times are counted in working time (the calendar of timelimits): staff act
during office hours, nothing lies in the future, and whether a case is overdue
does not depend on the day or hour the demo is loaded. Cases still open end
well inside their limits, except the three meant to be overdue. The places are
real streets of Harbin's seven districts, in WGS-84.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from suishoupai.cases import services
from suishoupai.cases.models import Case, Channel
from suishoupai.cases.services import Report
from suishoupai.catalog.models import Category, FilingCondition, Subcategory
from suishoupai.notify.models import ChannelCode, DepartmentContact
from suishoupai.org.models import Department, DepartmentKind, Role, User
from suishoupai.places.models import Area, AreaLevel
from suishoupai.timelimits import clock
from suishoupai.timelimits.models import LimitUnit

PASSWORD = "suishoupai-demo"


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    department: str | None
    display_name: str


PEOPLE = (
    Person("olga", Role.OPERATOR, "centre", "欧阳静"),
    Person("leo", Role.SHIFT_LEAD, "centre", "李国强"),
    Person("dora", Role.DISPATCHER, "centre", "杜晓梅"),
    Person("carl", Role.HANDLER, "city_sanitation", "陈立军"),
    Person("hans", Role.HANDLER, "daowai_sanitation", "韩树林"),
    Person("rita", Role.HANDLER, "city_roads", "任海燕"),
    Person("nick", Role.HANDLER, "nangang_roads", "倪志刚"),
    # So every demo case waiting for a department has someone who can sign for it.
    Person("pam", Role.HANDLER, "city_parks", "潘雅琴"),
    Person("eric", Role.HANDLER, "city_enforcement", "鄂振华"),
    Person("doug", Role.HANDLER, "drainage_group", "窦德明"),
    Person("ivan", Role.INSPECTOR, "centre", "尹万里"),
    Person("lily", Role.LEADER, "centre", "林丽华"),
    Person("admin", Role.ADMIN, None, "系统管理员"),
)


class MissingReference(Exception):
    """The reference data the demo is written for is not loaded."""


@dataclass
class Result:
    users_created: list[str] = field(default_factory=list)
    users_kept: list[str] = field(default_factory=list)
    cases_by_state: Counter[str] = field(default_factory=Counter)
    cases_skipped: bool = False
    overdue: list[str] = field(default_factory=list)


def load_demo(now: datetime | None = None) -> Result:
    now = now or timezone.now()
    _check_reference()
    result = Result()
    with transaction.atomic():
        _ensure_users(result)
        ensure_console_contacts()  # notify: departments are told on the worker's log
        # Cases are the demo's history: never add a second one next to real or earlier data.
        if Case.objects.exists():
            result.cases_skipped = True
            return result
        cast = Cast()
        anchor = last_working_moment(now)
        for story in sorted(STORIES, key=lambda s: s.start(anchor)):
            case = story.tell(cast, anchor)
            result.cases_by_state[case.state] += 1
        result.overdue = services.mark_overdue(now)
    return result


# ---------------------------------------------------------------- reference and users


def _check_reference() -> None:
    if not (
        Category.objects.exists()
        and Area.objects.filter(level=AreaLevel.DISTRICT, in_service=True).exists()
    ):
        raise MissingReference(
            "No categories or districts are loaded. Run `manage.py load_reference` first."
        )
    steps = [step for story in STORIES for step in story.steps]
    reports = [story.report for story in STORIES]
    wanted = [
        (Department, _people_departments() | {s.department for s in steps if s.department}),
        (FilingCondition, {s.condition for s in steps if s.condition}),
        (Category, {r.category for r in reports}),
        (Subcategory, {r.subcategory for r in reports if r.subcategory}),
    ]
    missing = sorted(code for model, codes in wanted for code in _missing(model, codes))
    if missing:
        raise MissingReference(
            "The demo is written for the Harbin reference data (cities/harbin); these codes "
            f"are missing: {', '.join(missing)}. Run `manage.py load_reference` first."
        )


def _missing(model: Any, codes: set[str]) -> set[str]:
    found = set(model.objects.filter(code__in=codes, active=True).values_list("code", flat=True))
    return codes - found


def _ensure_users(result: Result) -> None:
    # An existing user is left alone: someone may have changed the password or the role.
    departments = {d.code: d for d in Department.objects.filter(code__in=_people_departments())}
    for person in PEOPLE:
        if User.objects.filter(username=person.username).exists():
            result.users_kept.append(person.username)
            continue
        admin = person.role == Role.ADMIN
        user = User(
            username=person.username,
            role=person.role,
            department=departments.get(person.department or ""),
            display_name=person.display_name,
            is_staff=admin,
            is_superuser=admin,
        )
        user.set_password(PASSWORD)
        user.save()
        result.users_created.append(person.username)


def ensure_console_contacts() -> int:
    """One console contact per active department (not the centre), so a newcomer sees
    department notifications in the worker's log; returns how many were added.
    Existing contacts are left as they are."""
    added = 0
    for dept in Department.objects.filter(active=True).exclude(kind=DepartmentKind.CENTRE):
        _, created = DepartmentContact.objects.get_or_create(
            department=dept, channel=ChannelCode.CONSOLE, address=f"{dept.name}值班台"
        )
        added += created
    return added


def _people_departments() -> set[str]:
    return {p.department for p in PEOPLE if p.department}


# ---------------------------------------------------------------- telling a story


class Cast:
    """Who acts in the stories, the departments they name, and the cases made so far."""

    def __init__(self) -> None:
        self.users = {u.username: u for u in User.objects.filter(username__in=_usernames())}
        self.departments = dict(Department.objects.values_list("code", "pk"))
        self.cases: dict[str, Case] = {}

    def __getitem__(self, username: str) -> User:
        return self.users[username]

    def department(self, code: str) -> int:
        return self.departments[code]


def _usernames() -> list[str]:
    return [p.username for p in PEOPLE]


Act = Callable[[Cast, Case, datetime], object]


# Times in the stories are working minutes: only office hours on working days count.
WORK = LimitUnit.WORKING_HOURS
HOUR = 60
DAY = 450  # one Harbin working day, 08:30-12:00 and 13:30-17:30


def last_working_moment(now: datetime) -> datetime:
    """`now` itself during working time, else the end of the last working period."""
    return clock.add_minutes(clock.add_minutes(now, -1, WORK), 1, WORK)


@dataclass(frozen=True)
class Step:
    after: int  # working minutes since the step before (the first: since submission)
    act: Act
    # Reference codes the step names, checked before anything is written.
    department: str | None = None
    condition: str | None = None


@dataclass(frozen=True)
class Story:
    key: str
    report: Report
    ends_ago: int  # working minutes from the last step to the anchor (the last working moment)
    steps: tuple[Step, ...] = ()
    reporter: str | None = None  # a staff member's own report (patrol)

    def start(self, anchor: datetime) -> datetime:
        minutes = self.ends_ago + sum(step.after for step in self.steps)
        return clock.add_minutes(anchor, -minutes, WORK)

    def tell(self, cast: Cast, anchor: datetime) -> Case:
        at = self.start(anchor)
        reporter = cast[self.reporter] if self.reporter else None
        case, _token = services.submit(self.report, now=at, reporter_user=reporter)
        cast.cases[self.key] = case
        for step in self.steps:
            at = clock.add_minutes(at, step.after, WORK)
            step.act(cast, case, at)
        case.refresh_from_db()
        return case


def ago(days: float = 0, hours: int = 0, minutes: int = 0) -> int:
    return round(days * DAY) + hours * HOUR + minutes


# Steps, each `minutes` working minutes after the one before. Staff act under their
# persona names.


def accept(minutes: int, condition: str | None = None) -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.accept(case, c["olga"], condition=condition, now=t),
        condition=condition,
    )


def reject(minutes: int, reason: str) -> Step:
    return Step(minutes, lambda c, case, t: services.reject(case, c["olga"], reason=reason, now=t))


def merge(minutes: int, into: str, note: str) -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.merge(
            case, c["olga"], into=c.cases[into].number, note=note, now=t
        ),
    )


def dispatch(minutes: int, to: str | None = None, note: str = "") -> Step:
    """From the centre; without `to`, to the department the routing suggests."""
    return Step(
        minutes,
        lambda c, case, t: services.dispatch(
            case, c["dora"], department=c.department(to) if to else None, note=note, now=t
        ),
        department=to,
    )


def redispatch(minutes: int, to: str, note: str) -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.redispatch(
            case, c["dora"], department=c.department(to), note=note, now=t
        ),
        department=to,
    )


def pass_on(minutes: int, by: str, to: str, note: str) -> Step:
    """Second level: the department holding the case hands it to a unit below it."""
    return Step(
        minutes,
        lambda c, case, t: services.dispatch_on(
            case, c[by], department=c.department(to), note=note, now=t
        ),
        department=to,
    )


def take(minutes: int, by: str) -> Step:
    return Step(minutes, lambda c, case, t: services.take(case, c[by], now=t))


def feedback(minutes: int, by: str, note: str) -> Step:
    return Step(minutes, lambda c, case, t: services.feedback(case, c[by], note=note, now=t))


def request_return(minutes: int, by: str, reason: str) -> Step:
    return Step(
        minutes, lambda c, case, t: services.request_return(case, c[by], reason=reason, now=t)
    )


def approve_return(minutes: int, note: str) -> Step:
    return Step(
        minutes, lambda c, case, t: services.approve_return(case, c["leo"], note=note, now=t)
    )


def request_extension(minutes: int, by: str, amount: int, reason: str) -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.request_extension(
            case, c[by], reason=reason, amount=Decimal(amount), now=t
        ),
    )


def approve_extension(minutes: int, note: str) -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.approve_extension(case, c["leo"], note=note, now=t),
    )


def deny_extension(minutes: int, note: str) -> Step:
    return Step(
        minutes, lambda c, case, t: services.deny_extension(case, c["leo"], note=note, now=t)
    )


def request_suspension(minutes: int, by: str, reason: str) -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.request_suspension(case, c[by], reason=reason, now=t),
    )


def approve_suspension(minutes: int, note: str) -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.approve_suspension(case, c["leo"], note=note, now=t),
    )


def verify_pass(minutes: int, note: str = "") -> Step:
    return Step(minutes, lambda c, case, t: services.verify_pass(case, c["ivan"], note=note, now=t))


def verify_fail(minutes: int, note: str) -> Step:
    return Step(minutes, lambda c, case, t: services.verify_fail(case, c["ivan"], note=note, now=t))


def close(minutes: int, note: str = "") -> Step:
    return Step(minutes, lambda c, case, t: services.close(case, c["leo"], note=note, now=t))


def void(minutes: int, reason: str) -> Step:
    return Step(minutes, lambda c, case, t: services.void(case, c["leo"], reason=reason, now=t))


def urge(minutes: int, note: str) -> Step:
    return Step(minutes, lambda c, case, t: services.urge(case, c["lily"], note=note, now=t))


def callback(minutes: int, result: str, note: str) -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.callback(
            case, c["olga"], result=result, contact="上报人本人", note=note, now=t
        ),
    )


def rate(minutes: int, rating: str, stars: int, comment: str = "") -> Step:
    return Step(
        minutes,
        lambda c, case, t: services.rate(case, rating=rating, stars=stars, comment=comment, now=t),
    )


def report(
    category: str,
    subcategory: str | None,
    address: str,
    where: tuple[float, float],
    description: str,
    *,
    phone: str = "",
    **extra: Any,
) -> Report:
    lat, lng = where
    return Report(
        category=category,
        subcategory=subcategory,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        phone=phone,
        **extra,
    )


# ---------------------------------------------------------------- places (WGS-84)

# Each point was checked with places.selectors.locate: it and every point ~300 m around it
# lie in the named district of the imported (coarse) boundaries.
JINGYU_14 = (45.7808, 126.6488)  # 道外区 靖宇街 南十四道街口
JINGYU_16 = (45.7815, 126.6530)  # 道外区 靖宇街 北十六道街附近
JINGYU_18 = (45.7795, 126.6515)  # 道外区 靖宇街 南十八道街口
NORTH_14 = (45.7838, 126.6470)  # 道外区 北十四道街
TAIGU = (45.7800, 126.6440)  # 道外区 太古街
JINGYANG = (45.7790, 126.6460)  # 道外区 景阳街
HONGJUN = (45.7565, 126.6370)  # 南岗区 红军街 博物馆广场附近
XIDAZHI_HIT = (45.7485, 126.6290)  # 南岗区 西大直街 哈工大附近
XIDAZHI_JIAOHUA = (45.7525, 126.6350)  # 南岗区 西大直街 教化街口
DONGDAZHI = (45.7580, 126.6450)  # 南岗区 东大直街
CENTRAL = (45.7730, 126.6170)  # 道里区 中央大街 西十二道街附近
CENTRAL_WEST7 = (45.7700, 126.6160)  # 道里区 中央大街 西七道街附近
WEST10 = (45.7665, 126.6140)  # 道里区 西十道街
YOUYI = (45.7750, 126.6050)  # 道里区 友谊路
YOUYI_PARK = (45.7760, 126.6080)  # 道里区 友谊路 斯大林公园入口附近
XIANGFANG = (45.7120, 126.6720)  # 香坊区 香坊大街
XIANGFANG_STOP = (45.7095, 126.6690)  # 香坊区 香坊大街 公交站
XIANGFANG_GARDEN = (45.7160, 126.6700)  # 香坊区 香坊大街 街心游园
CENTURY = (45.8050, 126.5450)  # 松北区 世纪大道 区政府附近
CENTURY_SITE = (45.8100, 126.5430)  # 松北区 世纪大道 北段
YOUXIE = (45.6040, 126.6360)  # 平房区 友协大街
YOUXIE_GARDEN = (45.6020, 126.6400)  # 平房区 友协大街 街心游园
HULAN_SOUTH = (45.8850, 126.5950)  # 呼兰区 南大街
HULAN_CROSS = (45.8860, 126.5930)  # 呼兰区 南大街 十字路口


# ---------------------------------------------------------------- the stories

STORIES: tuple[Story, ...] = (
    # ---- closed, rated, called back
    Story(
        "jingyu_garbage",
        report(
            "sanitation",
            "sanitation-exposed_garbage",
            "道外区靖宇街与南十四道街交口",
            JINGYU_14,
            "靖宇街南十四道街口的人行道上堆着几袋生活垃圾，放了一上午了，有异味。",
            phone="13904510001",
        ),
        ends_ago=ago(days=8),
        steps=(
            accept(12, "sanitation-exposed_garbage-small"),
            dispatch(8),
            take(30, "hans"),
            feedback(100, "hans", "已清扫装运，现场恢复整洁。"),
            verify_pass(80, "现场核查已清理干净。"),
            close(45),
            rate(240, "satisfied", 5, "处理很快，点赞！"),
        ),
    ),
    Story(
        "hongjun_pothole",
        report(
            "road_damage",
            "road_damage-pothole",
            "南岗区红军街 博物馆广场附近",
            HONGJUN,
            "红军街靠博物馆方向的机动车道上有个大坑，差不多一米见方，下雨积水，车都绕着走。",
            phone="13904510002",
        ),
        ends_ago=ago(days=6.5),
        steps=(
            accept(20, "road_damage-pothole-size"),
            dispatch(10),
            pass_on(40, "rita", "nangang_roads", "请南岗区市政部门处置。"),
            take(25, "nick"),
            feedback(DAY, "nick", "已切边清槽，用沥青冷补料修补并压实。"),
            verify_pass(120, "修补完成，路面无积水。"),
            close(60),
            rate(4 * HOUR, "basically_satisfied", 4, "补好了，就是补丁有点粗糙。"),
            callback(DAY, "basically_satisfied", "市民表示坑已补好，希望修补得再平整些。"),
        ),
    ),
    Story(
        "central_toilet",
        report(
            "public_toilet",
            "public_toilet-dirty",
            "道里区中央大街 西十二道街附近公厕",
            CENTRAL,
            "中央大街西十二道街附近的公厕地面积水，便池脏污，味道很大，来往游客很多。",
            phone="13904510003",
        ),
        ends_ago=ago(days=8.5),
        steps=(
            accept(15, "public_toilet-dirty-dirty"),
            dispatch(10),
            take(20, "carl"),
            feedback(90, "carl", "已安排保洁员全面冲洗消杀，并增加该公厕的保洁频次。"),
            verify_pass(60),
            close(30),
            rate(180, "satisfied", 5),
        ),
    ),
    Story(
        "xiangfang_overflow",
        report(
            "garbage_collection",
            "garbage_collection-overflow",
            "香坊区香坊大街 公交站旁",
            XIANGFANG_STOP,
            "香坊大街公交站旁的两个垃圾桶都满了，垃圾散落一地。",
            phone="13904510004",
        ),
        ends_ago=ago(days=5.5),
        steps=(
            accept(18, "garbage_collection-overflow-overflow"),
            dispatch(12),
            take(35, "carl"),
            feedback(110, "carl", "已清运满溢垃圾，清扫周边。"),
            verify_pass(90),
            close(40),
            rate(DAY, "unsatisfied", 2, "清了一次，第二天又满了，希望增加清运次数。"),
            callback(5 * HOUR, "unsatisfied", "市民希望增加清运频次，已转告市环卫中心。"),
        ),
    ),
    Story(
        "xidazhi_footbridge",
        report(
            "bridge_maintenance",
            "bridge_maintenance-footbridge",
            "南岗区西大直街 哈工大附近人行天桥",
            XIDAZHI_HIT,
            "西大直街哈工大门前的人行天桥，台阶防滑条脱落了好几根，老人上下桥很危险。",
            is_anonymous=True,
        ),
        ends_ago=ago(days=5),
        steps=(
            accept(25, "bridge_maintenance-footbridge-damaged"),
            dispatch(15),
            take(50, "rita"),
            feedback(DAY + 3 * HOUR, "rita", "已更换脱落的防滑条12根，并检查了全部台阶。"),
            verify_pass(150, "台阶防滑条齐全牢固。"),
            close(50),
            rate(4 * HOUR, "satisfied", 5, "修得很好，谢谢！"),
        ),
    ),
    Story(
        "youxie_bulky",
        report(
            "garbage_collection",
            "garbage_collection-bulky",
            "平房区友协大街 公交站后侧",
            YOUXIE,
            "友协大街公交站后面有人扔了旧沙发和床垫，占了半条人行道。",
            phone="13904510006",
        ),
        ends_ago=ago(days=5),
        steps=(
            accept(30, "garbage_collection-bulky-bulky"),
            dispatch(10),
            take(40, "carl"),
            feedback(5 * HOUR, "carl", "已用清运车将大件垃圾运往处置场。"),
            verify_pass(100),
            close(60),
        ),
    ),
    # ---- verified: waiting for the shift lead to close
    Story(
        "hulan_oil",
        report(
            "sanitation",
            "sanitation-dirty_road",
            "呼兰区南大街 商业街路段",
            HULAN_SOUTH,
            "市民来电：南大街商业街路段路面有一大片油污，走路打滑。",
            phone="13904510007",
            channel=Channel.HOTLINE,
        ),
        ends_ago=ago(hours=2),
        steps=(
            accept(10, "sanitation-dirty_road-main"),
            dispatch(10),
            take(20, "carl"),
            feedback(80, "carl", "已用清洗剂冲洗路面油污。"),
            verify_pass(45, "现场核查路面已清洁。"),
        ),
    ),
    Story(
        "youyi_curb",
        report(
            "road_damage",
            "road_damage-curb",
            "道里区友谊路 斯大林公园入口附近",
            YOUYI_PARK,
            "友谊路斯大林公园入口附近的路缘石倒了好几块，容易绊倒行人。",
            phone="13904510008",
        ),
        ends_ago=ago(hours=4),
        steps=(
            accept(20, "road_damage-curb-broken"),
            dispatch(10),
            take(45, "rita"),
            feedback(6 * HOUR, "rita", "已复位倒伏路缘石，更换破损路缘石3米。"),
            verify_pass(90),
        ),
    ),
    # ---- resolved: waiting for verification (one after a rework)
    Story(
        "north14_flush",
        report(
            "public_toilet",
            "public_toilet-facility",
            "道外区北十四道街公厕",
            NORTH_14,
            "北十四道街公厕男厕的冲水装置坏了，好几个便池冲不了水。",
            phone="13904510009",
        ),
        ends_ago=ago(hours=1),
        steps=(
            accept(15, "public_toilet-facility-broken"),
            dispatch(10),
            take(30, "hans"),
            feedback(150, "hans", "已更换冲水阀门，恢复正常使用。"),
        ),
    ),
    Story(
        "jiaohua_muck",
        report(
            "sanitation",
            "sanitation-muck",
            "南岗区西大直街与教化街交口",
            XIDAZHI_JIAOHUA,
            "教化街口路边堆着一堆建筑渣土，有两三平方米，一刮风就扬尘。",
            phone="13904510010",
        ),
        ends_ago=ago(minutes=40),
        steps=(
            accept(15, "sanitation-muck-muck"),
            dispatch(10),
            take(20, "carl"),
            feedback(90, "carl", "渣土已清运。"),
            verify_fail(60, "现场仍有部分渣土未清运，路面有泥土。"),
            feedback(70, "carl", "已全部清运并冲洗路面。"),
        ),
    ),
    # ---- in progress
    Story(
        "century_sidewalk",
        report(
            "road_damage",
            "road_damage-sidewalk",
            "松北区世纪大道 松北区政府对面",
            CENTURY,
            "世纪大道松北区政府对面的人行道方砖松动破碎一大片，大约有3平方米。",
            phone="13904510011",
        ),
        ends_ago=ago(days=1),
        steps=(
            accept(20, "road_damage-sidewalk-paving"),
            dispatch(15),
            take(60, "rita"),
            request_extension(
                5 * HOUR, "rita", 2, "同规格透水砖需向厂家订货，预计两个工作日到货。"
            ),
            approve_extension(40, "同意延期2个工作日，到货后尽快铺装。"),
        ),
    ),
    Story(
        "jingyu_collection",
        report(
            "garbage_collection",
            "garbage_collection-not_collected",
            "道外区靖宇街 北十六道街垃圾收集点",
            JINGYU_16,
            "靖宇街北十六道街附近的垃圾收集点今天没清运，垃圾都堆到外面来了。",
            phone="13904510012",
        ),
        ends_ago=ago(minutes=20),
        steps=(
            accept(15, "garbage_collection-not_collected-not_collected"),
            dispatch(10),
            take(25, "hans"),
            request_extension(
                60, "hans", 1, "清运车辆临时故障，已调配备用车辆，申请延期1个工作日。"
            ),
        ),
    ),
    Story(
        "xiangfang_heap",
        report(
            "sanitation",
            "sanitation-exposed_garbage",
            "香坊区香坊大街 路边空地",
            XIANGFANG,
            "香坊大街路边一块空地上垃圾成堆，有十几平方米，味道很大。",
            phone="13904510013",
        ),
        ends_ago=ago(days=2.5),
        steps=(
            accept(20, "sanitation-exposed_garbage-large"),
            dispatch(10),
            take(40, "carl"),
            request_extension(120, "carl", 1, "垃圾量大，需协调铲车和清运车辆。"),
            deny_extension(30, "暴露垃圾不予延期，请立即组织清运。"),
        ),
    ),
    Story(
        "taigu_toilet",
        report(
            "public_toilet",
            "public_toilet-closed",
            "道外区太古街公厕",
            TAIGU,
            "太古街公厕白天锁着门，门口公示的开放时间是6点到22点。",
            phone="13904510014",
        ),
        ends_ago=ago(minutes=30),
        steps=(
            accept(10, "public_toilet-closed-closed"),
            dispatch(10),
            take(20, "hans"),
        ),
    ),
    # ---- suspended (挂账), approved
    Story(
        "xiangfang_subsidence",
        report(
            "road_damage",
            "road_damage-subsidence",
            "香坊区香坊大街 非机动车道",
            XIANGFANG_GARDEN,
            "香坊大街非机动车道路面下沉，还有一条长裂缝，电动车骑过去很颠。",
            phone="13904510015",
        ),
        ends_ago=ago(days=3),
        steps=(
            accept(25, "road_damage-subsidence-large"),
            dispatch(10),
            take(60, "rita"),
            request_suspension(
                4 * HOUR,
                "rita",
                "该路段已列入本年度道路大修计划，沉陷处需与大修工程一并翻修，现场已设置警示标志。",
            ),
            approve_suspension(50, "同意挂账，大修开工后恢复处置。"),
        ),
    ),
    # ---- dispatched
    Story(
        "jingyu_heap",
        report(
            "sanitation",
            "sanitation-exposed_garbage",
            "道外区靖宇街与南十八道街交口",
            JINGYU_18,
            "靖宇街南十八道街口有人倾倒装修垃圾，堆了一大堆，占了半边路。",
            phone="13904510016",
        ),
        ends_ago=ago(minutes=50),
        steps=(
            accept(15, "sanitation-exposed_garbage-large"),
            dispatch(10, "city_sanitation", "主干道大量装修垃圾，请市环卫中心协调清运。"),
            pass_on(25, "carl", "daowai_sanitation", "请道外区环卫部门立即清运。"),
        ),
    ),
    Story(
        "jingyu_heap_again",
        report(
            "sanitation",
            "sanitation-exposed_garbage",
            "道外区靖宇街南十八道街",
            JINGYU_18,
            "十八道街这儿一大堆装修垃圾，谁倒的？",
            is_anonymous=True,
        ),
        ends_ago=ago(minutes=10),
        steps=(merge(20, "jingyu_heap", "同一地点同一问题，与已派遣案件合并。"),),
    ),
    Story(
        "dongdazhi_bulge",
        report(
            "road_damage",
            "road_damage-subsidence",
            "南岗区东大直街",
            DONGDAZHI,
            "东大直街路面隆起拥包，高差有五六厘米，车辆经过颠得厉害。",
            phone="13904510018",
        ),
        ends_ago=ago(minutes=30),
        steps=(
            accept(20, "road_damage-subsidence-large"),
            dispatch(10),
            pass_on(30, "rita", "nangang_roads", "请南岗区市政部门处置。"),
            request_return(
                50,
                "nick",
                "现场核实该处为燃气管线施工后回填的路面，应由燃气施工单位负责修复，非本部门职责。",
            ),
        ),
    ),
    Story(
        "youyi_manhole",
        report(
            "manhole_cover",
            "manhole_cover-missing",
            "道里区友谊路 非机动车道",
            YOUYI,
            "友谊路非机动车道有个井盖没了，只放了个路障挡着，晚上看不清，特别危险。",
            phone="13904510019",
        ),
        ends_ago=ago(hours=1),
        steps=(
            accept(10, "manhole_cover-missing-hazard"),
            dispatch(5),
            urge(5 * HOUR, "井盖缺失危及安全，请排水集团立即处置并反馈。"),
        ),
    ),
    Story(
        "west10_tree",
        report(
            "tree_care",
            "tree_care-fallen",
            "道里区西十道街",
            WEST10,
            "西十道街一棵老杨树严重倾斜，树根旁的土都裂开了，下面就是人行道。",
            phone="13904510020",
        ),
        ends_ago=ago(days=3),
        steps=(
            accept(20, "tree_care-fallen-leaning"),
            dispatch(15),
        ),
    ),
    Story(
        "hongjun_loudspeaker",
        report(
            "commercial_noise",
            "commercial_noise-loudspeaker",
            "南岗区红军街 博物馆广场附近",
            HONGJUN,
            "巡查发现：红军街一家手机店门口摆放大功率音箱，循环播放促销广告，噪声很大。",
            channel=Channel.PATROL,
        ),
        reporter="ivan",
        ends_ago=ago(minutes=20),
        steps=(
            accept(10, "commercial_noise-loudspeaker-loudspeaker"),
            dispatch(5),
        ),
    ),
    Story(
        "century_dust",
        report(
            "construction_nuisance",
            "construction_nuisance-dust",
            "松北区世纪大道 北段工地",
            CENTURY_SITE,
            "世纪大道旁一个工地的土堆没盖防尘网，风一刮全是土。",
            phone="13904510022",
        ),
        ends_ago=ago(hours=1),
        steps=(
            accept(15, "construction_nuisance-dust-dust"),
            dispatch(10),
        ),
    ),
    Story(
        "jingyang_muck",
        report(
            "sanitation",
            "sanitation-muck",
            "道外区景阳街",
            JINGYANG,
            "景阳街上一路都是渣土，像是拉土车掉的，路面一层泥。",
            phone="13904510023",
        ),
        ends_ago=ago(minutes=25),
        steps=(
            accept(15, "sanitation-muck-muck"),
            dispatch(10),
            request_return(
                40, "hans", "经现场核查为附近工地渣土车运输遗撒，应由综合执法部门查处。"
            ),
            approve_return(20, "同意回退，改派综合执法部门。"),
            dispatch(10, "daowai_enforcement", "渣土运输遗撒，请执法部门查处并督促清理。"),
        ),
    ),
    Story(
        "youxie_garden",
        report(
            "park_environment",
            "park_environment-dirty",
            "平房区友协大街 街心游园",
            YOUXIE_GARDEN,
            "友协大街旁的街心游园里，草地上都是塑料袋和饮料瓶，好久没人打扫了。",
            phone="13904510024",
        ),
        ends_ago=ago(minutes=40),
        steps=(
            accept(20, "park_environment-dirty-litter"),
            dispatch(10, "pingfang_sanitation"),
            redispatch(15, "pingfang_parks", "游园内绿地卫生由园林部门管护，改派。"),
        ),
    ),
    # ---- filed: waiting for dispatch
    Story(
        "xiangfang_fitness",
        report(
            "park_environment",
            "park_environment-facility",
            "香坊区香坊大街 街心游园",
            XIANGFANG_GARDEN,
            "街心游园里一台健身器材的踏板断了，孩子们还在上面玩，很危险。",
            phone="13904510025",
        ),
        ends_ago=ago(minutes=8),
        steps=(accept(12, "park_environment-facility-hazard"),),
    ),
    Story(
        "central_aircon",
        report(
            "commercial_noise",
            "commercial_noise-equipment",
            "道里区中央大街 西七道街附近居民楼",
            CENTRAL_WEST7,
            "我家楼下饭店的空调外机和排风机整夜响，吵得睡不着觉。",
            phone="13904510026",
            is_public=False,
        ),
        ends_ago=ago(minutes=12),
        steps=(accept(15, "commercial_noise-equipment-equipment"),),
    ),
    # ---- submitted: waiting for the operator
    Story(
        "hulan_signal",
        report(
            "tree_care",
            "tree_care-pruning",
            "呼兰区南大街 十字路口",
            HULAN_CROSS,
            "南大街十字路口的树枝把红绿灯挡住了，开车过来看不见信号灯。",
            phone="13904510027",
        ),
        ends_ago=ago(minutes=12),
    ),
    Story(
        "north14_spill",
        report(
            "garbage_collection",
            None,
            "道外区北十四道街至靖宇街",
            NORTH_14,
            "垃圾车开过去一路滴黑水，从北十四道街一直到靖宇街，味道很大。",
            is_anonymous=True,
        ),
        ends_ago=ago(minutes=4),
    ),
    # ---- closed without a case: declined, voided
    Story(
        "xidazhi_stairwell",
        report(
            "sanitation",
            None,
            "南岗区西大直街 某小区楼内",
            XIDAZHI_HIT,
            "我们小区楼道里堆满了邻居的杂物和纸箱，消防通道都堵了。",
            phone="13904510029",
        ),
        ends_ago=ago(days=4.5),
        steps=(
            reject(
                25,
                "该问题位于小区楼道内，属物业管理范围，不属于城市管理的公共区域。请联系物业公司"
                "或所在社区；消防通道堵塞可拨打96119举报。",
            ),
        ),
    ),
    Story(
        "youyi_night_works",
        report(
            "construction_nuisance",
            "construction_nuisance-night_noise",
            "道里区友谊路",
            YOUYI,
            "友谊路半夜还在施工，挖掘机声音很大，吵得睡不着。",
            phone="13904510030",
        ),
        ends_ago=ago(days=4),
        steps=(
            accept(10, "construction_nuisance-night_noise-night"),
            void(
                70,
                "经核实为排水管线夜间抢修作业，已办理夜间施工手续，误立案，予以作废。",
            ),
        ),
    ),
)
