import pytest
from django.test import Client

from suishoupai.notify import services
from suishoupai.notify.models import ChannelCode, Message, Status
from suishoupai.org.models import User

from .conftest import contact


@pytest.fixture
def root_client():
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="correct-horse-battery"))
    return client


@pytest.fixture
def failed(settings, city, http_receiver):
    settings.NOTIFY_LIVE = True
    hook = contact(city.city_sanitation, ChannelCode.WEBHOOK, f"{http_receiver.url}/h", "k")
    message = Message.objects.create(
        channel=ChannelCode.WEBHOOK,
        address=hook.address,
        audience="department",
        kind="department.dispatched",
        body="新案件",
        contact=hook,
        dedup_key="admin:1",
        created_at=services.timezone.now(),
    )
    http_receiver.statuses = [404]
    services.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    return message


@pytest.mark.django_db
def test_the_outbox_shows_failed_messages_with_their_error_in_chinese(root_client, failed):
    page = root_client.get("/admin/notify/message/?status=failed").content.decode()
    assert "发送失败" in page and "消息" in page
    detail = root_client.get(f"/admin/notify/message/{failed.pk}/change/").content.decode()
    assert "HTTP 404" in detail and "最近错误" in detail


@pytest.mark.django_db
def test_the_outbox_cannot_be_edited_added_or_deleted(root_client, failed):
    assert root_client.get("/admin/notify/message/add/").status_code == 403
    url = f"/admin/notify/message/{failed.pk}/delete/"
    assert root_client.post(url, {"post": "yes"}).status_code == 403
    change = f"/admin/notify/message/{failed.pk}/change/"
    root_client.post(change, {"address": "http://elsewhere/", "body": "x"})
    failed.refresh_from_db()
    assert failed.body == "新案件"


@pytest.mark.django_db(transaction=True)
def test_the_retry_action_sends_a_failed_message_again(root_client, failed, http_receiver):
    page = root_client.post(
        "/admin/notify/message/",
        {"action": "retry", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert "已重新排队1条消息。" in page.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert len(http_receiver.requests) == 2


@pytest.mark.django_db
def test_department_contacts_are_edited_in_the_admin(root_client, city):
    page = root_client.post(
        "/admin/notify/departmentcontact/add/",
        {
            "department": city.city_sanitation.pk,
            "channel": "email",
            "address": "duty@sanitation.example",
            "secret": "",
            "active": "on",
        },
    )
    assert page.status_code == 302
    assert city.city_sanitation.notify_contacts.get().address == "duty@sanitation.example"
    assert "部门联系方式" in root_client.get("/admin/notify/departmentcontact/").content.decode()
